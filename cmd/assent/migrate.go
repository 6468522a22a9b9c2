package main

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v3"

	"assent/sqldb"
)

// runMigrate reports the schema version; openDB has already migrated.
func runMigrate(ctx context.Context, cmd *cli.Command, db *sqldb.DB) error {
	current, known, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(cmd.Root().Writer, "%s database at schema version %d (this binary knows %d)\n", db.Dialect(), current, known)
	return err
}

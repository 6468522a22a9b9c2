package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/urfave/cli/v3"

	"assent/sqldb"
)

func (m *Main) auditCommand() *cli.Command {
	return &cli.Command{
		Name:  "audit",
		Usage: "check the audit trail",
		Commands: []*cli.Command{
			{
				Name:   "verify",
				Usage:  "walk the hash chain of events; exit 2 naming the first event edited, inserted or deleted",
				Flags:  []cli.Flag{&cli.BoolFlag{Name: "json", Usage: "print the report as JSON"}},
				Action: m.runAuditVerify,
			},
		},
	}
}

// runAuditVerify only reads: sealing first would bless a planted event.
func (m *Main) runAuditVerify(ctx context.Context, cmd *cli.Command) error {
	logger, err := newLogger(cmd, m.Stderr)
	if err != nil {
		return err
	}
	// Verifying a database that is not there must not create an empty one and pass.
	if url := databaseURL(cmd); !sqldb.IsPostgresURL(url) {
		if _, err := os.Stat(url); err != nil {
			return fmt.Errorf("no database at %s: %w", url, err)
		}
	}
	db, err := m.openDB(ctx, cmd, logger)
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := sqldb.NewAuditService(db).Verify(ctx)
	if err != nil {
		return err
	}
	if cmd.Bool("json") {
		b, _ := json.MarshalIndent(r, "", "  ")
		fmt.Fprintln(m.Stdout, string(b))
	} else if r.OK {
		fmt.Fprintf(m.Stdout, "ok: %d events sealed, %d pending; chain head %s\n", r.Sealed, r.Pending, r.Head)
	}
	if !r.OK {
		return &exitError{code: 2, msg: "audit failed: " + r.Problem}
	}
	return nil
}

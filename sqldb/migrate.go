package sqldb

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations
var migrations embed.FS

// MigrationFiles returns the migration folder of a dialect ("sqlite" or
// "postgres"); a test checks that both hold the same file names.
func MigrationFiles(dialectName string) (fs.FS, error) {
	return fs.Sub(migrations, "migrations/"+dialectName)
}

// Migrate applies the migrations not yet applied. On PostgreSQL a session
// lock keeps replicas that start together from racing.
func (db *DB) Migrate(ctx context.Context) error {
	p, err := db.migrationProvider()
	if err != nil {
		return err
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, r := range results {
		db.Logger.Info("migration applied", "file", r.Source.Path, "duration", r.Duration)
	}
	return nil
}

// SchemaVersion returns the version the database is at and the newest this
// binary knows.
func (db *DB) SchemaVersion(ctx context.Context) (current, known int64, err error) {
	p, err := db.migrationProvider()
	if err != nil {
		return 0, 0, err
	}
	return p.GetVersions(ctx)
}

func (db *DB) migrationProvider() (*goose.Provider, error) {
	files, err := MigrationFiles(db.dialect.migrations)
	if err != nil {
		return nil, err
	}
	gd := goose.DialectSQLite3
	var opts []goose.ProviderOption
	if db.dialect.isPostgres() {
		gd = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	opts = append(opts, goose.WithDisableGlobalRegistry(true))
	return goose.NewProvider(gd, db.write, files, opts...)
}

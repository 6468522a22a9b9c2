package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v3"

	"assent"
	"assent/sqldb"
	"assent/templates"
)

// Every setting is a flag that also reads an ASSENT_* variable, declared once here.
var (
	dataDirFlag = &cli.StringFlag{Name: "data-dir", Value: "./assent-data", Sources: cli.EnvVars("ASSENT_DATA_DIR"),
		Usage: "directory for the SQLite database and attachments"}
	databaseURLFlag = &cli.StringFlag{Name: "database-url", Sources: cli.EnvVars("ASSENT_DATABASE_URL"),
		Usage: "postgres://… to use PostgreSQL instead of SQLite in the data directory"}
	logFormatFlag = &cli.StringFlag{Name: "log-format", Value: "text", Sources: cli.EnvVars("ASSENT_LOG_FORMAT"),
		Usage: "text or json"}
	logLevelFlag = &cli.StringFlag{Name: "log-level", Value: "info", Sources: cli.EnvVars("ASSENT_LOG_LEVEL"),
		Usage: "debug, info, warn or error"}
)

// globalFlags apply to every command.
var globalFlags = []cli.Flag{dataDirFlag, databaseURLFlag, logFormatFlag, logLevelFlag}

// databaseURL returns the PostgreSQL URL when one is set, else the SQLite
// file in the data directory.
func databaseURL(cmd *cli.Command) string {
	if u := cmd.String(databaseURLFlag.Name); u != "" {
		return u
	}
	return filepath.Join(cmd.String(dataDirFlag.Name), "assent.db")
}

// newLogger builds the slog logger the flags ask for.
func newLogger(cmd *cli.Command, w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cmd.String(logLevelFlag.Name))); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch strings.ToLower(cmd.String(logFormatFlag.Name)) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format must be text or json")
}

// openDB opens and migrates the database for a command.
func (m *Main) openDB(ctx context.Context, cmd *cli.Command, logger *slog.Logger) (*sqldb.DB, error) {
	db, err := sqldb.Open(ctx, databaseURL(cmd))
	if err != nil {
		return nil, err
	}
	db.Logger = logger
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := ensureStandardTemplates(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// ensureStandardTemplates adds the built-in templates a database lacks.
func ensureStandardTemplates(ctx context.Context, db *sqldb.DB) error {
	standard, err := templates.Standard()
	if err != nil {
		return fmt.Errorf("built-in templates: %w", err)
	}
	ctx = assent.NewContextWithUser(ctx, assent.SystemUser("system"))
	return sqldb.NewTemplateService(db).EnsureBuiltinTemplates(ctx, standard)
}

// offline runs fn on the database as the "cli" actor, then seals the
// events it wrote so that `assent audit verify` finds nothing pending.
func (m *Main) offline(fn func(ctx context.Context, cmd *cli.Command, db *sqldb.DB) error) cli.ActionFunc {
	return func(ctx context.Context, cmd *cli.Command) error {
		logger, err := newLogger(cmd, m.Stderr)
		if err != nil {
			return err
		}
		db, err := m.openDB(ctx, cmd, logger)
		if err != nil {
			return err
		}
		defer db.Close()
		ctx = assent.NewContextWithUser(ctx, assent.SystemUser("cli"))
		ctx = assent.NewContextWithRequestID(ctx, "cli-"+strings.ReplaceAll(cmd.FullName(), " ", "-"))
		err = fn(ctx, cmd, db)
		if _, serr := sqldb.NewAuditService(db).Seal(context.WithoutCancel(ctx)); serr != nil && err == nil {
			err = serr
		}
		return err
	}
}

// fresh copies flags for one run of a command. A flag remembers being set
// (from the command line or its variable) and would not read its variable
// again, so the flags declared once at package level are only templates:
// every run of Main, as tests make many, parses copies of them.
func fresh(flags []cli.Flag) []cli.Flag {
	out := make([]cli.Flag, len(flags))
	for i, f := range flags {
		switch f := f.(type) {
		case *cli.StringFlag:
			c := *f
			out[i] = &c
		case *cli.BoolFlag:
			c := *f
			out[i] = &c
		case *cli.IntFlag:
			c := *f
			out[i] = &c
		case *cli.DurationFlag:
			c := *f
			out[i] = &c
		default:
			panic(fmt.Sprintf("fresh: no copy for %T", f))
		}
	}
	return out
}

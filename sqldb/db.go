// Package sqldb is Assent's one storage implementation, on SQLite (embedded,
// the default) and PostgreSQL (for several replicas). The SQL is written once
// with $N placeholders; what differs between the two lives in a Dialect and in
// the per-dialect migration folders.
package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"assent/password"
)

// DB is an open database. Writes go through write; reads through read, which
// on SQLite is a pool of its own so that readers never queue behind the writer.
type DB struct {
	write   *sql.DB
	read    *sql.DB
	dialect dialect
	url     string
	stmts   sync.Map // query text → *sql.Stmt on read; see readStmt
	// definitions caches parsed template versions, which never change.
	definitions sync.Map
	// hooks caches the enabled webhooks; see hookCache.
	hooks hookCache

	// ExternalURL starts the links in notifications.
	ExternalURL string

	// Now is the clock; tests move it to expire tokens and sessions.
	Now func() time.Time

	// PasswordParams sets the cost of new password hashes.
	PasswordParams password.Params

	// Logger receives the few things the store says on its own (migrations, sealing).
	Logger *slog.Logger
}

// Open opens the database named by dsn: a postgres:// or postgresql:// URL,
// or a SQLite file path (optionally prefixed with sqlite: or file:).
// It does not migrate; call Migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	db := &DB{url: dsn, Now: time.Now, PasswordParams: password.Default, Logger: slog.New(slog.DiscardHandler)}
	var err error
	if IsPostgresURL(dsn) {
		err = db.openPostgres(ctx, dsn)
	} else {
		err = db.openSQLite(ctx, dsn)
	}
	if err != nil {
		return nil, err
	}
	return db, nil
}

// IsPostgresURL reports whether dsn names a PostgreSQL database.
func IsPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

func (db *DB) openPostgres(ctx context.Context, dsn string) error {
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return fmt.Errorf("open postgres: %w", err)
	}
	pool.SetMaxOpenConns(32)
	pool.SetMaxIdleConns(32)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return fmt.Errorf("connect to postgres %s: %w", redactURL(dsn), err)
	}
	db.write, db.read, db.dialect = pool, pool, dialectPostgres
	return nil
}

func (db *DB) openSQLite(ctx context.Context, dsn string) error {
	path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create database directory: %w", err)
	}
	// WAL lets readers run beside the one writer; immediate transactions take
	// the write lock at BEGIN so that a read-then-write never fails half way.
	pragmas := "_pragma=page_size(8192)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)"
	// The writer's page cache holds a large sync batch, so that its pages
	// are written once at commit rather than spilled to the log on the way,
	// and checkpoints come every 80 MB of log (10,000 pages of 8 KiB) so that pages that batch after
	// batch change are copied to the database once per checkpoint.
	w, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=cache_size(-65536)&_pragma=wal_autocheckpoint(10000)&_pragma=temp_store(MEMORY)&_txlock=immediate")
	if err != nil {
		return fmt.Errorf("open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return fmt.Errorf("open sqlite %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return fmt.Errorf("open sqlite: %w", err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	r.SetConnMaxLifetime(0)
	db.write, db.read, db.dialect = w, r, dialectSQLite
	return nil
}

// Close closes both pools.
func (db *DB) Close() error {
	db.stmts.Range(func(_, st any) bool { st.(*sql.Stmt).Close(); return true })
	err := db.write.Close()
	if db.read != db.write {
		if rerr := db.read.Close(); err == nil {
			err = rerr
		}
	}
	return err
}

// Dialect names the database in use: "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.dialect.name }

// Ping checks that the database answers; /readyz uses it.
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

// redactURL hides a password in a database URL so that it can be logged.
func redactURL(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

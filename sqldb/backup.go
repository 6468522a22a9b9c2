package sqldb

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"

	"github.com/pressly/goose/v3"

	"assent"
)

// Snapshot describes a consistent copy of the database: what a backup's
// manifest records and a restore is checked against.
type Snapshot struct {
	SchemaVersion int64
	// Counts holds the rows of the main tables, by table name.
	Counts map[string]int64
	// Blobs are the attachment contents the copy refers to, by SHA-256.
	Blobs []Blob
}

// Blob is one attachment content: its SHA-256 (the name it is stored
// under) and its size.
type Blob struct {
	SHA256 string
	Size   int64
}

// countedTables are the tables a backup counts; a table that an old
// schema lacks is left out.
var countedTables = []string{"users", "items", "governable_items", "signoffs", "attachments", "events"}

// KnownSchemaVersion returns the newest migration this binary has for a
// dialect ("sqlite" or "postgres"), without a database.
func KnownSchemaVersion(dialectName string) (int64, error) {
	files, err := MigrationFiles(dialectName)
	if err != nil {
		return 0, err
	}
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		return 0, err
	}
	var newest int64
	for _, e := range entries {
		if v, err := goose.NumericComponent(e.Name()); err == nil {
			newest = max(newest, v)
		}
	}
	return newest, nil
}

// SnapshotSQLite writes a consistent copy of a SQLite database to dst with
// VACUUM INTO, which reads in one transaction while writers go on, and
// describes the copy. It runs on the writer connection because the
// readers are query-only, but takes no write lock.
func (db *DB) SnapshotSQLite(ctx context.Context, dst string) (*Snapshot, error) {
	if db.dialect.isPostgres() {
		return nil, fmt.Errorf("SnapshotSQLite on a PostgreSQL database")
	}
	if _, err := db.write.ExecContext(ctx, `VACUUM INTO $1`, dst); err != nil {
		return nil, fmt.Errorf("snapshot the database: %w", err)
	}
	cp, err := sql.Open("sqlite", "file:"+dst)
	if err != nil {
		return nil, err
	}
	defer cp.Close()
	return describe(ctx, cp, dialectSQLite)
}

// DumpPostgres runs pg_dump into dst (custom format) on a snapshot exported
// by a transaction that describes the same state, so that the manifest and
// the dump agree to the row.
func (db *DB) DumpPostgres(ctx context.Context, dst string) (*Snapshot, error) {
	pgDump, err := PostgresTool("pg_dump")
	if err != nil {
		return nil, err
	}
	target, env, err := libpqTarget(db.url)
	if err != nil {
		return nil, err
	}
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("snapshot the database: %w", err)
	}
	defer tx.Rollback()
	var snapshotID string
	if err := tx.QueryRowContext(ctx, `SELECT pg_export_snapshot()`).Scan(&snapshotID); err != nil {
		return nil, fmt.Errorf("snapshot the database: %w", err)
	}
	snap, err := describe(ctx, tx, dialectPostgres)
	if err != nil {
		return nil, err
	}
	if err := runTool(ctx, pgDump, env, "--format=custom", "--no-password", "--snapshot="+snapshotID, "--file="+dst, "--dbname="+target); err != nil {
		return nil, err
	}
	return snap, nil
}

// PostgresTables lists the tables of the schema Assent uses (public, or
// the first of search_path): a restore goes only into a database without any.
func (db *DB) PostgresTables(ctx context.Context) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT tablename FROM pg_tables
		WHERE schemaname IN ('public', current_schema()) ORDER BY tablename`)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	return names, rows.Err()
}

// RestorePostgres loads a pg_dump archive into this (empty) database in one
// transaction, so that a failure leaves it empty. Call SealRestored next.
func (db *DB) RestorePostgres(ctx context.Context, dump string) error {
	pgRestore, err := PostgresTool("pg_restore")
	if err != nil {
		return err
	}
	target, env, err := libpqTarget(db.url)
	if err != nil {
		return err
	}
	// Owners and grants name roles of the old server, which may not exist here.
	return runTool(ctx, pgRestore, env, "--exit-on-error", "--single-transaction", "--no-owner", "--no-privileges",
		"--no-password", "--dbname="+target, dump)
}

// SealRestored chains the events a backup held unsealed, so that the
// restored audit trail verifies at once. On PostgreSQL it also moves the
// sealer's cursor: the stored transaction ids come from the old server,
// and a new server's may be lower, which would leave every new event
// behind the cursor and never sealed.
func (db *DB) SealRestored(ctx context.Context) error {
	if !db.dialect.isPostgres() {
		_, err := NewAuditService(db).Seal(ctx)
		return err
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("seal restored events: %w", err)
	}
	defer tx.Rollback()
	a, err := readAnchor(ctx, tx, true)
	if err != nil {
		return err
	}
	audit := NewAuditService(db)
	for {
		// No transaction of the old server is still running: every event is
		// committed, so all are taken in (xid, id) order.
		events, err := restoredUnsealed(ctx, tx)
		if err != nil {
			return err
		}
		if len(events) == 0 {
			break
		}
		seqs, ids, hashes := make([]int64, len(events)), make([]int64, len(events)), make([]string, len(events))
		for i, e := range events {
			a.seq++
			a.hash = chainHash(a.hash, a.seq, e)
			seqs[i], ids[i], hashes[i] = a.seq, e.ID, a.hash
		}
		if err := audit.insertSeals(ctx, tx, seqs, ids, hashes); err != nil {
			return err
		}
	}
	// The cursor goes to the last event, or to this transaction's id when the
	// old server's ids run ahead of this one's: every later event is past it.
	var lastXID, current string
	var lastID int64
	if err := tx.QueryRowContext(ctx, `SELECT xid::text, id FROM events ORDER BY xid DESC, id DESC LIMIT 1`).Scan(&lastXID, &lastID); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("seal restored events: %w", err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT pg_current_xact_id()::text`).Scan(&current); err != nil {
		return fmt.Errorf("seal restored events: %w", err)
	}
	a.cursorXID, a.cursorID = parseXID(lastXID), lastID
	if cur := parseXID(current); cur < a.cursorXID {
		a.cursorXID, a.cursorID = cur, 0
	}
	if _, err := tx.ExecContext(ctx, `UPDATE audit_anchor SET seq = $1, hash = $2, cursor_xid = $3, cursor_id = $4, sealed_at = $5 WHERE id = 1`,
		a.seq, a.hash, a.cursorXID, a.cursorID, ms(db.Now())); err != nil {
		return fmt.Errorf("seal restored events: %w", err)
	}
	return tx.Commit()
}

func parseXID(s string) int64 {
	v, _ := strconv.ParseInt(s, 10, 64)
	return v
}

// restoredUnsealed returns the next unsealed events in (xid, id) order.
func restoredUnsealed(ctx context.Context, tx *sql.Tx) ([]*assent.Event, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, time, actor, request_id, object_type, object_id, action, before, after
		FROM events e WHERE NOT EXISTS (SELECT 1 FROM event_seals s WHERE s.event_id = e.id)
		ORDER BY xid, id LIMIT $1`, sealBatch)
	if err != nil {
		return nil, fmt.Errorf("seal restored events: %w", err)
	}
	defer rows.Close()
	var events []*assent.Event
	for rows.Next() {
		var e assent.Event
		var t int64
		var before, after sql.NullString
		if err := rows.Scan(&e.ID, &t, &e.Actor, &e.RequestID, &e.ObjectType, &e.ObjectID, &e.Action, &before, &after); err != nil {
			return nil, fmt.Errorf("seal restored events: %w", err)
		}
		e.Time = fromMS(t)
		if before.Valid {
			e.Before = []byte(before.String)
		}
		if after.Valid {
			e.After = []byte(after.String)
		}
		events = append(events, &e)
	}
	return events, rows.Err()
}

// Describe reads what a backup's manifest records, in one transaction: a
// restore compares it with the manifest.
func (db *DB) Describe(ctx context.Context) (*Snapshot, error) {
	opts := &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}
	if !db.dialect.isPostgres() {
		opts = nil // the read pool is query-only; a deferred transaction is one snapshot in WAL mode
	}
	tx, err := db.read.BeginTx(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("describe: %w", err)
	}
	defer tx.Rollback()
	return describe(ctx, tx, db.dialect)
}

// snapshotQueryer is a transaction or a database: what describe reads from.
type snapshotQueryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// describe reads the schema version, the row counts and the attachment
// contents of one consistent state.
func describe(ctx context.Context, q snapshotQueryer, d dialect) (*Snapshot, error) {
	exists := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1`
	if d.isPostgres() {
		exists = `SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = $1`
	}
	has := func(table string) (bool, error) {
		var n int
		err := q.QueryRowContext(ctx, exists, table).Scan(&n)
		return n > 0, err
	}
	snap := &Snapshot{Counts: map[string]int64{}}
	if ok, err := has("goose_db_version"); err != nil {
		return nil, fmt.Errorf("describe snapshot: %w", err)
	} else if ok {
		var v sql.NullInt64
		if err := q.QueryRowContext(ctx, `SELECT MAX(version_id) FROM goose_db_version`).Scan(&v); err != nil {
			return nil, fmt.Errorf("describe snapshot: schema version: %w", err)
		}
		snap.SchemaVersion = v.Int64
	}
	for _, table := range countedTables {
		ok, err := has(table)
		if err != nil {
			return nil, fmt.Errorf("describe snapshot: %w", err)
		} else if !ok {
			continue
		}
		var n int64
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
			return nil, fmt.Errorf("describe snapshot: count %s: %w", table, err)
		}
		snap.Counts[table] = n
	}
	if _, ok := snap.Counts["attachments"]; !ok {
		return snap, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT sha256, MAX(size) FROM attachments GROUP BY sha256 ORDER BY sha256`)
	if err != nil {
		return nil, fmt.Errorf("describe snapshot: attachments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var b Blob
		if err := rows.Scan(&b.SHA256, &b.Size); err != nil {
			return nil, err
		}
		snap.Blobs = append(snap.Blobs, b)
	}
	return snap, rows.Err()
}

// PostgresTool finds pg_dump or pg_restore on the PATH.
func PostgresTool(name string) (string, error) {
	path, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%s is not on the PATH: install the PostgreSQL client tools of the server's major version or newer (Debian and Ubuntu: apt install postgresql-client)", name)
	}
	return path, nil
}

// runTool runs a PostgreSQL client tool and turns a failure into an error
// with what it printed.
func runTool(ctx context.Context, path string, env []string, args ...string) error {
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 4000 {
			msg = msg[:4000] + "…"
		}
		return fmt.Errorf("%s failed (%v): %s", path, err, msg)
	}
	return nil
}

// libpqParams are the URL parameters libpq itself understands.
var libpqParams = []string{"host", "hostaddr", "port", "dbname", "user", "password", "passfile", "channel_binding",
	"connect_timeout", "client_encoding", "options", "application_name", "fallback_application_name", "keepalives",
	"keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout", "replication", "gssencmode",
	"sslmode", "requiressl", "sslcompression", "sslcert", "sslkey", "sslpassword", "sslcertmode", "sslrootcert",
	"sslcrl", "sslcrldir", "sslsni", "requirepeer", "ssl_min_protocol_version", "ssl_max_protocol_version",
	"krbsrvname", "gsslib", "gssdelegation", "service", "target_session_attrs", "load_balance_hosts", "sslnegotiation"}

// pgxOnlyParams configure pgx itself and mean nothing to the server.
var pgxOnlyParams = []string{"statement_cache_capacity", "description_cache_capacity", "default_query_exec_mode",
	"min_read_buffer_size", "krbspn", "servicefile"}

// libpqTarget turns the database URL, written for pgx, into one that
// pg_dump and pg_restore accept. The password moves to PGPASSWORD, out of
// the command line that ps shows; the server settings pgx sends from the
// URL (search_path=…) become libpq options.
func libpqTarget(dsn string) (string, []string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", nil, fmt.Errorf("--database-url: %w", err)
	}
	env := os.Environ()
	if u.User != nil {
		if pw, ok := u.User.Password(); ok {
			env = append(env, "PGPASSWORD="+pw)
			u.User = url.User(u.User.Username())
		}
	}
	q := u.Query()
	var options []string
	for key, values := range q {
		if slices.Contains(libpqParams, key) {
			continue
		}
		q.Del(key)
		if strings.HasPrefix(key, "pool_") || slices.Contains(pgxOnlyParams, key) || len(values) == 0 {
			continue
		}
		escaped := strings.NewReplacer(`\`, `\\`, " ", `\ `).Replace(values[0])
		options = append(options, "-c "+key+"="+escaped)
	}
	if len(options) > 0 {
		slices.Sort(options)
		q.Set("options", strings.TrimSpace(q.Get("options")+" "+strings.Join(options, " ")))
	}
	// libpq decodes %20 but not + as a space.
	u.RawQuery = strings.ReplaceAll(q.Encode(), "+", "%20")
	return u.String(), env, nil
}

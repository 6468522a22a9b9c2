package sqldb_test

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"assent"
	"assent/sqldb"
	"assent/sqldb/sqldbtest"
)

func TestKnownSchemaVersion(t *testing.T) {
	sqldbtest.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		current, known, err := db.SchemaVersion(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		got, err := sqldb.KnownSchemaVersion(db.Dialect())
		if err != nil || got != known || got != current {
			t.Fatalf("KnownSchemaVersion = %d, %v; the migrated database is at %d of %d", got, err, current, known)
		}
	})
}

func TestSnapshotSQLite(t *testing.T) {
	db := sqldbtest.Open(t, sqldbtest.SQLiteURL(t))
	mustCreateUser(t, db, "ada", assent.RoleMember)
	dst := filepath.Join(t.TempDir(), "copy.db")
	snap, err := db.SnapshotSQLite(t.Context(), dst)
	if err != nil {
		t.Fatal(err)
	}
	copied := sqldbtest.Open(t, dst)
	want, err := copied.Describe(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(snap, want) || snap.Counts["users"] != 1 || snap.Counts["events"] == 0 {
		t.Fatalf("snapshot %+v, the copy holds %+v", snap, want)
	}
}

// A dump restored elsewhere holds what the snapshot described, and its
// audit trail verifies; the URL carries settings for pgx that pg_dump and
// pg_restore do not know.
func TestDumpPostgres(t *testing.T) {
	withSettings := func(dsn string) string {
		u, _ := url.Parse(dsn)
		q := u.Query()
		q.Set("search_path", "public")
		q.Set("statement_cache_capacity", "64")
		u.RawQuery = q.Encode()
		return u.String()
	}
	db := sqldbtest.Open(t, withSettings(sqldbtest.PostgresDatabaseURL(t)))
	mustCreateUser(t, db, "ada", assent.RoleMember)
	mustSeal(t, db)
	mustCreateUser(t, db, "bob", assent.RoleMember) // left unsealed, as a backup may find it
	dump := filepath.Join(t.TempDir(), "assent.pgdump")
	snap, err := db.DumpPostgres(t.Context(), dump)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(dump); !bytes.HasPrefix(b, []byte("PGDMP")) {
		t.Fatalf("not a pg_dump archive: %.20q", b)
	}

	target, err := sqldb.Open(t.Context(), withSettings(sqldbtest.PostgresDatabaseURL(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()
	if err := target.RestorePostgres(t.Context(), dump); err != nil {
		t.Fatal(err)
	}
	if err := target.SealRestored(t.Context()); err != nil {
		t.Fatal(err)
	}
	got, err := target.Describe(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, snap) || got.Counts["users"] != 2 {
		t.Fatalf("restored %+v, the snapshot %+v", got, snap)
	}
	if r := mustVerify(t, target); !r.OK || r.Pending != 0 {
		t.Fatalf("verify after restore: %+v", r)
	}
	if err := target.RestorePostgres(t.Context(), dump); err == nil || !strings.Contains(err.Error(), "pg_restore") {
		t.Fatalf("a second restore into the same database: %v", err)
	}
}

// A database restored on another PostgreSQL server keeps the old server's
// transaction ids, which may run far ahead of the new server's: the events
// the backup held unsealed, and every new one, must still be sealed.
func TestSealRestored(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, dsn string) {
		db := sqldbtest.Open(t, dsn)
		mustCreateUser(t, db, "ada", assent.RoleMember)
		mustSeal(t, db)
		raw := openRaw(t, dsn)
		if sqldb.IsPostgresURL(dsn) {
			mustExec(t, raw, `UPDATE events SET xid = (xid::text::bigint + 1000000000)::text::xid8`)
			mustExec(t, raw, `UPDATE audit_anchor SET cursor_xid = cursor_xid + 1000000000`)
			mustExec(t, raw, `INSERT INTO events (time, actor, object_type, object_id, action, xid)
				VALUES ($1, 'test-admin', 'user', 'old', 'user.update', '2000000000'::xid8)`, time.Now().UnixMilli())
		} else {
			mustExec(t, raw, `INSERT INTO events (time, actor, object_type, object_id, action)
				VALUES ($1, 'test-admin', 'user', 'old', 'user.update')`, time.Now().UnixMilli())
		}

		if err := db.SealRestored(t.Context()); err != nil {
			t.Fatal(err)
		}
		if r := mustVerify(t, db); !r.OK || r.Pending != 0 {
			t.Fatalf("verify after sealing the restored events: %+v", r)
		}
		mustCreateUser(t, db, "bob", assent.RoleMember)
		if n := mustSeal(t, db); n != 1 {
			t.Fatalf("the sealer took %d new events, want 1", n)
		}
		if r := mustVerify(t, db); !r.OK || r.Pending != 0 {
			t.Fatalf("verify after a new event: %+v", r)
		}
	})
}

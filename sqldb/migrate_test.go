package sqldb_test

import (
	"io/fs"
	"path"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"assent/sqldb"
	"assent/sqldb/sqldbtest"
)

// migrationNames lists the SQL files of a dialect's migration folder.
func migrationNames(t *testing.T, dialect string) []string {
	t.Helper()
	files, err := sqldb.MigrationFiles(dialect)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			t.Errorf("%s: unexpected entry %s", dialect, e.Name())
			continue
		}
		names = append(names, e.Name())
	}
	return names
}

func TestMigrationFilesMatch(t *testing.T) {
	sqlite, postgres := migrationNames(t, "sqlite"), migrationNames(t, "postgres")
	if len(sqlite) == 0 {
		t.Fatal("no migrations embedded")
	}
	if diff := cmp.Diff(sqlite, postgres); diff != "" {
		t.Fatalf("the dialects' migrations differ (-sqlite +postgres):\n%s", diff)
	}
}

func TestMigrate(t *testing.T) {
	sqldbtest.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		current, known, err := db.SchemaVersion(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		names := migrationNames(t, db.Dialect())
		newest, _, _ := strings.Cut(names[len(names)-1], "_")
		want, err := strconv.ParseInt(newest, 10, 64)
		if err != nil {
			t.Fatalf("migration %s does not start with its version: %v", names[len(names)-1], err)
		}
		if known != want || current != known {
			t.Fatalf("schema at %d, binary knows %d, want both at %d (the newest file)", current, known, want)
		}
		// Migrating again, as every start does, changes nothing.
		if err := db.Migrate(t.Context()); err != nil {
			t.Fatal(err)
		}
		if again, _, err := db.SchemaVersion(t.Context()); err != nil || again != current {
			t.Fatalf("after a second migrate the schema is at %d (%v), was %d", again, err, current)
		}
	})
}

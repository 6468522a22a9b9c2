// Package sqldbtest opens real databases for tests: a SQLite file in a
// temporary directory, and a fresh PostgreSQL schema in the database named
// by ASSENT_TEST_POSTGRES_URL.
package sqldbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"assent/password"
	"assent/sqldb"
)

// PostgresEnv names the variable holding the PostgreSQL URL for tests.
const PostgresEnv = "ASSENT_TEST_POSTGRES_URL"

// RequireEnv, when set to 1 (CI sets it), turns a skip for a missing
// PostgreSQL or browser into a failure.
const RequireEnv = "ASSENT_TEST_REQUIRE_ALL"

// SkipOrFail skips the test, or fails it where everything is required.
func SkipOrFail(t testing.TB, why string) {
	t.Helper()
	if os.Getenv(RequireEnv) == "1" {
		t.Fatalf("%s, and %s=1 requires it", why, RequireEnv)
	}
	t.Skip(why)
}

// Each runs body as subtests "sqlite" and "postgres", each with the URL of
// an empty database of its own.
func Each(t *testing.T, body func(t *testing.T, dsn string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { body(t, SQLiteURL(t)) })
	t.Run("postgres", func(t *testing.T) { body(t, PostgresURL(t)) })
}

// EachDB is Each with the database opened and migrated.
func EachDB(t *testing.T, body func(t *testing.T, db *sqldb.DB)) {
	t.Helper()
	Each(t, func(t *testing.T, dsn string) { body(t, Open(t, dsn)) })
}

// SQLiteURL returns the path of a new SQLite database in a temporary directory.
func SQLiteURL(t testing.TB) string {
	return filepath.Join(t.TempDir(), "assent.db")
}

// PostgresURL creates a schema for this test, dropped when it ends, and
// returns a URL whose search_path points at it.
func PostgresURL(t testing.TB) string {
	t.Helper()
	schema := "t_" + randomName()
	u := createForTest(t, `CREATE SCHEMA `+schema, `DROP SCHEMA `+schema+` CASCADE`)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// PostgresDatabaseURL creates an empty database beside the one of
// ASSENT_TEST_POSTGRES_URL, dropped when the test ends, and returns its URL:
// for tools that take a whole database (pg_dump, pg_restore), where the
// schema of PostgresURL will not do.
func PostgresDatabaseURL(t testing.TB) string {
	t.Helper()
	name := "assent_t_" + randomName()
	u := createForTest(t, `CREATE DATABASE `+name, `DROP DATABASE `+name+` WITH (FORCE)`)
	u.Path = "/" + name
	return u.String()
}

// createForTest runs create on the database of ASSENT_TEST_POSTGRES_URL,
// and drop when the test ends, and returns that database's URL.
func createForTest(t testing.TB, create, drop string) *url.URL {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		SkipOrFail(t, PostgresEnv+" is not set")
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(create); err != nil {
		t.Fatalf("%s: %v", create, err)
	}
	t.Cleanup(func() {
		if admin, err := sql.Open("pgx", base); err == nil {
			admin.Exec(drop)
			admin.Close()
		}
	})
	return u
}

func randomName() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Open opens and migrates dsn with cheap password hashing, closing it when
// the test ends.
func Open(t testing.TB, dsn string) *sqldb.DB {
	t.Helper()
	db, err := sqldb.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.PasswordParams = password.Fast
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"assent"
	"assent/filestore"
	"assent/sqldb"
	"assent/sqldb/sqldbtest"
	"assent/web"
	"assent/wire"
)

// newAssentServer starts the real server on a real database and returns
// its URL, an admin's token and the database.
func newAssentServer(t *testing.T, dsn string) (string, string, *sqldb.DB) {
	t.Helper()
	db := sqldbtest.Open(t, dsn)
	blobs, err := filestore.New(filepath.Join(t.TempDir(), "attachments"))
	if err != nil {
		t.Fatal(err)
	}
	handler, err := web.NewServer(wire.Services(db, blobs), web.Config{Version: "test", Ready: db.Ping}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)

	sys := assent.NewContextWithUser(context.Background(), assent.SystemUser("setup"))
	if _, err := sqldb.NewUserService(db).CreateUser(sys, assent.NewUser{Username: "admin", Role: assent.RoleAdmin, Password: "password-admin"}); err != nil {
		t.Fatal(err)
	}
	_, token, err := sqldb.NewTokenService(db).CreateToken(sys, assent.NewToken{Username: "admin", Name: "load"})
	if err != nil {
		t.Fatal(err)
	}
	return srv.URL, token, db
}

// countGovernables counts the source's governable items of a kind.
func countGovernables(t *testing.T, db *sqldb.DB, kind string) int {
	t.Helper()
	ctx := assent.NewContextWithUser(context.Background(), assent.SystemUser("test"))
	n, cursor := 0, ""
	for {
		page, next, err := sqldb.NewGovernableService(db, sqldb.NewItemService(db)).FindGovernableItems(ctx,
			assent.GovernableFilter{Source: registrySource, Kind: kind, Limit: assent.MaxPageSize, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		n += len(page)
		if next == "" {
			return n
		}
		cursor = next
	}
}

func TestRegisterModels(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, dsn string) {
		url, token, db := newAssentServer(t, dsn)

		t.Run("OK", func(t *testing.T) {
			sc, ok := findScenario("register-models")
			if !ok {
				t.Fatal(`no "register-models" scenario`)
			}
			c, err := newClient(url, 2, 10*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			c.token = token
			ctx := context.Background()
			if err := sc.setup(ctx, c); err != nil {
				t.Fatal(err)
			}
			// Two workers, two models each, one request at a time.
			for w := range 2 {
				for i := range 2 * requestsPerModel {
					if err := sc.run(ctx, c, w, i); err != nil {
						t.Fatalf("worker %d, call %d: %v", w, i, err)
					}
				}
			}
			for kind, want := range map[string]int{"project": registryProjects, "model": 4, "model_version": 12} {
				if got := countGovernables(t, db, kind); got != want {
					t.Errorf("%d %s items, want %d", got, kind, want)
				}
			}
		})

		// The whole program against the same server: a second setup makes
		// objects of its own, and concurrent workers never miss a parent.
		t.Run("OKRunMain", func(t *testing.T) {
			code, stdout, _ := runMainTest(t, env{"ASSENT_TOKEN": token}, "--server", url, "--scenario", "register-models",
				"--clients", "4", "--warmup", "0", "--max-requests", "32", "--duration", "1m", "--json")
			if code != 0 {
				t.Fatalf("exit %d", code)
			}
			var s summary
			if err := json.Unmarshal([]byte(stdout), &s); err != nil {
				t.Fatal(err)
			}
			if s.Requests != 32 || s.Errors != 0 || s.P99ms <= 0 {
				t.Errorf("summary = %+v", s)
			}
			if got := countGovernables(t, db, "project"); got != 2*registryProjects {
				t.Errorf("%d projects after two setups, want %d", got, 2*registryProjects)
			}
			if got := countGovernables(t, db, "model") + countGovernables(t, db, "model_version"); got != 16+32 {
				t.Errorf("%d models and versions, want %d", got, 16+32)
			}
		})
	})
}

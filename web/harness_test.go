package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"assent"
	"assent/filestore"
	"assent/sqldb"
	"assent/sqldb/sqldbtest"
	"assent/templates"
	"assent/web"
	"assent/wire"
)

// caller is who sends a request in a scenario.
type caller string

const (
	anonymous caller = "anonymous"
	viewer    caller = "viewer"
	member    caller = "member"
	disabled  caller = "disabled"
	revoked   caller = "revoked"
	expired   caller = "expired"
	admin     caller = "admin"
)

// callers in the order scenarios try them: admin last, so that a request
// that creates something succeeds once, after every refusal.
var callers = []caller{anonymous, viewer, member, disabled, revoked, expired, admin}

// env is a real server on a real database with one account per caller.
type env struct {
	t      testing.TB
	db     *sqldb.DB
	srv    *httptest.Server
	server *web.Server
	tokens map[caller]string
	logs   *syncBuffer
}

// syncBuffer collects the server's logs so that tests can search them.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newEnv starts a server on dsn with users named after the callers; each
// has the password "password-<name>". The disabled user is disabled after
// its token was made, the revoked token revoked, and the clock moved past
// the expired token's expiry.
func newEnv(t testing.TB, dsn string) *env {
	return newEnvWith(t, dsn, web.Config{Version: "test"})
}

// newEnvWith is newEnv with a server configuration of the test's own.
func newEnvWith(t testing.TB, dsn string, cfg web.Config) *env {
	db := sqldbtest.Open(t, dsn)
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	blobs, err := filestore.New(filepath.Join(t.TempDir(), "attachments"))
	if err != nil {
		t.Fatal(err)
	}
	handler, err := web.NewServer(wire.Services(db, blobs), cfgWithReady(cfg, db.Ping), logger)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	e := &env{t: t, db: db, srv: srv, server: handler, tokens: map[caller]string{}, logs: logs}

	sys := assent.NewContextWithUser(context.Background(), assent.SystemUser("setup"))
	users, tokens := sqldb.NewUserService(db), sqldb.NewTokenService(db)
	role := map[caller]assent.Role{viewer: assent.RoleViewer, member: assent.RoleMember, disabled: assent.RoleMember,
		revoked: assent.RoleMember, expired: assent.RoleMember, admin: assent.RoleAdmin}
	for _, c := range callers[1:] {
		if _, err := users.CreateUser(sys, assent.NewUser{Username: string(c), Role: role[c], Password: "password-" + string(c)}); err != nil {
			t.Fatal(err)
		}
		n := assent.NewToken{Username: string(c), Name: "test"}
		if c == expired {
			at := time.Now().Add(time.Hour)
			n.ExpiresAt = &at
		}
		tok, secret, err := tokens.CreateToken(sys, n)
		if err != nil {
			t.Fatal(err)
		}
		e.tokens[c] = secret
		if c == revoked {
			if err := tokens.RevokeToken(sys, tok.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	standard, err := templates.Standard()
	if err != nil {
		t.Fatal(err)
	}
	if err := sqldb.NewTemplateService(db).EnsureBuiltinTemplates(sys, standard); err != nil {
		t.Fatal(err)
	}
	yes := true
	if _, err := users.UpdateUser(sys, string(disabled), assent.UserUpdate{Disabled: &yes}); err != nil {
		t.Fatal(err)
	}
	db.Now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	return e
}

// do sends a JSON request as c and returns the status and body.
func (e *env) do(c caller, method, path, body string) (int, string) {
	e.t.Helper()
	return e.send(c, method, path, "application/json", strings.NewReader(body))
}

// send sends a request with a body of the given type as c (with its token,
// if it has one) and extra headers in pairs, and returns status and body.
func (e *env) send(c caller, method, path, contentType string, body io.Reader, header ...string) (int, string) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if tok := e.tokens[c]; tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// decode parses a JSON body into v or fails the test.
func decode(t *testing.T, body string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("decode %q: %v", body, err)
	}
}

func cfgWithReady(cfg web.Config, ping func(context.Context) error) web.Config {
	cfg.Ready = ping
	return cfg
}

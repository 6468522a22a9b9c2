package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"assent/sqldb/sqldbtest"
)

// run runs one offline command through the real Main and returns its output.
func run(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	m := &Main{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut}
	err := m.Run(context.Background(), append([]string{"assent"}, args...))
	return out.String() + errOut.String(), err
}

// mustRun is run that fails the test on error.
func mustRun(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	out, err := run(t, stdin, args...)
	if err != nil {
		t.Fatalf("assent %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// serve starts `assent serve` through the real Main and returns its URL
// and a function that stops it with the signal SIGTERM would send.
func serve(t *testing.T, args ...string) (string, func() error) {
	t.Helper()
	url, stop, _ := serveWithOutput(t, args...)
	return url, stop
}

// serveWithOutput is serve that also returns what the server printed
// before it listened.
func serveWithOutput(t *testing.T, args ...string) (string, func() error, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	urls := make(chan string, 1)
	var out bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: io.Discard, OnListen: func(u string) { urls <- u }}
	done := make(chan error, 1)
	go func() {
		done <- m.Run(ctx, slices.Concat([]string{"assent"}, args, []string{"serve", "--addr", "127.0.0.1:0"}))
	}()
	select {
	case u := <-urls:
		stop := func() error { cancel(); return <-done }
		t.Cleanup(func() { cancel() })
		return u, stop, out.String() // written before OnListen, so no race
	case err := <-done:
		t.Fatalf("serve exited: %v\n%s", err, out.String())
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}
	return "", nil, ""
}

func request(t *testing.T, method, url, token, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestMain_EndToEnd runs the binary's Main on a temporary data directory:
// first start, the API, offline commands on the same database, a clean
// shutdown and a verified audit trail.
func TestMain_EndToEnd(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, dsn string) {
		dbFlags := []string{"--data-dir", filepath.Join(t.TempDir(), "data"), "--log-level", "warn"}
		if strings.HasPrefix(dsn, "postgres") {
			dbFlags = append(dbFlags, "--database-url", dsn)
		}
		t.Setenv("ASSENT_ADMIN_PASSWORD", "first-admin-password")
		url, stop := serve(t, dbFlags...)

		status, body := request(t, "POST", url+"/api/v1/auth/tokens", "", `{"username":"admin","password":"first-admin-password","name":"e2e"}`)
		if status != http.StatusCreated {
			t.Fatalf("sign in: %d %s", status, body)
		}
		var tok struct{ Token string }
		json.Unmarshal([]byte(body), &tok)
		if status, body := request(t, "GET", url+"/api/v1/me", tok.Token, ""); status != 200 || !strings.Contains(body, `"role":"admin"`) {
			t.Fatalf("me: %d %s", status, body)
		}
		if status, _ := request(t, "GET", url+"/readyz", "", ""); status != 200 {
			t.Fatalf("readyz: %d", status)
		}

		// Offline commands work on the same database while the server runs.
		mustRun(t, "ada-password-1\n", append(dbFlags, "users", "create", "ada", "--role", "member", "--email", "ada@example.com", "--password-stdin")...)
		out := mustRun(t, "", append(dbFlags, "tokens", "create", "--user", "ada", "--expires", "30d")...)
		adaToken := strings.TrimSpace(strings.Split(out, "\n")[0])
		if status, body := request(t, "GET", url+"/api/v1/me", adaToken, ""); status != 200 || !strings.Contains(body, `"username":"ada"`) {
			t.Fatalf("ada's CLI token: %d %s", status, body)
		}
		mustRun(t, "", append(dbFlags, "groups", "create", "risk", "--description", "Risk office")...)
		mustRun(t, "", append(dbFlags, "groups", "add", "risk", "ada", "admin")...)
		mustRun(t, "", append(dbFlags, "groups", "remove", "risk", "admin")...)
		if out := mustRun(t, "", append(dbFlags, "groups", "list")...); !strings.Contains(out, "risk") || !strings.Contains(out, "ada") || strings.Contains(out, "ada,admin") {
			t.Fatalf("groups list:\n%s", out)
		}
		mustRun(t, "", append(dbFlags, "users", "set-role", "ada", "viewer")...)
		if out := mustRun(t, "", append(dbFlags, "users", "list")...); !strings.Contains(out, "ada") || !strings.Contains(out, "viewer") {
			t.Fatalf("users list:\n%s", out)
		}
		mustRun(t, "", append(dbFlags, "users", "disable", "ada")...)
		if status, _ := request(t, "GET", url+"/api/v1/me", adaToken, ""); status != http.StatusUnauthorized {
			t.Fatalf("disabled ada's token: %d, want 401", status)
		}
		if _, err := run(t, "", append(dbFlags, "users", "create", "ada")...); err == nil || !strings.Contains(err.Error(), "taken") {
			t.Fatalf("duplicate user: %v", err)
		}
		out = mustRun(t, "", append(dbFlags, "users", "set-password", "admin")...)
		if !strings.Contains(out, "password: ") {
			t.Fatalf("set-password without stdin prints the new password:\n%s", out)
		}

		if err := stop(); err != nil {
			t.Fatalf("shutdown: %v", err)
		}
		out = mustRun(t, "", append(dbFlags, "audit", "verify")...)
		if !strings.HasPrefix(out, "ok: ") || !strings.Contains(out, " 0 pending") {
			t.Fatalf("audit verify after shutdown:\n%s", out)
		}
		if out := mustRun(t, "", append(dbFlags, "migrate")...); !strings.Contains(out, "schema version") {
			t.Fatalf("migrate: %s", out)
		}

		// A second start on the existing database keeps the admin's new password.
		url, stop = serve(t, dbFlags...)
		if status, _ := request(t, "POST", url+"/api/v1/auth/tokens", "", `{"username":"admin","password":"first-admin-password"}`); status != http.StatusUnauthorized {
			t.Fatalf("old admin password after set-password: %d", status)
		}
		if err := stop(); err != nil {
			t.Fatal(err)
		}
	})
}

func TestMain_AuditVerifyNeedsADatabase(t *testing.T) {
	_, err := run(t, "", "--data-dir", filepath.Join(t.TempDir(), "nothing"), "audit", "verify")
	if err == nil || !strings.Contains(err.Error(), "no database at") {
		t.Fatalf("verify of a missing database: %v", err)
	}
}

func TestMain_Version(t *testing.T) {
	if out := mustRun(t, "", "version"); !strings.HasPrefix(out, "assent dev") {
		t.Fatalf("version: %q", out)
	}
}

func TestMain_HelpListsEnvironment(t *testing.T) {
	out := mustRun(t, "", "serve", "--help")
	for _, v := range []string{"ASSENT_ADDR", "ASSENT_DATA_DIR", "ASSENT_DATABASE_URL", "ASSENT_LOG_FORMAT", "ASSENT_ADMIN_PASSWORD", `default: ":8080"`} {
		if !strings.Contains(out, v) {
			t.Errorf("serve --help lacks %s", v)
		}
	}
}

func TestMain_FirstStartPrintsPasswordOnce(t *testing.T) {
	dbFlags := []string{"--data-dir", t.TempDir(), "--log-level", "warn"}
	t.Setenv("ASSENT_ADMIN_PASSWORD", "")
	url, stop, out := serveWithOutput(t, dbFlags...)
	_, pw, ok := strings.Cut(out, "sign in as admin with the password ")
	if !ok {
		t.Fatalf("first start printed no password:\n%s", out)
	}
	pw = strings.Fields(pw)[0]
	body := `{"username":"admin","password":"` + pw + `"}`
	if status, resp := request(t, "POST", url+"/api/v1/auth/tokens", "", body); status != http.StatusCreated {
		t.Fatalf("sign in with the printed password: %d %s", status, resp)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	_, stop, out = serveWithOutput(t, dbFlags...)
	if strings.Contains(out, "password") {
		t.Fatalf("second start printed a password again:\n%s", out)
	}
	stop()
}

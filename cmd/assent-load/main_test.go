package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
)

// env is a fake environment for runMain.
type env map[string]string

func (e env) get(name string) string { return e[name] }

// runMainTest runs the program as a user would and returns its exit code
// and output.
func runMainTest(t *testing.T, e env, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = runMain(context.Background(), args, e.get, &out, &errOut)
	t.Logf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
	return code, out.String(), errOut.String()
}

func TestRunMain(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		f := newFakeServer(t)
		e := env{"ASSENT_SERVER": f.URL, "ASSENT_ADMIN_PASSWORD": "secret"}
		code, stdout, stderr := runMainTest(t, e, "--clients", "4", "--duration", "200ms", "--warmup", "50ms", "--json")

		if code != 0 {
			t.Fatalf("exit %d", code)
		}
		var s summary
		if err := json.Unmarshal([]byte(stdout), &s); err != nil {
			t.Fatalf("stdout is not one JSON object: %v", err)
		}
		if s.Scenario != "me" || s.Clients != 4 || s.Requests == 0 || s.Errors != 0 || s.Throughput <= 0 || s.P50ms <= 0 {
			t.Errorf("summary = %+v", s)
		}
		if f.logins.Load() != 1 || f.badAuth.Load() != 0 {
			t.Errorf("logins = %d, bad auth = %d; want one token minted and used throughout", f.logins.Load(), f.badAuth.Load())
		}
		for _, want := range []string{"scenario me: 4 clients, 200ms (after 50ms warm-up)", "requests ", "latency p50 "} {
			if !strings.Contains(stderr, want) {
				t.Errorf("text output lacks %q", want)
			}
		}
	})

	t.Run("OKWithToken", func(t *testing.T) {
		f := newFakeServer(t)
		code, stdout, _ := runMainTest(t, env{"ASSENT_TOKEN": fakeToken},
			"--server", f.URL, "--max-requests", "20", "--warmup", "0", "--clients", "2")
		if code != 0 || !strings.Contains(stdout, "requests 20  errors 0") {
			t.Errorf("exit %d, stdout %q", code, stdout)
		}
		// 20 measured and one to check the token first.
		if f.logins.Load() != 0 || f.me.Load() != 21 {
			t.Errorf("logins = %d, /me = %d; want 0 and 21", f.logins.Load(), f.me.Load())
		}
	})

	t.Run("ErrTooManyErrors", func(t *testing.T) {
		f := newFakeServer(t)
		f.failEvery.Store(10)
		code, stdout, stderr := runMainTest(t, env{"ASSENT_TOKEN": fakeToken},
			"--server", f.URL, "--duration", "200ms", "--warmup", "0")
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		if !strings.Contains(stdout, "500 Internal Server Error") || !strings.Contains(stderr, "failed:") {
			t.Errorf("error not reported")
		}
	})

	t.Run("ErrUnreachable", func(t *testing.T) {
		srv := httptest.NewServer(nil)
		url := srv.URL
		srv.Close() // nothing listens there now
		code, _, stderr := runMainTest(t, env{"ASSENT_ADMIN_PASSWORD": "secret"}, "--server", url, "--duration", "100ms")
		if code != 1 || !strings.Contains(stderr, "minting a token") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})

	t.Run("ErrWrongPassword", func(t *testing.T) {
		f := newFakeServer(t)
		code, _, stderr := runMainTest(t, env{"ASSENT_ADMIN_PASSWORD": "wrong"}, "--server", f.URL)
		if code != 1 || !strings.Contains(stderr, "401 Unauthorized: Invalid username or password.") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})

	t.Run("ErrNoCredentials", func(t *testing.T) {
		f := newFakeServer(t)
		code, _, stderr := runMainTest(t, env{}, "--server", f.URL)
		if code != 1 || !strings.Contains(stderr, "no credentials") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})

	t.Run("ErrUsage", func(t *testing.T) {
		for _, args := range [][]string{
			{"--scenario", "nope"},
			{"--clients", "0"},
			{"--duration", "0s"},
			{"--server", "127.0.0.1:8080"},
			{"--bogus"},
			{"extra"},
		} {
			if code, _, _ := runMainTest(t, env{"ASSENT_TOKEN": "x"}, args...); code != 2 {
				t.Errorf("%q: exit %d, want 2", args, code)
			}
		}
	})

	t.Run("List", func(t *testing.T) {
		code, stdout, _ := runMainTest(t, env{}, "--list")
		if code != 0 || !strings.Contains(stdout, "me ") || !strings.Contains(stdout, "timeline ") {
			t.Errorf("exit %d, stdout %q", code, stdout)
		}
	})

	t.Run("HelpHidesSecrets", func(t *testing.T) {
		_, _, stderr := runMainTest(t, env{"ASSENT_ADMIN_PASSWORD": "hunter2", "ASSENT_TOKEN": "assent_secret"}, "-h")
		if strings.Contains(stderr, "hunter2") || strings.Contains(stderr, "assent_secret") {
			t.Errorf("-h shows a secret:\n%s", stderr)
		}
	})
}

func TestScenarios(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range scenarios {
		if s.name == "" || s.about == "" || s.run == nil || seen[s.name] {
			t.Errorf("scenario %q: needs a unique name, an about line and run", s.name)
		}
		seen[s.name] = true
	}
}

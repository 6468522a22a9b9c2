package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// signIn mints an API token for user with password at url.
func signIn(t *testing.T, url, user, password string) string {
	t.Helper()
	status, body := request(t, "POST", url+"/api/v1/auth/tokens", "", `{"username":"`+user+`","password":"`+password+`","name":"test"}`)
	if status != http.StatusCreated {
		t.Fatalf("sign in as %s: %d %s", user, status, body)
	}
	var tok struct{ Token string }
	if err := json.Unmarshal([]byte(body), &tok); err != nil || tok.Token == "" {
		t.Fatalf("sign in as %s: %v %s", user, err, body)
	}
	return tok.Token
}

const pushBatch = `{"items":[
	{"kind":"project","key":"P1","name":"Fraud"},
	{"kind":"model","key":"P1.m","parent":"P1","name":"Predict fraud","attributes":{"target":"fraud"}},
	{"kind":"model_version","key":"P1.m.v1","parent":"P1.m","name":"v1","attributes":{"active":true}}
]}`

func TestMain_Push(t *testing.T) {
	t.Setenv("ASSENT_ADMIN_PASSWORD", "push-admin-password")
	url, stop := serve(t, "--data-dir", t.TempDir(), "--log-level", "warn")
	defer stop()
	token := signIn(t, url, "admin", "push-admin-password")
	if status, body := request(t, "PUT", url+"/api/v1/sources/ml-platform", token, `{"kind":"push","display_name":"ML platform"}`); status != http.StatusCreated {
		t.Fatalf("register source: %d %s", status, body)
	}
	file := filepath.Join(t.TempDir(), "batch.json")
	if err := os.WriteFile(file, []byte(pushBatch), 0o600); err != nil {
		t.Fatal(err)
	}
	push := []string{"push", "--server", url + "/", "--token", token, "--source", "ml-platform"}

	t.Run("OKFile", func(t *testing.T) {
		out := mustRun(t, "", append(push, file)...)
		if want := "created 3, updated 0, unchanged 0, deleted 0, governed 0\n"; out != want {
			t.Fatalf("push printed %q, want %q", out, want)
		}
	})

	t.Run("OKStdinJSON", func(t *testing.T) {
		changed := strings.Replace(pushBatch, `"name":"v1"`, `"name":"Random forest - v1"`, 1)
		out := mustRun(t, changed, append(push, "--json", "-")...)
		var res struct {
			Created, Updated, Unchanged int
			Items                       []struct{ Key, ID string }
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("--json printed %q: %v", out, err)
		}
		if res.Created != 0 || res.Updated != 1 || res.Unchanged != 2 || len(res.Items) != 3 || res.Items[2].Key != "P1.m.v1" || res.Items[2].ID == "" {
			t.Fatalf("--json printed %s", out)
		}
		if strings.Contains(out, token) {
			t.Fatal("push printed the token")
		}
	})

	t.Run("ErrBadParent", func(t *testing.T) {
		bad := `{"items":[{"kind":"model","key":"m2","parent":"P1","name":"m2"},{"kind":"model_version","key":"m2.v1","parent":"NOPE","name":"v1"}]}`
		out, err := run(t, bad, append(push, "-")...)
		if err == nil {
			t.Fatalf("push of a bad parent succeeded:\n%s", out)
		}
		for _, want := range []string{"422", "items[1].parent: ", `"NOPE"`} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error lacks %q:\n%v", want, err)
			}
		}
	})

	t.Run("ErrBadToken", func(t *testing.T) {
		_, err := run(t, "", "push", "--server", url, "--token", "assent_wrong", "--source", "ml-platform", file)
		if err == nil || !strings.Contains(err.Error(), "401") {
			t.Fatalf("push with a bad token: %v", err)
		}
		if strings.Contains(err.Error(), "assent_wrong") {
			t.Fatalf("the error shows the token: %v", err)
		}
	})

	t.Run("ErrUnknownSource", func(t *testing.T) {
		_, err := run(t, "", "push", "--server", url, "--token", token, "--source", "nowhere", file)
		if err == nil || !strings.Contains(err.Error(), "404") || !strings.Contains(err.Error(), "not registered") {
			t.Fatalf("push to an unknown source: %v", err)
		}
	})

	t.Run("ErrNotJSON", func(t *testing.T) {
		_, err := run(t, "items: []", append(push, "-")...)
		if err == nil || !strings.Contains(err.Error(), "standard input is not a JSON object") {
			t.Fatalf("push of YAML: %v", err)
		}
	})

	t.Run("ErrTooLarge", func(t *testing.T) {
		big := filepath.Join(t.TempDir(), "big.json")
		f, err := os.Create(big)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(maxPushBytes + 1); err != nil { // sparse: no disk used
			t.Fatal(err)
		}
		f.Close()
		_, err = run(t, "", append(push, big)...)
		if err == nil || !strings.Contains(err.Error(), "at most 64 MiB") {
			t.Fatalf("push of a file over 64 MiB: %v", err)
		}
	})
}

func TestMain_PushNeedsTokenAndSource(t *testing.T) {
	t.Setenv("ASSENT_TOKEN", "")
	t.Setenv("ASSENT_SOURCE", "")
	os.Unsetenv("ASSENT_TOKEN")
	os.Unsetenv("ASSENT_SOURCE")
	_, err := run(t, "{}", "push", "-")
	if err == nil || !strings.Contains(err.Error(), "token") || !strings.Contains(err.Error(), "source") {
		t.Fatalf("push without token and source: %v", err)
	}
	t.Setenv("ASSENT_TOKEN", "")
	_, err = run(t, "{}", "push", "--source", "s", "-")
	if err == nil || !strings.Contains(err.Error(), "push needs a token") {
		t.Fatalf("push with an empty ASSENT_TOKEN: %v", err)
	}
}

func TestMain_PushHelpHidesToken(t *testing.T) {
	t.Setenv("ASSENT_TOKEN", "assent_very_secret")
	out := mustRun(t, "", "push", "--help")
	if strings.Contains(out, "assent_very_secret") {
		t.Fatalf("push --help shows the token:\n%s", out)
	}
	for _, v := range []string{"ASSENT_SERVER", "ASSENT_TOKEN", "ASSENT_SOURCE", "http://localhost:8080"} {
		if !strings.Contains(out, v) {
			t.Errorf("push --help lacks %s", v)
		}
	}
}

package main

import (
	"net/http"
	"strings"
	"testing"
)

// TestMain_CheckDeploy runs check-deploy against a real server with the
// demo's targets: v2 is not governed there, so each policy answers
// differently; then the admin approves nothing but relaxes prod.
func TestMain_CheckDeploy(t *testing.T) {
	t.Setenv("ASSENT_ADMIN_PASSWORD", "check-admin-password")
	t.Setenv("ASSENT_DEMO", "true")
	url, stop := serve(t, "--data-dir", t.TempDir(), "--log-level", "warn")
	defer stop()
	token := signIn(t, url, "admin", "check-admin-password")
	check := func(target string, extra ...string) (string, int) {
		t.Helper()
		args := append([]string{"check-deploy", "--server", url, "--token", token, "--target", target}, extra...)
		out, err := run(t, "", args...)
		if err == nil {
			return out, 0
		}
		return out + err.Error(), exitCode(err)
	}
	v2 := []string{"--source", "design-node", "--key", "GOVERN_TUTORIAL.authorized_flag.v2"}

	for _, tt := range []struct {
		target string
		code   int
		want   string
	}{
		{"design-dev", 0, "allow: design-dev (policy NO_CHECK, stage dev)\n  info NO_CHECK: "},
		{"automation-staging", exitWarn, "warn: automation-staging (policy WARN, stage test)\n  warning NOT_GOVERNED: "},
		{"automation-prod", exitBlock, "block: automation-prod (policy PREVENT, stage prod)\n  error NOT_GOVERNED: "},
	} {
		out, code := check(tt.target, v2...)
		if code != tt.code || !strings.HasPrefix(out, tt.want) {
			t.Errorf("%s: exit %d, printed %q; want exit %d and %q", tt.target, code, out, tt.code, tt.want)
		}
	}
	if status, body := request(t, "PUT", url+"/api/v1/deployment-targets/automation-prod", token, `{"stage":"prod","policy":"NO_CHECK"}`); status != http.StatusOK {
		t.Fatalf("relax prod: %d %s", status, body)
	}
	if out, code := check("automation-prod", v2...); code != 0 {
		t.Errorf("prod without checks: exit %d\n%s", code, out)
	}
	if out, code := check("automation-prod", "--json", "--item", "gi_nope"); code != 1 || !strings.Contains(out, "404") {
		t.Errorf("unknown item: exit %d\n%s", code, out)
	}
	if out, code := check("moon", v2...); code != 1 || !strings.Contains(out, `No deployment target "moon"`) {
		t.Errorf("unknown target: exit %d\n%s", code, out)
	}
	if out, code := check("automation-prod"); code != 1 || !strings.Contains(out, "--item, or --source and --key") {
		t.Errorf("no item: exit %d\n%s", code, out)
	}
	if status, body := request(t, "GET", url+"/api/v1/deployments?target=automation-prod", token, ""); status != 200 || strings.Contains(body, token) {
		t.Fatalf("history: %d", status)
	}
}

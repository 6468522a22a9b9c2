package main

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

func TestMain_SMTPFlags(t *testing.T) {
	t.Setenv("ASSENT_ADMIN_PASSWORD", "smtp-admin-password")
	for k, v := range map[string]string{"ASSENT_SMTP_HOST": "mail.example.com", "ASSENT_SMTP_PORT": "2525", "ASSENT_SMTP_USERNAME": "assent",
		"ASSENT_SMTP_PASSWORD": "s3cret-smtp-pw", "ASSENT_SMTP_SENDER": "Assent <assent@example.com>"} {
		t.Setenv(k, v)
	}
	url, stop, logs := serveWithOutput(t, "--data-dir", filepath.Join(t.TempDir(), "data"))
	token := signIn(t, url, "admin", "smtp-admin-password")
	status, body := request(t, "GET", url+"/api/v1/settings/email", token, "")
	if status != http.StatusOK || !strings.Contains(body, `"host":"mail.example.com"`) || !strings.Contains(body, `"port":2525`) ||
		!strings.Contains(body, `"password_set":true`) || !strings.Contains(body, `"enabled":true`) {
		t.Fatalf("settings: %d %s", status, body)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(body, "s3cret-smtp-pw") || strings.Contains(logs, "s3cret-smtp-pw") {
		t.Fatal("the SMTP password was shown or logged")
	}
}

package web_test

import (
	"strings"
	"testing"

	"assent/sqldb/sqldbtest"
)

func TestWebhooksAPIRefusals(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		if status, body := e.do(member, "POST", "/api/v1/webhooks", `{"url":"https://hooks.example.com/x","event_types":["*"]}`); status != 403 {
			t.Fatalf("member creates a webhook: %d %s", status, body)
		}
		for _, bad := range []struct{ body, location, says string }{
			{`{"url":"http://127.0.0.1:8080/x","event_types":["*"]}`, "url", "private or loopback"},
			{`{"url":"http://10.1.2.3/x","event_types":["*"]}`, "url", "private or loopback"},
			{`{"url":"ftp://hooks.example.com/x","event_types":["*"]}`, "url", "http or https"},
			{`{"url":"http://10.1.2.3/x","event_types":["sign*off"]}`, "event_types[0]", "prefix such as signoff.*"},
			{`{"url":"http://10.1.2.3/x","event_types":[]}`, "event_types", "at least one"},
		} {
			status, body := e.do(admin, "POST", "/api/v1/webhooks", bad.body)
			if status != 422 || !strings.Contains(body, `"location":"`+bad.location+`"`) || !strings.Contains(body, bad.says) {
				t.Errorf("%s: %d %s", bad.body, status, body)
			}
		}
		if status, body := e.do(admin, "GET", "/api/v1/webhooks/wh_nope/deliveries", ""); status != 404 {
			t.Fatalf("deliveries of an unknown webhook: %d %s", status, body)
		}
	})
}

package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"assent"
	"assent/notify"
	"assent/sqldb"
	"assent/sqldb/sqldbtest"
)

func TestWebhookPages(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		adminB, memberB := e.browser(t), e.browser(t)
		adminB.signIn("admin")
		memberB.signIn("member")
		sys := assent.NewContextWithUser(context.Background(), assent.SystemUser("setup"))

		// ErrForbidden
		{
			memberB.getStatus("/admin/webhooks", http.StatusForbidden)
			if resp, _ := memberB.do("POST", "/admin/webhooks", url.Values{"url": {"https://203.0.113.5/hook"}, "event_types": {"*"}}); resp.StatusCode != http.StatusForbidden {
				t.Fatalf("a member creates a webhook: %d", resp.StatusCode)
			}
		}

		// ErrPrivateURL
		{
			resp, page := adminB.do("POST", "/admin/webhooks", url.Values{"url": {"http://127.0.0.1:9/hook"}, "event_types": {"source.*, sign*off"}})
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("%d", resp.StatusCode)
			}
			for _, name := range []string{"url", "event_types"} {
				if !regexp.MustCompile(`name="` + name + `"[^>]*aria-invalid="true"`).MatchString(page) {
					t.Errorf("%s is not marked invalid", name)
				}
			}
			mustContain(t, "the refused form", page, "private or loopback", "“sign*off”", `value="http://127.0.0.1:9/hook"`)
		}

		// SecretShownOnce
		{
			// A literal public address needs no DNS; nothing is sent to it.
			form := url.Values{"url": {"https://203.0.113.5/hook"}, "event_types": {"item.create item.update"}, "secret": {"a-secret-of-twenty-chars"}}
			resp, body := adminB.do("POST", "/admin/webhooks", form)
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/admin/webhooks/wh_") {
				t.Fatalf("create: %d %s %.2000s", resp.StatusCode, resp.Header.Get("Location"), body)
			}
			loc := resp.Header.Get("Location")
			mustContain(t, "the new webhook", adminB.get(loc), "Webhook created.", `value="a-secret-of-twenty-chars"`, "<code>item.create</code> <code>item.update</code>")
			if strings.Contains(adminB.get(loc), "a-secret-of-twenty-chars") {
				t.Error("the secret is shown twice")
			}
		}

		var calls atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if calls.Add(1) == 1 {
				w.WriteHeader(http.StatusInternalServerError)
			}
		}))
		t.Cleanup(srv.Close)
		hooks := sqldb.NewWebhookService(e.db)
		hooks.AllowPrivate = true
		hook, _, err := hooks.CreateWebhook(sys, assent.NewWebhook{URL: srv.URL + "/hook", EventTypes: []string{"source.*"}})
		if err != nil {
			t.Fatal(err)
		}
		markup, _, err := hooks.CreateWebhook(sys, assent.NewWebhook{URL: srv.URL + "/<script>alert(1)</script>", EventTypes: []string{"nothing.here"}})
		if err != nil {
			t.Fatal(err)
		}

		// DeliveryLog
		{
			if _, _, err := sqldb.NewSourceService(e.db).PutSource(sys, "mlflow", assent.SourceUpdate{}); err != nil {
				t.Fatal(err)
			}
			w := notify.NewWorker(sqldb.NewOutboxService(e.db), notify.NewClient(true), slog.New(slog.DiscardHandler))
			w.BaseBackoff, w.MaxBackoff, w.Poll = time.Millisecond, 5*time.Millisecond, time.Millisecond
			for deadline := time.Now().Add(10 * time.Second); calls.Load() < 2; time.Sleep(5 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("%d calls after 10 s", calls.Load())
				}
				if _, err := w.Round(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			page := adminB.get("/admin/webhooks/" + hook.ID)
			mustContain(t, "the delivery log", page, "<code>source.create</code>", `<td class="status-delivered">delivered`,
				`<td class="attempts">2</td>`, `<td class="code">500</td>`, `<td class="code">200</td>`, "answered 500", " ms</td>")
			if n := strings.Count(page, `<tr class="attempt">`); n != 2 {
				t.Errorf("%d attempts shown, want 2", n)
			}
			list := adminB.get("/admin/webhooks")
			mustContain(t, "the webhooks page", list, `href="/admin/webhooks" aria-current="page"`, `<a href="/admin/webhooks/`+hook.ID+`">`, "<code>source.*</code>")
		}

		// Disable
		{
			resp, _ := adminB.do("POST", "/admin/webhooks/"+hook.ID+"/disable", url.Values{"back": {"list"}})
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/webhooks" {
				t.Fatalf("disable: %d %s", resp.StatusCode, resp.Header.Get("Location"))
			}
			mustContain(t, "the disabled webhook", adminB.get("/admin/webhooks"), "Webhook disabled.", `action="/admin/webhooks/`+hook.ID+`/enable"`)
			if resp, _ := memberB.do("POST", "/admin/webhooks/"+hook.ID+"/enable", url.Values{}); resp.StatusCode != http.StatusForbidden {
				t.Fatalf("a member enables a webhook: %d", resp.StatusCode)
			}
			if resp, _ := adminB.do("POST", "/admin/webhooks/"+hook.ID+"/enable", url.Values{}); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("enable: %d", resp.StatusCode)
			}
			mustContain(t, "the enabled webhook", adminB.get("/admin/webhooks/"+hook.ID), "Webhook enabled", `action="/admin/webhooks/`+hook.ID+`/disable"`)
		}

		// HTMLEscaped
		{
			for _, path := range []string{"/admin/webhooks", "/admin/webhooks/" + markup.ID} {
				page := adminB.get(path)
				if strings.Contains(page, "<script>alert(1)") || !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
					t.Errorf("%s does not escape the webhook's URL", path)
				}
			}
			adminB.getStatus("/admin/webhooks/wh_nope", http.StatusNotFound)
		}
	})
}

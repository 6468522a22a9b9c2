package web_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"assent/sqldb/sqldbtest"
)

// mailbox is an SMTP server inside the test process (127.0.0.1, no TLS)
// that keeps the envelope and data of every message.
type mailbox struct {
	Port int
	mu   sync.Mutex
	got  []string // "to|data"
}

func startMailbox(t *testing.T) *mailbox {
	t.Helper()
	mb := &mailbox{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &mailboxSession{mb: mb}, nil }))
	srv.Domain, srv.AllowInsecureAuth = "localhost", true
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	mb.Port = l.Addr().(*net.TCPAddr).Port
	return mb
}

func (mb *mailbox) messages() []string {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	return append([]string(nil), mb.got...)
}

type mailboxSession struct {
	mb *mailbox
	to []string
}

func (x *mailboxSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (x *mailboxSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(string, string, string) error { return nil }), nil
}
func (x *mailboxSession) Mail(string, *smtp.MailOptions) error { return nil }
func (x *mailboxSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = append(x.to, to)
	return nil
}
func (x *mailboxSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.mb.mu.Lock()
	x.mb.got = append(x.mb.got, strings.Join(x.to, ",")+"|"+string(b))
	x.mb.mu.Unlock()
	return nil
}
func (x *mailboxSession) Reset()        { x.to = nil }
func (x *mailboxSession) Logout() error { return nil }

// closedPort is a port on 127.0.0.1 where nothing listens.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

const smtpSecret = "Sm7p-s3cret-pw"

func TestEmailSettingsAPI(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		mb := startMailbox(t)
		settings := func(port int) string {
			return fmt.Sprintf(`{"enabled":true,"host":"127.0.0.1","port":%d,"tls":"none","username":"","sender":"Assent <assent@example.com>"}`, port)
		}

		t.Run("AdminsOnly", func(t *testing.T) {
			for _, c := range []caller{anonymous, viewer, member} {
				want := 403
				if c == anonymous {
					want = 401
				}
				for _, r := range [][3]string{{"GET", "/api/v1/settings/email", ""}, {"PUT", "/api/v1/settings/email", settings(mb.Port)},
					{"POST", "/api/v1/settings/email/test", `{"to":"ada@example.com"}`}} {
					if status, body := e.do(c, r[0], r[1], r[2]); status != want {
						t.Errorf("%s %s as %s: %d %s", r[0], r[1], c, status, body)
					}
				}
			}
		})

		t.Run("ErrNotConfigured", func(t *testing.T) {
			status, body := e.do(admin, "POST", "/api/v1/settings/email/test", `{"to":"ada@example.com"}`)
			if status != 409 || !strings.Contains(body, "not configured") {
				t.Fatalf("test email before configuring: %d %s", status, body)
			}
		})

		t.Run("ErrInvalid", func(t *testing.T) {
			for _, bad := range []struct{ body, location string }{
				{`{"enabled":true,"host":"","sender":"a@example.com"}`, "host"},
				{`{"host":"smtp://mail.example.com","sender":"a@example.com"}`, "host"},
				{`{"host":"mail.example.com","port":99999,"sender":"a@example.com"}`, "port"},
				{`{"host":"mail.example.com","tls":"ssl","sender":"a@example.com"}`, "tls"},
				{`{"host":"mail.example.com","sender":"nobody"}`, "sender"},
				{`{"enabled":true,"host":"mail.example.com"}`, "sender"},
			} {
				status, body := e.do(admin, "PUT", "/api/v1/settings/email", bad.body)
				if status != 422 || !strings.Contains(body, `"location":"`+bad.location+`"`) {
					t.Errorf("%s: %d %s", bad.body, status, body)
				}
			}
			status, body := e.do(admin, "POST", "/api/v1/settings/email/test", `{"to":"not an address"}`)
			if status != 422 || !strings.Contains(body, `"location":"to"`) {
				t.Errorf("test email to a bad address: %d %s", status, body)
			}
		})

		t.Run("PasswordNeverShown", func(t *testing.T) {
			put := `{"enabled":false,"host":"mail.example.com","port":587,"tls":"starttls","username":"assent","password":"` + smtpSecret + `","sender":"assent@example.com"}`
			status, body := e.do(admin, "PUT", "/api/v1/settings/email", put)
			if status != 200 || !strings.Contains(body, `"password_set":true`) || strings.Contains(body, smtpSecret) || strings.Contains(body, `"password"`) {
				t.Fatalf("PUT: %d %s", status, body)
			}
			status, body = e.do(admin, "GET", "/api/v1/settings/email", "")
			if status != 200 || !strings.Contains(body, `"password_set":true`) || strings.Contains(body, smtpSecret) {
				t.Fatalf("GET: %d %s", status, body)
			}
			// Saving without a password keeps it.
			status, body = e.do(admin, "PUT", "/api/v1/settings/email", strings.Replace(put, `"password":"`+smtpSecret+`",`, "", 1))
			if status != 200 || !strings.Contains(body, `"password_set":true`) {
				t.Fatalf("PUT without password: %d %s", status, body)
			}
			_, timeline := e.do(admin, "GET", "/api/v1/timeline?object=email_settings", "")
			if !strings.Contains(timeline, "email_settings.update") {
				t.Errorf("no event for the settings: %s", timeline)
			}
			b := e.browser(t)
			b.signIn("admin")
			_, page := b.do("GET", "/admin/email", nil)
			_, timelinePage := b.do("GET", "/timeline", nil)
			for what, text := range map[string]string{"timeline": timeline, "page": page, "timeline page": timelinePage, "logs": e.logs.String()} {
				if strings.Contains(text, smtpSecret) {
					t.Errorf("the %s shows the SMTP password", what)
				}
			}
			if !strings.Contains(page, "leave empty to keep the stored one") {
				t.Errorf("the page does not say a password is stored:\n%s", page)
			}
		})

		t.Run("TestEmailArrives", func(t *testing.T) {
			if status, body := e.do(admin, "PUT", "/api/v1/settings/email", settings(mb.Port)); status != 200 {
				t.Fatalf("PUT: %d %s", status, body)
			}
			status, body := e.do(admin, "POST", "/api/v1/settings/email/test", `{"to":"ada@example.com"}`)
			if status != 200 || !strings.Contains(body, "ada@example.com") {
				t.Fatalf("test email: %d %s", status, body)
			}
			got := mb.messages()
			if len(got) != 1 || !strings.HasPrefix(got[0], "ada@example.com|") || !strings.Contains(got[0], "Subject: Assent: Test email from Assent") ||
				!strings.Contains(got[0], "text/plain") || !strings.Contains(got[0], "text/html") {
				t.Fatalf("mailbox: %q", got)
			}
		})

		t.Run("ErrServerDown", func(t *testing.T) {
			down := closedPort(t)
			if status, body := e.do(admin, "PUT", "/api/v1/settings/email", settings(down)); status != 200 {
				t.Fatalf("PUT: %d %s", status, body)
			}
			status, body := e.do(admin, "POST", "/api/v1/settings/email/test", `{"to":"ada@example.com"}`)
			if status != 502 || !strings.Contains(body, "127.0.0.1:"+strconv.Itoa(down)) {
				t.Fatalf("test email with the server down: %d %s", status, body)
			}
		})
	})
}

func TestEmailPage(t *testing.T) {
	e := newEnv(t, sqldbtest.SQLiteURL(t))
	mb := startMailbox(t)

	viewer := e.browser(t)
	viewer.signIn("viewer")
	if resp, _ := viewer.do("GET", "/admin/email", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("GET /admin/email as viewer: %d", resp.StatusCode)
	}
	if resp, _ := viewer.do("POST", "/admin/email/test", url.Values{"to": {"ada@example.com"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST /admin/email/test as viewer: %d", resp.StatusCode)
	}

	b := e.browser(t)
	b.signIn("admin")
	resp, page := b.do("GET", "/admin/email", nil)
	if resp.StatusCode != 200 || !strings.Contains(page, `id="email-form"`) || !strings.Contains(page, "Send a test email") || !strings.Contains(page, `href="/admin/email"`) {
		t.Fatalf("GET /admin/email: %d\n%s", resp.StatusCode, page)
	}

	form := url.Values{"enabled": {"1"}, "host": {"127.0.0.1"}, "port": {"abc"}, "tls": {"none"}, "username": {"assent"}, "password": {smtpSecret}, "sender": {"assent@example.com"}}
	resp, page = b.do("POST", "/admin/email", form)
	if resp.StatusCode != 422 || !strings.Contains(page, `id="e-port"`) || strings.Contains(page, smtpSecret) {
		t.Fatalf("bad port: %d\n%s", resp.StatusCode, page)
	}
	form.Set("port", strconv.Itoa(mb.Port))
	if resp, page = b.do("POST", "/admin/email", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", resp.StatusCode, page)
	}
	if _, page = b.do("GET", "/admin/email", nil); !strings.Contains(page, "Email settings saved.") || strings.Contains(page, smtpSecret) ||
		!strings.Contains(page, `value="127.0.0.1"`) || !strings.Contains(page, "leave empty to keep the stored one") {
		t.Fatalf("after saving:\n%s", page)
	}

	if resp, page = b.do("POST", "/admin/email/test", url.Values{"to": {"ada@example.com"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("test email: %d\n%s", resp.StatusCode, page)
	}
	if _, page = b.do("GET", "/admin/email", nil); !strings.Contains(page, "A test email was sent to ada@example.com.") {
		t.Fatalf("no success message:\n%s", page)
	}
	if got := mb.messages(); len(got) != 1 {
		t.Fatalf("%d messages arrived, want 1", len(got))
	}

	down := closedPort(t)
	form.Set("port", strconv.Itoa(down))
	form.Del("password") // kept
	if resp, page = b.do("POST", "/admin/email", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", resp.StatusCode, page)
	}
	resp, page = b.do("POST", "/admin/email/test", url.Values{"to": {"ada@example.com"}})
	if resp.StatusCode != http.StatusBadGateway || !strings.Contains(page, `id="email-test-error"`) || !strings.Contains(page, "127.0.0.1:"+strconv.Itoa(down)) {
		t.Fatalf("test email with the server down: %d\n%s", resp.StatusCode, page)
	}
}

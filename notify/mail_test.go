package notify_test

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"assent"
	"assent/notify"
	"assent/sqldb"
	"assent/sqldb/sqldbtest"
)

// smtpServer is an SMTP server inside the test process that keeps every
// message it receives and the credentials it was given.
type smtpServer struct {
	Host string
	Port int
	mu   sync.Mutex
	got  []*received
}

type received struct {
	From    string
	To      []string
	Auth    string // "user:password" when the client signed in
	Data    []byte
	Header  mail.Header
	Text    string
	HTML    string
	Subject string
}

// startSMTP starts a server on 127.0.0.1 without TLS.
func startSMTP(t *testing.T) *smtpServer {
	t.Helper()
	s := &smtpServer{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &smtpSession{srv: s}, nil }))
	srv.Domain, srv.AllowInsecureAuth = "localhost", true
	srv.ErrorLog = nilLogger{}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	s.Host = "127.0.0.1"
	s.Port = l.Addr().(*net.TCPAddr).Port
	return s
}

type nilLogger struct{}

func (nilLogger) Printf(string, ...any) {}
func (nilLogger) Println(...any)        {}

func (s *smtpServer) messages() []*received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*received(nil), s.got...)
}

type smtpSession struct {
	srv  *smtpServer
	msg  received
	auth string
}

func (x *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (x *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		x.auth = user + ":" + pass
		return nil
	}), nil
}
func (x *smtpSession) Mail(from string, _ *smtp.MailOptions) error { x.msg.From = from; return nil }
func (x *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.msg.To = append(x.msg.To, to)
	return nil
}
func (x *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m := x.msg
	m.Data, m.Auth = b, x.auth
	x.srv.mu.Lock()
	x.srv.got = append(x.srv.got, &m)
	x.srv.mu.Unlock()
	return nil
}
func (x *smtpSession) Reset()        { x.msg = received{} }
func (x *smtpSession) Logout() error { return nil }

// parse splits a received mail into its headers and its text and HTML parts.
func parse(t *testing.T, r *received) {
	t.Helper()
	m, err := mail.ReadMessage(strings.NewReader(string(r.Data)))
	if err != nil {
		t.Fatal(err)
	}
	r.Header = m.Header
	if r.Subject, err = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject")); err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q (%v), want multipart/alternative", m.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart() // decodes quoted-printable
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		switch ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); ct {
		case "text/plain":
			r.Text = string(b)
		case "text/html":
			r.HTML = string(b)
		}
	}
}

// mailer returns an SMTP mailer whose settings, stored in a real
// database, point at srv.
func mailer(t *testing.T, srv *smtpServer, set assent.EmailSettings) *notify.SMTPMailer {
	t.Helper()
	return mailerAt(t, srv.Host, srv.Port, set)
}

// mailerAt is mailer for a server at host:port.
func mailerAt(t *testing.T, host string, port int, set assent.EmailSettings) *notify.SMTPMailer {
	t.Helper()
	db := sqldbtest.Open(t, sqldbtest.SQLiteURL(t))
	settings := sqldb.NewEmailSettingsService(db)
	set.Host, set.Port, set.TLS = host, port, "none"
	if _, err := settings.PutEmailSettings(admin, set); err != nil {
		t.Fatal(err)
	}
	return &notify.SMTPMailer{Settings: settings}
}

var rejection = &assent.EmailMessage{
	To: "ada@example.com", ToName: "Ada Lovelace", Action: "signoff.approval", Actor: "bob",
	Summary: "bob rejected the sign-off of Fraud <model>", ItemID: "it_1", ItemName: "Fraud <model>",
	Step: "review", StepName: "Review & approve", Comment: "Needs <script>alert(1)</script> more tests",
	Link: "https://assent.example.com/items/it_1#step-review", Unsubscribe: "https://assent.example.com/items/it_1/unsubscribe?t=abc",
}

func TestSMTPMailerSends(t *testing.T) {
	srv := startSMTP(t)
	m := mailer(t, srv, assent.EmailSettings{Enabled: true, Sender: "Assent <assent@example.com>"})
	if err := m.Send(admin, rejection); err != nil {
		t.Fatal(err)
	}
	got := srv.messages()
	if len(got) != 1 {
		t.Fatalf("%d messages arrived, want 1", len(got))
	}
	r := got[0]
	parse(t, r)
	if r.From != "assent@example.com" || strings.Join(r.To, ",") != "ada@example.com" {
		t.Errorf("envelope from %q to %q", r.From, r.To)
	}
	if to := r.Header.Get("To"); !strings.Contains(to, "Ada Lovelace") || !strings.Contains(to, "<ada@example.com>") {
		t.Errorf("To: %q", to)
	}
	if want := "Assent: bob rejected the sign-off of Fraud <model>"; r.Subject != want {
		t.Errorf("Subject = %q, want %q", r.Subject, want)
	}
	if got := r.Header.Get("List-Unsubscribe"); got != "<"+rejection.Unsubscribe+">" {
		t.Errorf("List-Unsubscribe = %q", got)
	}
	for _, want := range []string{"Fraud <model>", "Review & approve", "bob", "Needs <script>alert(1)</script> more tests", rejection.Link, rejection.Unsubscribe} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("text part lacks %q:\n%s", want, r.Text)
		}
	}
	for _, want := range []string{"Fraud &lt;model&gt;", "Review &amp; approve", "Needs &lt;script&gt;alert(1)&lt;/script&gt; more tests",
		`href="https://assent.example.com/items/it_1#step-review"`, `href="https://assent.example.com/items/it_1/unsubscribe?t=abc"`} {
		if !strings.Contains(r.HTML, want) {
			t.Errorf("HTML part lacks %q:\n%s", want, r.HTML)
		}
	}
	if strings.Contains(r.HTML, "<script>") || strings.Contains(r.HTML, "<model>") {
		t.Errorf("HTML part holds unescaped input:\n%s", r.HTML)
	}
}

func TestSMTPMailerSignsIn(t *testing.T) {
	srv := startSMTP(t)
	m := mailer(t, srv, assent.EmailSettings{Enabled: true, Sender: "assent@example.com", Username: "assent", Password: "pw-smtp"})
	if err := m.Send(admin, &assent.EmailMessage{To: "ada@example.com", Summary: "hello"}); err != nil {
		t.Fatal(err)
	}
	if got := srv.messages(); len(got) != 1 || got[0].Auth != "assent:pw-smtp" {
		t.Fatalf("messages %+v, want one sent after AUTH PLAIN as assent", got)
	}
}

func TestSMTPMailerErrNotConfigured(t *testing.T) {
	srv := startSMTP(t)
	m := mailer(t, srv, assent.EmailSettings{Enabled: false, Sender: "assent@example.com"})
	err := m.Send(admin, rejection)
	if assent.ErrorCode(err) != assent.ECONFLICT || !strings.Contains(err.Error(), "not configured") {
		t.Fatalf("err = %v, want ECONFLICT saying email is not configured", err)
	}
	if n := len(srv.messages()); n != 0 {
		t.Fatalf("%d messages sent while disabled", n)
	}
}

func TestSMTPMailerErrServerDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := l.Addr().(*net.TCPAddr).Port
	l.Close() // nothing listens there now
	m := mailerAt(t, "127.0.0.1", down, assent.EmailSettings{Enabled: true, Sender: "assent@example.com"})
	err = m.Send(admin, rejection)
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:"+strconv.Itoa(down)) {
		t.Fatalf("err = %v, want one naming 127.0.0.1:%d", err, down)
	}
}

package notify

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/wneessen/go-mail"

	"assent"
)

// EmailSettingsStore gives the mailer the SMTP settings with the password,
// which the API never shows; sqldb.EmailSettingsService is one.
type EmailSettingsStore interface {
	EmailSettingsWithPassword(ctx context.Context) (*assent.EmailSettings, error)
}

// SMTPMailer sends notification mail through the SMTP server of the
// stored settings, read afresh for every mail so that a change applies at
// once.
type SMTPMailer struct {
	Settings EmailSettingsStore
	// Timeout bounds one mail: connecting, talking and sending (0: 15 s).
	Timeout time.Duration
}

var _ assent.Mailer = (*SMTPMailer)(nil)

// Send renders m as a plain text and an HTML part and sends it. It fails
// with ECONFLICT when email is disabled or not configured, and with the
// SMTP server's error, naming the server, when sending fails.
func (s *SMTPMailer) Send(ctx context.Context, m *assent.EmailMessage) error {
	set, err := s.Settings.EmailSettingsWithPassword(ctx)
	if err != nil {
		return err
	}
	if !set.Enabled || set.Host == "" || set.Sender == "" {
		return assent.Errorf(assent.ECONFLICT, "Email is not configured: an admin enables it and sets the SMTP server on the admin email page (PUT /api/v1/settings/email).")
	}
	msg, err := buildMessage(set.Sender, m)
	if err != nil {
		return err
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 15 * time.Second
	}
	client, err := mail.NewClient(set.Host, clientOptions(set, timeout)...)
	if err != nil {
		return fmt.Errorf("SMTP server %s:%d: %w", set.Host, set.Port, err)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("SMTP server %s:%d: %w", set.Host, set.Port, err)
	}
	return nil
}

// clientOptions turns the settings into go-mail's: the TLS mode, and AUTH
// PLAIN when a username is set. go-mail refuses PLAIN over an unencrypted
// connection except to localhost, so a password never crosses the network
// in clear.
func clientOptions(set *assent.EmailSettings, timeout time.Duration) []mail.Option {
	opts := []mail.Option{mail.WithPort(set.Port), mail.WithTimeout(timeout)}
	switch set.TLS {
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	case "tls":
		opts = append(opts, mail.WithSSL())
	default: // starttls
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if set.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthPlain), mail.WithUsername(set.Username), mail.WithPassword(set.Password))
	}
	return opts
}

// buildMessage makes the mail: headers, then the text and HTML parts.
func buildMessage(sender string, m *assent.EmailMessage) (*mail.Msg, error) {
	msg := mail.NewMsg()
	if err := msg.From(sender); err != nil {
		return nil, assent.Errorf(assent.EINVALID, "The sender %q is not an email address: %v", sender, err)
	}
	var err error
	if name := oneLine(m.ToName); name != "" {
		err = msg.AddToFormat(name, m.To)
	} else {
		err = msg.To(m.To)
	}
	if err != nil {
		return nil, assent.Errorf(assent.EINVALID, "The recipient %q is not an email address: %v", m.To, err)
	}
	msg.Subject(subject(m))
	msg.SetMessageID()
	msg.SetDate()
	// Mail from a machine: no out-of-office replies, please.
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetGenHeader(mail.HeaderXAutoResponseSuppress, "All")
	if m.Unsubscribe != "" {
		msg.SetGenHeader(mail.HeaderListUnsubscribe, "<"+m.Unsubscribe+">")
	}
	var text, html bytes.Buffer
	writeText(&text, m)
	if err := htmlBody.Execute(&html, m); err != nil {
		return nil, fmt.Errorf("render mail: %w", err)
	}
	msg.SetBodyString(mail.TypeTextPlain, text.String())
	msg.AddAlternativeString(mail.TypeTextHTML, html.String())
	return msg, nil
}

// subject is "Assent: <summary>", on one line.
func subject(m *assent.EmailMessage) string {
	s := oneLine(m.Summary)
	if s == "" {
		s = oneLine(m.ItemName)
	}
	if len(s) > 200 {
		s = strings.ToValidUTF8(s[:200], "") + "…"
	}
	return "Assent: " + s
}

// oneLine drops control characters, so that no value can add a header.
func oneLine(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s))
}

// writeText writes the plain text part.
func writeText(b *bytes.Buffer, m *assent.EmailMessage) {
	fmt.Fprintf(b, "%s\n\n", m.Summary)
	if m.ItemName != "" {
		fmt.Fprintf(b, "Item:   %s\n", m.ItemName)
	}
	if m.StepName != "" {
		fmt.Fprintf(b, "Step:   %s\n", m.StepName)
	}
	if m.Actor != "" {
		fmt.Fprintf(b, "By:     %s\n", m.Actor)
	}
	if m.Comment != "" {
		fmt.Fprintf(b, "\nComment:\n%s\n", m.Comment)
	}
	if m.Link != "" {
		fmt.Fprintf(b, "\nOpen it: %s\n", m.Link)
	}
	if m.Unsubscribe != "" {
		fmt.Fprintf(b, "\n-- \nYou get this mail because you follow this item. Stop: %s\n", m.Unsubscribe)
	}
}

// htmlBody is the HTML part; html/template escapes every value, and
// drops links that are not http(s).
var htmlBody = template.Must(template.New("mail").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{.Summary}}</title></head>
<body style="font-family: sans-serif; line-height: 1.4;">
<p style="font-size: 1.1em;"><strong>{{.Summary}}</strong></p>
<table style="border-collapse: collapse;">
{{- if .ItemName}}<tr><th style="text-align: left; padding-right: 1em;">Item</th><td>{{.ItemName}}</td></tr>{{end}}
{{- if .StepName}}<tr><th style="text-align: left; padding-right: 1em;">Step</th><td>{{.StepName}}</td></tr>{{end}}
{{- if .Actor}}<tr><th style="text-align: left; padding-right: 1em;">By</th><td>{{.Actor}}</td></tr>{{end}}
</table>
{{- if .Comment}}
<blockquote style="white-space: pre-wrap; border-left: 3px solid #ccc; margin: 1em 0; padding-left: 1em;">{{.Comment}}</blockquote>
{{- end}}
{{- if .Link}}
<p><a href="{{.Link}}">Open {{if .ItemName}}{{.ItemName}}{{else}}it{{end}} in Assent</a></p>
{{- end}}
{{- if .Unsubscribe}}
<p style="color: #666; font-size: 0.85em;">You get this mail because you follow this item. <a href="{{.Unsubscribe}}">Unsubscribe</a></p>
{{- end}}
</body></html>
`))

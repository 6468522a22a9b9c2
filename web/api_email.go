package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"assent"
)

// emailSettingsView is the settings as the API shows them: no password.
type emailSettingsView struct {
	Enabled     bool   `json:"enabled"`
	Host        string `json:"host" example:"smtp.example.com"`
	Port        int    `json:"port" example:"587"`
	TLS         string `json:"tls" enum:"none,starttls,tls"`
	Username    string `json:"username"`
	PasswordSet bool   `json:"password_set" doc:"Whether a password is stored; it is never shown."`
	Sender      string `json:"sender" example:"Assent <assent@example.com>"`
}

func viewEmailSettings(set *assent.EmailSettings) *emailSettingsView {
	return &emailSettingsView{Enabled: set.Enabled, Host: set.Host, Port: set.Port, TLS: set.TLS,
		Username: set.Username, PasswordSet: set.PasswordSet, Sender: set.Sender}
}

type emailSettingsOutput struct {
	Body *emailSettingsView
}

// handleEmailSettingsGet shows the SMTP settings without the password.
func (s *Server) handleEmailSettingsGet(ctx context.Context, _ *struct{}) (*emailSettingsOutput, error) {
	set, err := s.EmailSettings.FindEmailSettings(ctx)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	return &emailSettingsOutput{Body: viewEmailSettings(set)}, nil
}

type emailSettingsPutInput struct {
	Body struct {
		Enabled  bool   `json:"enabled" required:"false"`
		Host     string `json:"host" required:"false" maxLength:"300"`
		Port     int    `json:"port" required:"false" doc:"0 or left out: 25, 587 or 465 after the TLS mode."`
		TLS      string `json:"tls" required:"false" maxLength:"20" doc:"none, starttls (the default) or tls (implicit)."`
		Username string `json:"username" required:"false" maxLength:"300"`
		Password string `json:"password" required:"false" maxLength:"600" doc:"Write-only; empty or left out keeps the stored one."`
		Sender   string `json:"sender" required:"false" maxLength:"400"`
	}
}

// handleEmailSettingsPut replaces the SMTP settings.
func (s *Server) handleEmailSettingsPut(ctx context.Context, in *emailSettingsPutInput) (*emailSettingsOutput, error) {
	b := in.Body
	set, err := s.EmailSettings.PutEmailSettings(ctx, assent.EmailSettings{Enabled: b.Enabled, Host: b.Host, Port: b.Port, TLS: b.TLS,
		Username: b.Username, Password: b.Password, Sender: b.Sender})
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	return &emailSettingsOutput{Body: viewEmailSettings(set)}, nil
}

type emailTestInput struct {
	Body struct {
		To string `json:"to" required:"false" maxLength:"320" doc:"Left out: the caller's own address."`
	}
}

type emailTestOutput struct {
	Body struct {
		To      string `json:"to"`
		Message string `json:"message"`
	}
}

// handleEmailTest sends a test email at once, not through the outbox, so
// that the admin sees the SMTP server's answer: 502 naming the server
// when sending failed, 409 when email is not configured.
func (s *Server) handleEmailTest(ctx context.Context, in *emailTestInput) (*emailTestOutput, error) {
	to, err := s.sendTestEmail(ctx, in.Body.To)
	var sendErr *testEmailError
	if errors.As(err, &sendErr) {
		return nil, huma.NewError(http.StatusBadGateway, sendErr.Error())
	} else if err != nil {
		return nil, s.apiError(ctx, err)
	}
	out := &emailTestOutput{}
	out.Body.To, out.Body.Message = to, "A test email was sent to "+to+"."
	return out, nil
}

// testEmailError is the SMTP server's refusal of the test email, or the
// failure to reach it; the message names the server.
type testEmailError struct{ err error }

func (e *testEmailError) Error() string { return "The test email could not be sent: " + e.err.Error() }

// sendTestEmail sends the test email to to (or the caller's address) and
// returns the address. EFORBIDDEN for non-admins, EINVALID naming "to",
// ECONFLICT when email is not configured, *testEmailError when sending
// failed.
func (s *Server) sendTestEmail(ctx context.Context, to string) (string, error) {
	set, err := s.EmailSettings.FindEmailSettings(ctx) // admins only
	if err != nil {
		return "", err
	}
	u := assent.UserFromContext(ctx)
	if to = strings.TrimSpace(to); to == "" {
		to = u.Email
	}
	var p assent.Problems
	if to == "" {
		p.Add("to", "the address to send the test email to is needed (your profile has none)")
	} else if a, err := mail.ParseAddress(to); err != nil || a.Name != "" {
		p.Add("to", "must be an email address such as ada@example.com")
	}
	if err := p.Err(); err != nil {
		return "", err
	}
	link := strings.TrimRight(s.config.ExternalURL, "/")
	if link != "" {
		link += "/admin/email"
	}
	name := u.DisplayName
	if name == "" {
		name = u.Username
	}
	err = s.Mailer.Send(ctx, &assent.EmailMessage{To: to, ToName: name, Action: "email.test", Actor: u.Username,
		Summary: "Test email from " + s.config.InstanceName, ItemName: "Email settings", Link: link})
	if err != nil && assent.ErrorCode(err) == assent.EINTERNAL {
		s.logger.Warn("test email failed", "request_id", assent.RequestIDFromContext(ctx), "server", fmt.Sprintf("%s:%d", set.Host, set.Port), "err", err)
		return "", &testEmailError{err: err}
	}
	return to, err
}

// emailRoutes registers the email settings operations (admins).
func (s *Server) emailRoutes(api huma.API) {
	register(api, "GET", "/settings/email", "getEmailSettings", "The SMTP settings, without the password (admin)", 0, s.handleEmailSettingsGet)
	register(api, "PUT", "/settings/email", "putEmailSettings", "Replace the SMTP settings; an empty password keeps the stored one (admin)", 0, s.handleEmailSettingsPut)
	register(api, "POST", "/settings/email/test", "sendTestEmail", "Send a test email now and report the SMTP server's answer (admin)", 0, s.handleEmailTest)
}

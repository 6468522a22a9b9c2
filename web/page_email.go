package web

import (
	"errors"
	"net/http"
	"strconv"

	"assent"
)

// emailTLSModes are the choices of the TLS select.
var emailTLSModes = []nameValue{
	{"starttls", "STARTTLS (usually port 587)"},
	{"tls", "Implicit TLS (usually port 465)"},
	{"none", "None (usually port 25; no password over the network)"},
}

type emailPageData struct {
	TLSModes    []nameValue
	PasswordSet bool
	Enabled     bool
	// Mail is the mail sent lately, newest first.
	Mail []mailRow
}

// mailRow is one mail in the log: where it went, about what, and how its
// last attempt ended.
type mailRow struct {
	To, About, Status, LastError string
	Attempts                     int
}

// emailPageRoutes adds the admin email page; routes calls it.
func (s *Server) emailPageRoutes() {
	s.mux.Handle("GET /admin/email", s.adminPage(s.handleAdminEmail))
	s.mux.Handle("POST /admin/email", s.adminPage(s.handleAdminEmailSave))
	s.mux.Handle("POST /admin/email/test", s.adminPage(s.handleAdminEmailTest))
}

// renderAdminEmail draws the page; p.Form holds the form's values.
func (s *Server) renderAdminEmail(w http.ResponseWriter, r *http.Request, status int, p *page, set *assent.EmailSettings) {
	p.Title, p.Section = "Email", "admin"
	d := &emailPageData{TLSModes: emailTLSModes, PasswordSet: set.PasswordSet, Enabled: p.Form["enabled"] == "1"}
	if s.Webhooks != nil {
		var err error
		mail, _, err := s.Webhooks.FindDeliveries(r.Context(), "email", 20, "")
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		for _, m := range mail {
			row := mailRow{To: m.Webhook, About: m.EventType, Status: m.Status, Attempts: m.Attempts}
			if n := len(m.Log); n > 0 {
				row.LastError = m.Log[n-1].Error
			}
			d.Mail = append(d.Mail, row)
		}
	}
	p.Data = d
	s.render(w, r, status, "admin_email", p)
}

// emailForm fills the form from stored settings.
func emailForm(set *assent.EmailSettings, to string) map[string]string {
	enabled := ""
	if set.Enabled {
		enabled = "1"
	}
	return map[string]string{"enabled": enabled, "host": set.Host, "port": strconv.Itoa(set.Port), "tls": set.TLS,
		"username": set.Username, "sender": set.Sender, "to": to}
}

// handleAdminEmail shows the SMTP settings and the test email form.
func (s *Server) handleAdminEmail(w http.ResponseWriter, r *http.Request) {
	set, err := s.EmailSettings.FindEmailSettings(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.renderAdminEmail(w, r, http.StatusOK, &page{Form: emailForm(set, assent.UserFromContext(r.Context()).Email)}, set)
}

// handleAdminEmailSave saves the settings; an empty password field keeps
// the stored password.
func (s *Server) handleAdminEmailSave(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r) {
		return
	}
	ctx := r.Context()
	form := formValues(r, "enabled", "host", "port", "tls", "username", "sender")
	form["to"] = assent.UserFromContext(ctx).Email
	in := assent.EmailSettings{Enabled: form["enabled"] == "1", Host: form["host"], TLS: form["tls"],
		Username: form["username"], Password: r.PostFormValue("password"), Sender: form["sender"]}
	errs := map[string]string{}
	if form["port"] != "" {
		port, err := strconv.Atoi(form["port"])
		if err != nil {
			errs["port"] = "Must be a number between 1 and 65535."
		}
		in.Port = port
	}
	if len(errs) == 0 {
		_, err := s.EmailSettings.PutEmailSettings(ctx, in)
		if err == nil {
			s.redirect(w, r, "/admin/email", "ok", "Email settings saved.")
			return
		}
		if assent.ErrorCode(err) != assent.EINVALID {
			s.pageError(w, r, err)
			return
		}
		errs = fieldErrors(err, nil)
	}
	set, err := s.EmailSettings.FindEmailSettings(ctx)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.renderAdminEmail(w, r, http.StatusUnprocessableEntity, &page{Form: form, Errors: errs}, set)
}

// handleAdminEmailTest sends a test email and says how it went.
func (s *Server) handleAdminEmailTest(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r) {
		return
	}
	ctx := r.Context()
	to, err := s.sendTestEmail(ctx, r.PostFormValue("to"))
	if err == nil {
		s.redirect(w, r, "/admin/email", "ok", "A test email was sent to "+to+".")
		return
	}
	var sendErr *testEmailError
	status, msg := http.StatusUnprocessableEntity, assent.ErrorMessage(err)
	switch {
	case errors.As(err, &sendErr):
		status, msg = http.StatusBadGateway, sendErr.Error()
	case assent.ErrorCode(err) == assent.ECONFLICT:
		status = http.StatusConflict
	case assent.ErrorCode(err) != assent.EINVALID:
		s.pageError(w, r, err)
		return
	}
	set, ferr := s.EmailSettings.FindEmailSettings(ctx)
	if ferr != nil {
		s.pageError(w, r, ferr)
		return
	}
	form := emailForm(set, r.PostFormValue("to"))
	errs := fieldErrors(err, nil)
	if _, named := errs["to"]; !named {
		errs = map[string]string{"test": msg}
	}
	s.renderAdminEmail(w, r, status, &page{Form: form, Errors: errs}, set)
}

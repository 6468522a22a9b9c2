package web

import (
	"net/http"
	"net/url"
	"strings"

	"assent"
)

type profileData struct {
	Tokens         []*assent.Token
	Sessions       []*assent.Session
	CurrentSession string
	NewToken       *tokenWithSecret
}

// renderProfile draws the profile page with the user's tokens and sessions.
func (s *Server) renderProfile(w http.ResponseWriter, r *http.Request, status int, p *page) {
	u := assent.UserFromContext(r.Context())
	d, _ := p.Data.(*profileData)
	if d == nil {
		d = &profileData{}
	}
	var err error
	if d.Tokens, err = s.Tokens.FindTokens(r.Context(), u.Username); err != nil {
		s.pageError(w, r, err)
		return
	}
	if d.Sessions, err = s.Sessions.FindSessions(r.Context(), u.Username); err != nil {
		s.pageError(w, r, err)
		return
	}
	if d.NewToken == nil {
		d.NewToken = s.takeNewToken(w, r, d.Tokens)
	}
	if sess := sessionFrom(r.Context()); sess != nil {
		d.CurrentSession = sess.ID
	}
	if p.Form == nil {
		p.Form = map[string]string{"display_name": u.DisplayName, "email": u.Email}
	}
	p.Title, p.Section, p.Data = "Profile", "profile", d
	s.render(w, r, status, "profile", p)
}

// handleProfile shows the profile page.
func (s *Server) handleProfile(w http.ResponseWriter, r *http.Request) {
	s.renderProfile(w, r, http.StatusOK, &page{})
}

// handleProfileUpdate saves the display name and email.
func (s *Server) handleProfileUpdate(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r) {
		return
	}
	form := formValues(r, "display_name", "email")
	name, email := form["display_name"], form["email"]
	u := assent.UserFromContext(r.Context())
	if _, err := s.Users.UpdateUser(r.Context(), u.Username, assent.UserUpdate{DisplayName: &name, Email: &email}); err != nil {
		s.renderProfile(w, r, statusOf[assent.ErrorCode(err)], &page{Form: form, Errors: fieldErrors(err, nil)})
		return
	}
	s.redirect(w, r, "/profile", "ok", "Your details are saved.")
}

// handleProfilePassword changes the user's own password.
func (s *Server) handleProfilePassword(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r) {
		return
	}
	next := r.PostFormValue("new_password")
	if next != r.PostFormValue("confirm_password") {
		s.renderProfile(w, r, http.StatusUnprocessableEntity, &page{Errors: map[string]string{"confirm_password": "The two new passwords differ."}})
		return
	}
	if err := s.Users.ChangeOwnPassword(r.Context(), r.PostFormValue("current_password"), next); err != nil {
		errs := fieldErrors(err, map[string]string{"password": "new_password"})
		if assent.ErrorCode(err) == assent.EUNAUTHORIZED {
			errs = map[string]string{"current_password": "This is not your current password."}
		}
		s.renderProfile(w, r, statusOf[assent.ErrorCode(err)], &page{Errors: errs})
		return
	}
	// The change ended every session, this one too; keep this browser signed in.
	u := assent.UserFromContext(r.Context())
	if _, secret, err := s.Sessions.CreateSession(r.Context(), u.Username, headerText(r.UserAgent(), 300), s.clientAddress(r)); err == nil {
		s.setSessionCookie(w, r, secret)
	}
	s.redirect(w, r, "/profile", "ok", "Your password is changed; your other sessions have ended.")
}

// handleProfileTokenCreate issues a token and shows it once.
func (s *Server) handleProfileTokenCreate(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r) {
		return
	}
	form := formValues(r, "token_name", "expires")
	t, err := s.issueToken(r.Context(), "", form["token_name"], form["expires"])
	if err != nil {
		s.renderProfile(w, r, statusOf[assent.ErrorCode(err)], &page{Form: form, Errors: fieldErrors(err, map[string]string{"name": "token_name"})})
		return
	}
	// The token goes to the next page in a cookie that lives a minute, so
	// that reloading the page does not post the form again.
	http.SetCookie(w, &http.Cookie{Name: newTokenCookie, Value: t.Token.ID + ":" + t.Secret, Path: "/profile",
		MaxAge: 60, HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.secureCookies(r)})
	http.Redirect(w, r, "/profile#new-token", http.StatusSeeOther)
}

const newTokenCookie = "assent_new_token"

// takeNewToken returns the token just created, once, and clears it.
func (s *Server) takeNewToken(w http.ResponseWriter, r *http.Request, tokens []*assent.Token) *tokenWithSecret {
	c, err := r.Cookie(newTokenCookie)
	if err != nil {
		return nil
	}
	http.SetCookie(w, &http.Cookie{Name: newTokenCookie, Path: "/profile", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.secureCookies(r)})
	id, secret, _ := strings.Cut(c.Value, ":")
	for _, t := range tokens {
		if t.ID == id && strings.HasPrefix(secret, assent.TokenPrefix) {
			return &tokenWithSecret{Token: t, Secret: secret}
		}
	}
	return nil
}

// handleTokenRevokePage revokes a token from the profile or the admin page
// and goes back there.
func (s *Server) handleTokenRevokePage(w http.ResponseWriter, r *http.Request) {
	back := "/profile"
	if ref, err := url.Parse(r.Referer()); err == nil && strings.HasPrefix(ref.Path, "/admin/tokens") {
		back = "/admin/tokens"
	}
	if err := s.Tokens.RevokeToken(r.Context(), r.PathValue("id")); err != nil {
		s.redirect(w, r, back, "error", assent.ErrorMessage(err))
		return
	}
	s.redirect(w, r, back, "ok", "The token is revoked; it no longer works.")
}

// handleSessionsEnd signs the user out of every browser, this one included.
func (s *Server) handleSessionsEnd(w http.ResponseWriter, r *http.Request) {
	u := assent.UserFromContext(r.Context())
	n, err := s.Sessions.DeleteUserSessions(r.Context(), u.Username)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.clearSessionCookie(w, r)
	msg := "You are signed out everywhere."
	if n > 1 {
		msg = "You are signed out of all your sessions."
	}
	s.redirect(w, r, "/login", "ok", msg)
}

package web

import (
	"net/http"

	"assent"
)

type loginData struct{ Problem string }

// handleLoginPage shows the sign-in form.
func (s *Server) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	if assent.UserFromContext(r.Context()) != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	d := loginData{}
	if r.URL.Query().Get("ended") == "1" {
		d.Problem = "Your session has ended. Sign in again to continue."
	}
	s.render(w, r, http.StatusOK, "login", &page{Title: "Sign in", Data: d, Form: map[string]string{"next": r.URL.Query().Get("next")}})
}

// handleLogin checks the credentials and starts a session. Wrong
// credentials get one message that does not say which part was wrong.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r) {
		return
	}
	form := formValues(r, "username", "next")
	u, err := s.Users.Authenticate(r.Context(), form["username"], r.PostFormValue("password"), s.clientAddress(r))
	if err != nil {
		status := statusOf[assent.ErrorCode(err)]
		if status == http.StatusInternalServerError {
			s.pageError(w, r, err)
			return
		}
		s.render(w, r, status, "login", &page{Title: "Sign in", Form: form, Data: loginData{Problem: assent.ErrorMessage(err)}})
		return
	}
	// A new session at every sign-in, so that a session id planted before
	// signing in is worth nothing.
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.Sessions.DeleteSession(r.Context(), c.Value)
	}
	_, secret, err := s.Sessions.CreateSession(r.Context(), u.Username, headerText(r.UserAgent(), 300), s.clientAddress(r))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.setSessionCookie(w, r, secret)
	http.Redirect(w, r, safeNext(form["next"]), http.StatusSeeOther)
}

// handleLogout ends this browser's session.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.Sessions.DeleteSession(r.Context(), c.Value); err != nil {
			s.pageError(w, r, err)
			return
		}
	}
	s.clearSessionCookie(w, r)
	s.redirect(w, r, "/login", "ok", "You have signed out.")
}

package web

import (
	"net/http"
	"net/url"
	"strings"

	"assent"
)

const sessionCookie = "assent_session"

type sessionEndedKey struct{}

func (s *Server) setSessionCookie(w http.ResponseWriter, r *http.Request, secret string) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: secret, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.secureCookies(r)})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.secureCookies(r)})
}

// page wraps a handler for signed-in users: others go to the sign-in page
// and come back here afterwards.
func (s *Server) page(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if assent.UserFromContext(r.Context()) == nil {
			q := url.Values{"next": {r.URL.RequestURI()}}
			if r.Context().Value(sessionEndedKey{}) != nil {
				q.Set("ended", "1")
			}
			if r.Method != http.MethodGet {
				q.Set("next", "/") // a form cannot be re-sent after signing in
			}
			http.Redirect(w, r, "/login?"+q.Encode(), http.StatusSeeOther)
			return
		}
		h(w, r)
	})
}

// adminPage is page for admins; others get a 403 page.
func (s *Server) adminPage(h http.HandlerFunc) http.Handler {
	return s.page(func(w http.ResponseWriter, r *http.Request) {
		if !assent.UserFromContext(r.Context()).HasRole(assent.RoleAdmin) {
			s.renderError(w, r, http.StatusForbidden, "Admins only", "This page is for admins. Ask an admin if you need something changed here.")
			return
		}
		h(w, r)
	})
}

type errorPage struct{ Heading, Message string }

// renderError shows an error as a page.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, heading, msg string) {
	s.render(w, r, status, "error", &page{Title: heading, Data: errorPage{heading, msg}})
}

// pageError shows a service error as a page, logging unexpected ones.
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, err error) {
	code := assent.ErrorCode(err)
	if code == assent.EINTERNAL {
		s.logger.Error("internal error", "request_id", assent.RequestIDFromContext(r.Context()), "err", err)
	}
	status := statusOf[code]
	s.renderError(w, r, status, http.StatusText(status), assent.ErrorMessage(err))
}

// safeNext keeps a post-login destination only when it is a path on this
// site. Browsers drop tabs and newlines from URLs, so "/\t/evil" would
// become "//evil": any control character or backslash refuses the value.
func safeNext(next string) string {
	for _, r := range next {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(next, "/") ||
		strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/login") {
		return "/"
	}
	return next
}

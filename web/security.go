package web

import (
	"net/http"
	"strings"
)

// contentSecurityPolicy allows only this server's own scripts and styles:
// no inline script can run even if some text escaped its escaping.
const contentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
	"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// withSecurityHeaders sets the headers every response carries.
func (s *Server) withSecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if s.secureCookies(r) {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		if !strings.HasPrefix(r.URL.Path, "/api/") {
			h.Set("Content-Security-Policy", contentSecurityPolicy)
		}
		next.ServeHTTP(w, r)
	})
}

// withCrossOriginProtection refuses state-changing requests that a browser
// sent from another site (Go's CSRF protection: Sec-Fetch-Site and Origin).
// Requests without those headers, such as API clients with tokens, pass.
func withCrossOriginProtection(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, http.StatusForbidden, "Cross-origin request refused: this form or call must come from this site.")
	}))
	return cop.Handler(next)
}

// secureCookies reports whether cookies must be Secure: the request came
// over TLS, through a proxy that says so, or the external URL is https.
func (s *Server) secureCookies(r *http.Request) bool {
	return r.TLS != nil || strings.HasPrefix(s.config.ExternalURL, "https://") ||
		(s.config.BehindProxy && r.Header.Get("X-Forwarded-Proto") == "https")
}

// withCleanInput refuses paths and query values that are not valid UTF-8 or
// hold NUL: PostgreSQL cannot take them as text, and no name needs them.
func withCleanInput(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok := cleanText(r.URL.Path)
		for _, vs := range r.URL.Query() {
			for _, v := range vs {
				ok = ok && cleanText(v)
			}
		}
		if !ok {
			writeProblem(w, http.StatusBadRequest, "The address holds characters that are not allowed (invalid UTF-8 or NUL).")
			return
		}
		next.ServeHTTP(w, r)
	})
}

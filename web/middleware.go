package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"assent"
)

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// withRequestID gives each request an id, taken from X-Request-Id when the
// caller sent a sane one, so that logs and events can be joined.
func (s *Server) withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if !requestIDPattern.MatchString(id) {
			b := make([]byte, 8)
			rand.Read(b)
			id = hex.EncodeToString(b)
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(assent.NewContextWithRequestID(r.Context(), id)))
	})
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// requestInfo is filled in by the inner handlers for the outer ones: the
// mux and the authentication work on copies of the request.
type requestInfo struct {
	route string
	user  string
}

type requestInfoKey struct{}

// withMetricsAndLog counts and times each request by route pattern and logs
// it. The log line names the user, never a credential.
func (s *Server) withMetricsAndLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &requestInfo{route: "unmatched"}
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, info)))
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		elapsed := time.Since(start)
		s.metrics.observe(r.Method, info.route, rec.status, elapsed)
		s.logger.LogAttrs(r.Context(), levelFor(rec.status), "request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", rec.status),
			slog.Duration("duration", elapsed), slog.String("user", info.user),
			slog.String("request_id", assent.RequestIDFromContext(r.Context())))
	})
}

// withRouteInfo wraps the mux to report the matched pattern and the user
// to withMetricsAndLog.
func withRouteInfo(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		if info, ok := r.Context().Value(requestInfoKey{}).(*requestInfo); ok {
			if r.Pattern != "" {
				info.route = r.Pattern
			}
			if u := assent.UserFromContext(r.Context()); u != nil {
				info.user = u.Username
			}
		}
	})
}

// withRecover turns a panic into a logged 500 instead of a dropped connection.
func (s *Server) withRecover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.logger.Error("panic", "request_id", assent.RequestIDFromContext(r.Context()), "panic", v, "stack", string(debug.Stack()))
				writeProblem(w, http.StatusInternalServerError, "Internal error")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// withAuth identifies the caller from a bearer token or a session cookie.
// A request without credentials goes on anonymously and each service
// decides; a request with a bad token stops here, so that a revoked token
// never acts. A dead session cookie is cleared and the request goes on
// anonymously, so that pages can send the browser to sign in.
func (s *Server) withAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		if h == "" {
			s.withSession(next).ServeHTTP(w, r)
			return
		}
		scheme, secret, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			w.Header().Set("WWW-Authenticate", `Bearer realm="assent"`)
			writeProblem(w, http.StatusUnauthorized, "The Authorization header must be \"Bearer <token>\".")
			return
		}
		u, _, err := s.Tokens.AuthenticateToken(r.Context(), strings.TrimSpace(secret))
		if err != nil {
			status := statusOf[assent.ErrorCode(err)]
			if status == http.StatusInternalServerError {
				s.logger.Error("authenticate token", "request_id", assent.RequestIDFromContext(r.Context()), "err", err)
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="assent", error="invalid_token"`)
			writeProblem(w, status, assent.ErrorMessage(err))
			return
		}
		next.ServeHTTP(w, r.WithContext(assent.NewContextWithUser(r.Context(), u)))
	})
}

type sessionKey struct{}

// withSession signs the request in with the session cookie, if any.
func (s *Server) withSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil || c.Value == "" {
			next.ServeHTTP(w, r)
			return
		}
		u, sess, err := s.Sessions.AuthenticateSession(r.Context(), c.Value)
		if err != nil {
			if assent.ErrorCode(err) == assent.EINTERNAL {
				s.logger.Error("authenticate session", "request_id", assent.RequestIDFromContext(r.Context()), "err", err)
				writeProblem(w, http.StatusInternalServerError, "Internal error")
				return
			}
			s.clearSessionCookie(w, r)
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionEndedKey{}, true)))
			return
		}
		ctx := context.WithValue(assent.NewContextWithUser(r.Context(), u), sessionKey{}, sess)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// sessionFrom returns the browser session of a request, or nil.
func sessionFrom(ctx context.Context) *assent.Session {
	sess, _ := ctx.Value(sessionKey{}).(*assent.Session)
	return sess
}

// clientAddress is the address that failed sign-ins are counted against.
func (s *Server) clientAddress(r *http.Request) string {
	if s.config.BehindProxy {
		// The proxy appends the address it saw; earlier entries are the client's word.
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			return headerText(strings.TrimSpace(parts[len(parts)-1]), 100)
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// levelFor logs server errors as errors and everything else as info.
func levelFor(status int) slog.Level {
	if status >= 500 {
		return slog.LevelError
	}
	return slog.LevelInfo
}

type clientAddressKey struct{}

// withClientAddress records the caller's address for the sign-in throttle,
// and the query for handlers whose parameter names vary (field filters).
func (s *Server) withClientAddress(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), clientAddressKey{}, s.clientAddress(r))
		ctx = context.WithValue(ctx, rawQueryKey{}, r.URL.Query())
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func clientAddressFrom(ctx context.Context) string {
	a, _ := ctx.Value(clientAddressKey{}).(string)
	return a
}

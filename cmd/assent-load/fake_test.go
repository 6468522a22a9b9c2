package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// fakeToken is the token the fake server issues and accepts.
const fakeToken = "assent_fake"

// fakeServer stands in for assent with just the routes the load program
// needs; it counts what it sees so tests can check the program's counts.
type fakeServer struct {
	*httptest.Server
	failEvery atomic.Int64 // answer every nth /me with 500; 0 never
	logins    atomic.Int64 // successful POST /auth/tokens
	me        atomic.Int64 // GET /me with the right token
	failed    atomic.Int64 // of those, answered 500
	badAuth   atomic.Int64 // requests with a missing or wrong token
}

// newFakeServer starts a fakeServer that accepts admin/secret.
func newFakeServer(t *testing.T) *fakeServer {
	t.Helper()
	f := &fakeServer{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/auth/tokens", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Username, Password, Name string }
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Username != "admin" || in.Password != "secret" || in.Name == "" {
			problem(w, http.StatusUnauthorized, "Invalid username or password.")
			return
		}
		f.logins.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]string{"id": "tok1", "token": fakeToken, "name": in.Name})
	})
	mux.HandleFunc("GET /api/v1/me", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+fakeToken {
			f.badAuth.Add(1)
			problem(w, http.StatusUnauthorized, "Authentication required.")
			return
		}
		n := f.me.Add(1)
		if every := f.failEvery.Load(); every > 0 && n%every == 0 {
			f.failed.Add(1)
			problem(w, http.StatusInternalServerError, "Internal error")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"username": "admin", "role": "admin"})
	})
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

// problem answers like the real server does, with an RFC 9457 document.
func problem(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"status": status, "title": http.StatusText(status), "detail": detail})
}

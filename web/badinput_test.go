package web_test

import (
	"net/http"
	"strings"
	"testing"

	"assent/sqldb/sqldbtest"
)

func TestBadInput(t *testing.T) {
	e := newEnv(t, sqldbtest.SQLiteURL(t))
	t.Run("ErrDuplicateUsername", func(t *testing.T) {
		status, body := e.do(admin, "POST", "/api/v1/users", `{"username":"member","role":"member"}`)
		if status != http.StatusConflict || !strings.Contains(body, `"location":"username"`) {
			t.Fatalf("got %d %s", status, body)
		}
	})
	t.Run("ErrMalformedJSONSaysWhere", func(t *testing.T) {
		status, body := e.do(admin, "POST", "/api/v1/users", "{\"username\":\"x\",\n  \"role\" \"viewer\"}")
		if status != http.StatusBadRequest || !strings.Contains(body, "line 2, column 10") {
			t.Fatalf("got %d %s", status, body)
		}
	})
	t.Run("ErrUnknownFieldNamed", func(t *testing.T) {
		status, body := e.do(admin, "POST", "/api/v1/users", `{"username":"x","role":"viewer","colour":"blue"}`)
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, `"location":"colour"`) {
			t.Fatalf("got %d %s", status, body)
		}
	})
	t.Run("ErrEveryInvalidFieldNamed", func(t *testing.T) {
		status, body := e.do(admin, "POST", "/api/v1/users", `{"username":"Not Valid","role":"viewer","email":"nope","password":"short"}`)
		for _, loc := range []string{"username", "email", "password"} {
			if !strings.Contains(body, `"location":"`+loc+`"`) {
				t.Errorf("no error at %s: %d %s", loc, status, body)
			}
		}
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", status)
		}
	})
	t.Run("ErrBodyTooLarge", func(t *testing.T) {
		big := `{"username":"x","role":"viewer","display_name":"` + strings.Repeat("a", 100<<10) + `"}`
		if status, body := e.do(admin, "POST", "/api/v1/users", big); status != http.StatusRequestEntityTooLarge {
			t.Fatalf("got %d %s", status, body)
		}
	})
	t.Run("SameAnswerForUnknownUserAndWrongPassword", func(t *testing.T) {
		s1, b1 := e.do(anonymous, "POST", "/api/v1/auth/tokens", `{"username":"member","password":"wrong-one"}`)
		s2, b2 := e.do(anonymous, "POST", "/api/v1/auth/tokens", `{"username":"ghost","password":"wrong-one"}`)
		if s1 != http.StatusUnauthorized || s1 != s2 || b1 != b2 {
			t.Fatalf("wrong password: %d %s; unknown user: %d %s", s1, b1, s2, b2)
		}
	})
	t.Run("ErrTooManyFailedLogins", func(t *testing.T) {
		for i := 0; i < 10; i++ {
			if status, _ := e.do(anonymous, "POST", "/api/v1/auth/tokens", `{"username":"viewer","password":"guess"}`); status != http.StatusUnauthorized {
				t.Fatalf("attempt %d: status %d", i+1, status)
			}
		}
		status, body := e.do(anonymous, "POST", "/api/v1/auth/tokens", `{"username":"viewer","password":"password-viewer"}`)
		if status != http.StatusTooManyRequests || !strings.Contains(body, "Too many failed sign-in attempts") {
			t.Fatalf("11th attempt: %d %s", status, body)
		}
	})
	t.Run("DisabledUserTokenStopsAtOnce", func(t *testing.T) {
		status, body := e.do(anonymous, "POST", "/api/v1/auth/tokens", `{"username":"member","password":"password-member","name":"laptop"}`)
		if status != http.StatusCreated {
			t.Fatalf("sign in: %d %s", status, body)
		}
		var tok struct{ Token string }
		decode(t, body, &tok)
		e.tokens["member-laptop"] = tok.Token
		if status, _ := e.do("member-laptop", "GET", "/api/v1/me", ""); status != http.StatusOK {
			t.Fatalf("before disabling: %d", status)
		}
		if status, body := e.do(admin, "PATCH", "/api/v1/users/member", `{"disabled":true}`); status != http.StatusOK {
			t.Fatalf("disable: %d %s", status, body)
		}
		if status, _ := e.do("member-laptop", "GET", "/api/v1/me", ""); status != http.StatusUnauthorized {
			t.Fatalf("after disabling: %d, want 401", status)
		}
	})
	t.Run("ErrAdminCannotDisableThemself", func(t *testing.T) {
		if status, body := e.do(admin, "PATCH", "/api/v1/users/admin", `{"disabled":true}`); status != http.StatusConflict {
			t.Fatalf("got %d %s", status, body)
		}
	})
	t.Run("SecretsNeverLoggedOrRecorded", func(t *testing.T) {
		status, body := e.do(anonymous, "POST", "/api/v1/auth/tokens", `{"username":"admin","password":"password-admin","name":"secret-check"}`)
		if status != http.StatusCreated {
			t.Fatalf("%d %s", status, body)
		}
		var tok struct{ Token string }
		decode(t, body, &tok)
		e.do(admin, "PUT", "/api/v1/users/viewer/password", `{"password":"very-secret-password"}`)
		_, events := e.do(admin, "GET", "/api/v1/timeline?limit=500", "")
		for _, secret := range []string{tok.Token, "password-admin", "very-secret-password", e.tokens[viewer]} {
			if strings.Contains(e.logs.String(), secret) {
				t.Errorf("the log holds a secret %q", secret)
			}
			if strings.Contains(events, secret) {
				t.Errorf("the events hold a secret %q", secret)
			}
		}
	})
}

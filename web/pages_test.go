package web_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"assent/sqldb/sqldbtest"
	"assent/web"
)

// browser is an HTTP client with cookies that does not follow redirects,
// so tests see each answer.
type browser struct {
	t      *testing.T
	base   string
	client *http.Client
}

func (e *env) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: e.srv.URL, client: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends a request the way a browser on this site does.
func (b *browser) do(method, path string, form url.Values, header ...string) (*http.Response, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, b.base+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for i := 0; i+1 < len(header); i += 2 {
		if header[i+1] == "" {
			req.Header.Del(header[i])
		} else {
			req.Header.Set(header[i], header[i+1])
		}
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp, string(out)
}

// signIn signs in with the test password of username.
func (b *browser) signIn(username string) {
	b.t.Helper()
	resp, body := b.do("POST", "/login", url.Values{"username": {username}, "password": {"password-" + username}})
	if resp.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("sign in as %s: %d %s", username, resp.StatusCode, body)
	}
}

func TestPagesNeedASession(t *testing.T) {
	e := newEnv(t, sqldbtest.SQLiteURL(t))
	b := e.browser(t)
	for _, path := range []string{"/", "/profile", "/timeline?actor=admin", "/admin/users", "/model-registry"} {
		resp, _ := b.do("GET", path, nil)
		want := "/login?next=" + url.QueryEscape(path)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
			t.Errorf("GET %s: %d to %q, want 303 to %q", path, resp.StatusCode, resp.Header.Get("Location"), want)
		}
	}
	if resp, _ := b.do("POST", "/profile", url.Values{"display_name": {"x"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("POST /profile without a session: %d", resp.StatusCode)
	}
}

func TestSignIn(t *testing.T) {
	e := newEnv(t, sqldbtest.SQLiteURL(t))
	t.Run("ErrWrongCredentialsOneMessage", func(t *testing.T) {
		b := e.browser(t)
		r1, wrongPassword := b.do("POST", "/login", url.Values{"username": {"member"}, "password": {"nope"}})
		r2, unknownUser := b.do("POST", "/login", url.Values{"username": {"nobody"}, "password": {"nope"}})
		msg := regexp.MustCompile(`role="alert">([^<]*)<`)
		m1, m2 := msg.FindStringSubmatch(wrongPassword), msg.FindStringSubmatch(unknownUser)
		if r1.StatusCode != 401 || r2.StatusCode != 401 || m1 == nil || m2 == nil || m1[1] != m2[1] || m1[1] != "Wrong username or password." {
			t.Fatalf("wrong password: %d %v; unknown user: %d %v", r1.StatusCode, m1, r2.StatusCode, m2)
		}
		if !strings.Contains(wrongPassword, `value="member"`) {
			t.Error("the username typed is not kept in the form")
		}
	})
	t.Run("CookieAndRedirectBack", func(t *testing.T) {
		b := e.browser(t)
		resp, _ := b.do("POST", "/login", url.Values{"username": {"viewer"}, "password": {"password-viewer"}, "next": {"/timeline?actor=admin"}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/timeline?actor=admin" {
			t.Fatalf("%d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		c := resp.Cookies()[0]
		if c.Name != "assent_session" || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure {
			t.Fatalf("cookie %+v", c)
		}
		if resp, body := b.do("GET", "/timeline?actor=admin", nil); resp.StatusCode != 200 || !strings.Contains(body, "<h1>Timeline</h1>") {
			t.Fatalf("timeline after sign-in: %d", resp.StatusCode)
		}
	})
	t.Run("ErrOffsiteNextIgnored", func(t *testing.T) {
		for _, next := range []string{"//evil.example/x", "/\t/evil.example", "/\\evil.example", "https://evil.example/", "/\n/evil.example", "/%09/x"} {
			b := e.browser(t)
			resp, _ := b.do("POST", "/login", url.Values{"username": {"viewer"}, "password": {"password-viewer"}, "next": {next}})
			if loc := resp.Header.Get("Location"); loc != "/" && !(next == "/%09/x" && loc == next) {
				t.Errorf("next %q redirected to %q", next, loc)
			}
		}
	})
	t.Run("ErrTooManyAttemptsPage", func(t *testing.T) {
		b := e.browser(t)
		for i := 0; i < 10; i++ {
			b.do("POST", "/login", url.Values{"username": {"expired"}, "password": {"guess"}})
		}
		resp, body := b.do("POST", "/login", url.Values{"username": {"expired"}, "password": {"password-expired"}})
		if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "Too many failed sign-in attempts") {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
	})
	t.Run("SecureCookieBehindHTTPSProxy", func(t *testing.T) {
		b := e.browser(t)
		resp, _ := b.do("POST", "/login", url.Values{"username": {"member"}, "password": {"password-member"}}, "X-Forwarded-Proto", "https")
		// The test server does not trust proxies, so the header alone must not matter.
		if resp.Cookies()[0].Secure {
			t.Fatal("an untrusted X-Forwarded-Proto made the cookie Secure")
		}
	})
}

func TestSecureCookies(t *testing.T) {
	https := newEnvWith(t, sqldbtest.SQLiteURL(t), web.Config{Version: "test", ExternalURL: "https://assent.example"})
	resp, _ := https.browser(t).do("POST", "/login", url.Values{"username": {"member"}, "password": {"password-member"}})
	if c := resp.Cookies()[0]; !c.Secure || resp.Header.Get("Strict-Transport-Security") == "" {
		t.Fatalf("https external URL: cookie %+v, HSTS %q", c, resp.Header.Get("Strict-Transport-Security"))
	}
	proxied := newEnvWith(t, sqldbtest.SQLiteURL(t), web.Config{Version: "test", BehindProxy: true})
	resp, _ = proxied.browser(t).do("POST", "/login", url.Values{"username": {"member"}, "password": {"password-member"}}, "X-Forwarded-Proto", "https")
	if c := resp.Cookies()[0]; !c.Secure {
		t.Fatalf("trusted proxy saying https: cookie %+v", c)
	}
}

func TestCrossSitePostRefused(t *testing.T) {
	e := newEnv(t, sqldbtest.SQLiteURL(t))
	b := e.browser(t)
	b.signIn("admin")
	form := url.Values{"username": {"mallory"}, "role": {"admin"}, "password": {"long-enough"}}
	// A current browser says where the request comes from in Sec-Fetch-Site;
	// an older one only sends Origin.
	for _, h := range [][]string{{"Sec-Fetch-Site", "cross-site"}, {"Sec-Fetch-Site", "", "Origin", "https://evil.example"}} {
		resp, _ := b.do("POST", "/admin/users", form, h...)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST with %v answered %d, want 403", h, resp.StatusCode)
		}
	}
	if status, _ := e.do(admin, "GET", "/api/v1/users/mallory", ""); status != http.StatusNotFound {
		t.Fatalf("the cross-site post created the user (%d)", status)
	}
	// The same form from this site works.
	if resp, body := b.do("POST", "/admin/users", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("same-site post: %d %s", resp.StatusCode, body)
	}
}

func TestViewerSeesNoAdmin(t *testing.T) {
	e := newEnv(t, sqldbtest.SQLiteURL(t))
	b := e.browser(t)
	b.signIn("viewer")
	_, home := b.do("GET", "/", nil)
	if strings.Contains(home, `href="/admin/users"`) {
		t.Error("the viewer's navigation links to the admin pages")
	}
	for _, path := range []string{"/admin/users", "/admin/groups", "/admin/tokens"} {
		if resp, body := b.do("GET", path, nil); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "Admins only") {
			t.Errorf("GET %s as viewer: %d", path, resp.StatusCode)
		}
	}
	if resp, _ := b.do("POST", "/admin/users", url.Values{"username": {"x"}, "role": {"admin"}, "password": {"long-enough"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST /admin/users as viewer: %d", resp.StatusCode)
	}
}

func TestFormsNameTheFieldAtFault(t *testing.T) {
	e := newEnv(t, sqldbtest.SQLiteURL(t))
	b := e.browser(t)
	b.signIn("admin")
	resp, body := b.do("POST", "/admin/users", url.Values{"username": {"Not Valid"}, "email": {"nope"}, "role": {"viewer"}, "password": {"long-enough"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, f := range []string{"username", "email"} {
		if !regexp.MustCompile(`id="f-` + f + `"[^>]*aria-invalid="true"`).MatchString(body) {
			t.Errorf("field %s is not marked invalid", f)
		}
	}
	if !strings.Contains(body, `value="Not Valid"`) {
		t.Error("the typed username is not kept")
	}
	resp, body = b.do("POST", "/profile/password", url.Values{"current_password": {"password-admin"}, "new_password": {"abcdefgh1"}, "confirm_password": {"abcdefgh2"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "The two new passwords differ.") {
		t.Fatalf("mismatched confirmation: %d", resp.StatusCode)
	}
}

func TestHTMLIsEscaped(t *testing.T) {
	e := newEnv(t, sqldbtest.SQLiteURL(t))
	if status, body := e.do(admin, "PATCH", "/api/v1/users/member", `{"display_name":"<script>alert(1)</script>"}`); status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	b := e.browser(t)
	b.signIn("admin")
	resp, body := b.do("GET", "/admin/users", nil)
	if strings.Contains(body, "<script>alert(1)") || !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Fatal("the display name was not escaped")
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Fatalf("Content-Security-Policy %q", csp)
	}
}

func TestStaticAssetsHashed(t *testing.T) {
	e := newEnv(t, sqldbtest.SQLiteURL(t))
	b := e.browser(t)
	_, body := b.do("GET", "/login", nil)
	m := regexp.MustCompile(`/static/vendor/htmx-2\.0\.11\.min\.[0-9a-f]{10}\.js`).FindString(body)
	if m == "" {
		t.Fatal("no hashed htmx URL on the sign-in page")
	}
	resp, js := b.do("GET", m, nil)
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") || !strings.Contains(js, `version:"2.0.11"`) {
		t.Fatalf("%s: %d %q", m, resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	if resp, _ := b.do("GET", "/static/vendor/htmx-2.0.11.min.js", nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unhashed URL answered %d", resp.StatusCode)
	}
}

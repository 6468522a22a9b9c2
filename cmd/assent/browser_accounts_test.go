package main

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestBrowser_Accounts walks through accounts as people do it: the admin
// creates a user and a group, makes an API token and uses it, and logs out;
// the new user signs in and changes her password; the timeline shows it all.
func TestBrowser_Accounts(t *testing.T) {
	url := serveForBrowser(t)
	b := newBrowser(t, url)

	// Wrong credentials get one message that does not say which part was wrong.
	b.visit("/login")
	b.screenshot("accounts-login")
	const wrong = "Wrong username or password."
	b.submitSignIn("admin", "not-the-password")
	if got := b.text(".login .flash-error"); got != wrong {
		t.Fatalf("wrong password: %q, want %q", got, wrong)
	}
	if got := b.value("#f-username"); got != "admin" {
		t.Errorf("the username is not kept after a wrong password: %q", got)
	}
	b.submitSignIn("nobody", "not-the-password")
	if got := b.text(".login .flash-error"); got != wrong {
		t.Fatalf("unknown user: %q, want %q", got, wrong)
	}

	b.submitSignIn("admin", browserAdminPassword)
	if got := b.path(); got != "/" {
		t.Fatalf("after signing in: at %s, want /", got)
	}
	if got := b.text("main h1"); !strings.Contains(got, "Welcome") {
		t.Errorf("home heading: %q", got)
	}
	b.screenshot("accounts-home")

	// A user.
	b.visit("/admin/users")
	b.click("details.create > summary")
	b.fill("#f-username", "ada")
	b.fill("#f-display_name", "Ada Lovelace")
	b.fill("#f-email", "ada@example.com")
	b.fill("#f-role", "member")
	b.fill("#f-password", "ada-first-password")
	b.click(`form[action="/admin/users"] button[type="submit"]`)
	if got := b.text(".flash"); got != "User ada created." {
		t.Errorf("flash after creating ada: %q", got)
	}
	if got := b.text("#user-ada"); !strings.Contains(got, "Ada Lovelace") || !strings.Contains(got, "ada@example.com") {
		t.Errorf("ada's row: %q", got)
	}
	if got := b.value(`#user-ada select[name="role"]`); got != "member" {
		t.Errorf("ada's role: %q, want member", got)
	}
	b.screenshot("accounts-admin-users")

	// A group, with ada in it.
	b.visit("/admin/groups")
	b.click("details.create > summary")
	b.fill("#f-name", "risk")
	b.fill("#f-description", "Risk office")
	b.click(`form[action="/admin/groups"] button[type="submit"]`)
	if got := b.text(".flash"); got != "Group risk created." {
		t.Errorf("flash after creating risk: %q", got)
	}
	if b.exists("#group-risk .chips") {
		t.Errorf("a new group has members: %q", b.text("#group-risk .chips"))
	}
	b.fill(`#group-risk select[name="username"]`, "ada")
	b.click(`#group-risk button[name="action"][value="add"]`)
	if got := b.texts("#group-risk .chips > li"); len(got) != 1 || !strings.HasPrefix(got[0], "ada") {
		t.Errorf("risk's members: %q, want ada", got)
	}
	b.screenshot("accounts-admin-groups")

	// A token, used against the API.
	b.visit("/profile")
	b.fill("#f-token_name", "ci")
	b.click(`form[action="/profile/tokens"] button[type="submit"]`)
	token := b.value("#new-token-value")
	if token == "" {
		t.Fatal("no token shown after creating one")
	}
	if got := b.text("#tokens table"); !strings.Contains(got, "ci") {
		t.Errorf("the token list lacks ci: %q", got)
	}
	b.screenshot("accounts-profile-token")
	if status, body := request(t, "GET", url+"/api/v1/me", token, ""); status != http.StatusOK || !strings.Contains(body, `"role":"admin"`) {
		t.Fatalf("GET /api/v1/me with the new token: %d %s", status, body)
	}

	b.signOut()
	if got := b.path(); !strings.HasPrefix(got, "/login") {
		t.Fatalf("after logging out: at %s, want /login", got)
	}
	if got := b.text(".flash"); got != "You have signed out." {
		t.Errorf("flash after logging out: %q", got)
	}

	// Ada changes her password.
	b.signIn("ada", "ada-first-password")
	if got := b.path(); got != "/" {
		t.Fatalf("ada signed in: at %s, want /", got)
	}
	b.visit("/profile")
	b.fill("#f-current_password", "ada-first-password")
	b.fill("#f-new_password", "ada-second-password")
	b.fill("#f-confirm_password", "ada-second-password")
	b.click(`form[action="/profile/password"] button[type="submit"]`)
	if got := b.text(".flash"); got != "Your password is changed; your other sessions have ended." {
		t.Fatalf("flash after changing the password: %q", got)
	}
	b.signOut()
	b.signIn("ada", "ada-first-password")
	if got := b.text(".login .flash-error"); got != wrong {
		t.Fatalf("ada's old password: %q, want %q", got, wrong)
	}
	b.submitSignIn("ada", "ada-second-password")
	if got := b.path(); got != "/" {
		t.Fatalf("ada's new password: at %s, want /", got)
	}

	// The timeline, which everyone can read, shows all of it.
	b.visit("/timeline")
	rows := b.texts("#events tbody tr")
	for _, want := range [][]string{
		{"admin", "user.create", "ada"},
		{"admin", "group.create", "risk"},
		{"admin", "group.members", "risk"},
		{"admin", "token.create"},
		{"ada", "user.password_set", "ada"},
		{"admin", "user.login", "admin"},
		{"admin", "user.logout", "admin"},
		{"ada", "user.login", "ada"},
		{"ada", "user.logout", "ada"},
	} {
		if !slices.ContainsFunc(rows, func(row string) bool { return containsAll(row, want...) }) {
			t.Errorf("the timeline lacks %q:\n%s", want, strings.Join(rows, "\n"))
		}
	}
	b.screenshot("accounts-timeline")

	// The filters narrow the table in place (htmx) and keep the URL.
	b.fill(`.filters input[name="object"]`, "user:ada")
	b.click(`.filters button[type="submit"]`)
	b.waitFor(`[...document.querySelectorAll("#events tbody tr")].every(r => r.cells[3].innerText.trim() === "user ada")`)
	narrowed := b.texts("#events tbody tr")
	if len(narrowed) == 0 || len(narrowed) >= len(rows) {
		t.Errorf("object=user:ada left %d of %d events", len(narrowed), len(rows))
	}
	if got := b.path(); !strings.Contains(got, "object=user") {
		t.Errorf("the filter is not in the URL: %s", got)
	}
	b.fill(`.filters input[name="object"]`, "")
	b.fill(`.filters input[name="actor"]`, "admin")
	b.fill(`.filters input[name="action"]`, "token.create")
	b.click(`.filters button[type="submit"]`)
	b.waitFor(`document.querySelectorAll("#events tbody tr").length === 1`)
	if got := b.text("#events tbody tr"); !containsAll(got, "admin", "token.create") {
		t.Errorf("actor=admin action=token.create: %q", got)
	}

	// A phone-sized window.
	b.resize(phoneWidth, phoneHeight)
	b.visit("/")
	b.screenshot("accounts-home-narrow")
	b.visit("/timeline")
	b.screenshot("accounts-timeline-narrow")
}

// TestBrowser_SessionEndedReturnsToPage ends a session from another browser:
// the first browser's next page is the sign-in page, which says why, and
// signing in again leads back to the page it asked for.
func TestBrowser_SessionEndedReturnsToPage(t *testing.T) {
	url := serveForBrowser(t)
	first := newBrowser(t, url)
	first.signIn("admin", browserAdminPassword)

	second := newBrowser(t, url)
	second.signIn("admin", browserAdminPassword)
	second.visit("/profile")
	if got := second.texts("#sessions tbody tr"); len(got) != 2 {
		t.Errorf("sessions listed: %q, want 2", got)
	}
	second.click(`form[action="/profile/sessions/end"] button[type="submit"]`)
	if got := second.path(); !strings.HasPrefix(got, "/login") {
		t.Fatalf("after logging out everywhere: at %s, want /login", got)
	}
	if got := second.text(".flash"); got != "You are signed out of all your sessions." {
		t.Errorf("flash after logging out everywhere: %q", got)
	}

	first.visit("/timeline?actor=admin")
	if got := first.path(); !strings.HasPrefix(got, "/login") {
		t.Fatalf("with an ended session: at %s, want /login", got)
	}
	if got := first.text(".login .flash-error"); !strings.Contains(got, "Your session has ended") {
		t.Errorf("sign-in page after the session ended: %q", got)
	}
	first.submitSignIn("admin", browserAdminPassword)
	if got := first.path(); got != "/timeline?actor=admin" {
		t.Fatalf("after signing in again: at %s, want /timeline?actor=admin", got)
	}
	if got := first.value(`.filters input[name="actor"]`); got != "admin" {
		t.Errorf("actor filter after coming back: %q", got)
	}
}

// containsAll reports whether s contains every one of subs.
func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

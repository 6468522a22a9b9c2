package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"assent/sqldb/sqldbtest"
)

// signoffFixture is a governed project whose IT & Operations reviewer is
// "reviewer" and whose final approver is admin, with a model and a
// version whose Review step has the sign-off.
type signoffFixture struct {
	project, version string
}

func newSignoffFixture(t *testing.T, e *env) signoffFixture {
	t.Helper()
	create := func(body string) string {
		t.Helper()
		status, resp := e.do(admin, "POST", "/api/v1/items", body)
		if status != http.StatusCreated {
			t.Fatalf("create %s: %d %s", body, status, resp)
		}
		var it struct{ ID string }
		decode(t, resp, &it)
		return it.ID
	}
	if status, body := e.do(admin, "POST", "/api/v1/users", `{"username":"reviewer","role":"member","password":"password-reviewer"}`); status != http.StatusCreated {
		t.Fatalf("create reviewer: %d %s", status, body)
	}
	var f signoffFixture
	f.project = create(`{"template":{"id":"standard-project"},"name":"Govern Tutorial","fields":{"reviewers_it_ops":["reviewer"],"final_approvers":["admin"]}}`)
	model := create(`{"template":{"id":"standard-model"},"name":"Predict authorized_flag (binary)","parent":"` + f.project + `"}`)
	f.version = create(`{"template":{"id":"standard-model-version"},"name":"Random forest (s1) - v2","parent":"` + model + `"}`)
	return f
}

// signoffRevision reads the sign-off's revision from the panel's forms.
func signoffRevision(t *testing.T, page string) string {
	t.Helper()
	m := regexp.MustCompile(`id="signoff-form">\s*<input type="hidden" name="revision" value="(\d+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no sign-off form on the page")
	}
	return m[1]
}

// TestSignoffPages drives a Review sign-off through its pages: who sees
// what, feedback through the form, refusals with their reasons, escaping.
func TestSignoffPages(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		f := newSignoffFixture(t, e)
		step := "/items/" + f.version + "?step=review"
		act := func(a string) string { return "/items/" + f.version + "/signoffs/review/" + a }

		writer := e.browser(t)
		writer.signIn("member")
		reviewer := e.browser(t)
		reviewer.signIn("reviewer")

		_, page := writer.do("GET", step, nil)
		if !strings.Contains(page, `id="signoff-state"><span class="badge signoff-state signoff-not-started">Not started</span>`) ||
			!strings.Contains(page, `id="signoff-request-feedback"`) || !strings.Contains(page, "<li>reviewer</li>") {
			t.Fatalf("the writer's panel before any request:\n%s", page)
		}
		// The Request feedback dialog lists who may be notified, nobody checked.
		_, page = writer.do("GET", step+"&so=request-feedback", nil)
		if !strings.Contains(page, `<dialog open id="signoff-dialog"`) || !strings.Contains(page, `name="notify" value="reviewer" >`) ||
			strings.Contains(page, "checked") {
			t.Fatalf("request feedback dialog:\n%s", page)
		}
		resp, _ := writer.do("POST", act("request-feedback"), url.Values{"revision": {signoffRevision(t, page)}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != step+"#signoff" {
			t.Fatalf("request feedback: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}

		t.Run("ReviewerSeesRequestAndTask", func(t *testing.T) {
			_, page := reviewer.do("GET", step, nil)
			if !strings.Contains(page, "You have been requested to review this item") || !strings.Contains(page, `id="signoff-add-feedback"`) {
				t.Fatalf("the reviewer is not asked:\n%s", page)
			}
			_, home := reviewer.do("GET", "/", nil)
			if !strings.Contains(home, `href="`+step+`#signoff"`) || !strings.Contains(home, "Feedback for IT &amp; Operations") {
				t.Fatalf("my tasks:\n%s", home)
			}
		})
		t.Run("ErrViewerForbidden", func(t *testing.T) {
			v := e.browser(t)
			v.signIn("viewer")
			_, page := v.do("GET", step, nil)
			if !strings.Contains(page, `id="signoff"`) {
				t.Fatal("a viewer sees no sign-off")
			}
			for _, offer := range []string{`id="signoff-request-feedback"`, `id="signoff-request-approval"`, `id="signoff-add-feedback"`, "More options", "/signoffs/review/"} {
				if strings.Contains(page, offer) {
					t.Errorf("a viewer is offered %s", offer)
				}
			}
			resp, _ := v.do("POST", act("add-feedback"), url.Values{"group": {"it_ops"}, "status": {"APPROVED"}})
			if resp.StatusCode != http.StatusForbidden {
				t.Fatalf("a viewer's feedback: %d", resp.StatusCode)
			}
		})
		t.Run("ErrNotAGroupMember", func(t *testing.T) {
			_, page := writer.do("GET", step, nil)
			if strings.Contains(page, "You have been requested to review") {
				t.Fatal("a member outside the groups is asked to review")
			}
			resp, page := writer.do("POST", act("add-feedback"), url.Values{"group": {"it_ops"}, "status": {"APPROVED"}})
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(page, `id="signoff-error"`) ||
				!strings.Contains(page, "Only the members of IT &amp; Operations (or its delegate) give its feedback") {
				t.Fatalf("feedback from outside the group: %d\n%s", resp.StatusCode, page)
			}
		})
		t.Run("ErrInvalidAtTheField", func(t *testing.T) {
			long := strings.Repeat("x", 10001)
			resp, page := reviewer.do("POST", act("add-feedback"), url.Values{"group": {"it_ops"}, "status": {"MINOR_ISSUE"}, "comment": {long}})
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `<dialog open id="signoff-dialog"`) ||
				!strings.Contains(page, `name="comment" rows="4" maxlength="10000" aria-invalid="true"`) ||
				!strings.Contains(page, `value="MINOR_ISSUE" id="status-MINOR_ISSUE" checked`) {
				t.Fatalf("too long a comment: %d\n%s", resp.StatusCode, page)
			}
		})
		t.Run("FeedbackThroughTheForm", func(t *testing.T) {
			_, page := reviewer.do("GET", step+"&so=add-feedback", nil)
			if !strings.Contains(page, `id="status-MINOR_ISSUE"`) || !strings.Contains(page, `<input type="hidden" name="group" value="it_ops">`) {
				t.Fatalf("review dialog:\n%s", page)
			}
			comment := `Location bias? <script>alert("x")</script>`
			resp, _ := reviewer.do("POST", act("add-feedback"), url.Values{"revision": {signoffRevision(t, page)},
				"group": {"it_ops"}, "status": {"MINOR_ISSUE"}, "comment": {comment}})
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("feedback: %d", resp.StatusCode)
			}
			_, page = reviewer.do("GET", step, nil)
			if !strings.Contains(page, "Your review is submitted.") || !strings.Contains(page, `<span class="verdict verdict-minor_issue">Minor issue</span>`) ||
				!strings.Contains(page, `Location bias? &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;`) {
				t.Fatalf("the feedback is not shown:\n%s", page)
			}
			if strings.Contains(page, "<script>alert") || strings.Contains(page, "You have been requested to review") {
				t.Fatal("the comment is not escaped, or the reviewer is still asked")
			}
			if _, home := reviewer.do("GET", "/", nil); strings.Contains(home, "Feedback for IT") {
				t.Error("the task stays after the feedback")
			}
			// Its author edits it from the More options menu.
			fid := regexp.MustCompile(`id="feedback-menu-([^"]+)"`).FindStringSubmatch(page)
			if fid == nil {
				t.Fatal("no menu on one's own feedback")
			}
			_, page = reviewer.do("GET", step+"&so=edit-feedback&fid="+fid[1], nil)
			if !strings.Contains(page, `value="MINOR_ISSUE" id="status-MINOR_ISSUE" checked`) || !strings.Contains(page, "Save changes") {
				t.Fatalf("edit dialog:\n%s", page)
			}
			resp, _ = reviewer.do("POST", act("edit-feedback"), url.Values{"revision": {signoffRevision(t, page)}, "feedback": {fid[1]},
				"status": {"MAJOR_ISSUE"}, "comment": {"Major."}})
			if _, page = reviewer.do("GET", step, nil); resp.StatusCode != http.StatusSeeOther || !strings.Contains(page, "Major issue") {
				t.Fatalf("edit: %d", resp.StatusCode)
			}
			// Another member sees it without a menu.
			if _, page = writer.do("GET", step, nil); strings.Contains(page, "feedback-menu-") {
				t.Error("someone else's feedback offers edits")
			}
		})
		t.Run("ErrStaleRevision", func(t *testing.T) {
			resp, page := writer.do("POST", act("request-approval"), url.Values{"revision": {"1"}})
			if resp.StatusCode != http.StatusPreconditionFailed || !strings.Contains(page, "someone acted on it since you read it") ||
				!strings.Contains(page, ">Waiting for feedback<") {
				t.Fatalf("stale request: %d\n%s", resp.StatusCode, page)
			}
		})
		t.Run("ApproverTask", func(t *testing.T) {
			_, page := writer.do("GET", step+"&so=request-approval", nil)
			if resp, _ := writer.do("POST", act("request-approval"), url.Values{"revision": {signoffRevision(t, page)}}); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("request approval: %d", resp.StatusCode)
			}
			a := e.browser(t)
			a.signIn("admin")
			if _, home := a.do("GET", "/", nil); !strings.Contains(home, "Final approval") || !strings.Contains(home, "Random forest (s1) - v2") {
				t.Fatalf("the approver's tasks:\n%s", home)
			}
			if _, page := a.do("GET", step, nil); !strings.Contains(page, `id="signoff-approval"`) {
				t.Fatal("the approver is not asked")
			}
			// An action the state does not allow is a conflict with the reason.
			resp, page := writer.do("POST", act("cancel-abandon"), nil)
			if resp.StatusCode != http.StatusConflict || !strings.Contains(page, "cancel-abandon is not possible") {
				t.Fatalf("cancel-abandon while waiting: %d", resp.StatusCode)
			}
		})
		t.Run("Delegate", func(t *testing.T) {
			_, page := writer.do("GET", step+"&so=delegate", nil)
			if !strings.Contains(page, `<option value="business" >the feedback of Business</option>`) || !strings.Contains(page, `<option value="viewer">viewer</option>`) {
				t.Fatalf("delegate dialog:\n%s", page)
			}
			resp, page := writer.do("POST", act("delegate"), url.Values{"revision": {signoffRevision(t, page)}, "group": {"business"}, "to": {"nobody"}})
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `id="f-delegate-to" name="to" value="nobody"`) || !strings.Contains(page, `<option value="viewer">viewer</option>`) {
				t.Fatalf("delegate to an unknown user: %d\n%s", resp.StatusCode, page)
			}
			resp, _ = writer.do("POST", act("delegate"), url.Values{"revision": {signoffRevision(t, page)}, "group": {"business"}, "to": {"member"}})
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("delegate: %d", resp.StatusCode)
			}
			_, page = writer.do("GET", step, nil)
			if !strings.Contains(page, "Delegated to member.") || !strings.Contains(page, "Delegated to <strong>member</strong>") ||
				!strings.Contains(page, "You have been requested to review this item for <strong>Business</strong>") {
				t.Fatalf("after delegating:\n%s", page)
			}
		})
	})
}

// TestPrincipalsPicker edits the project's reviewers with the picker:
// add myself and a choice, remove one, save.
func TestPrincipalsPicker(t *testing.T) {
	e := newEnv(t, sqldbtest.SQLiteURL(t))
	status, body := e.do(admin, "POST", "/api/v1/items", `{"template":{"id":"standard-project"},"name":"P","fields":{"final_approvers":["admin"]}}`)
	if status != http.StatusCreated {
		t.Fatalf("%d %s", status, body)
	}
	var it struct{ ID string }
	decode(t, body, &it)
	b := e.browser(t)
	b.signIn("member")
	_, page := b.do("GET", "/items/"+it.ID+"?edit=1", nil)
	for _, want := range []string{`id="picker-final_approvers"`, `<input type="hidden" name="f_final_approvers" value="admin">`,
		`id="add-myself-reviewers_it_ops"`, `<option value="viewer">viewer</option>`} {
		if !strings.Contains(page, want) {
			t.Fatalf("the edit form lacks %s:\n%s", want, page)
		}
	}
	// "Add myself" draws the form again with the change, saving nothing.
	resp, page := b.do("POST", "/items/"+it.ID+"/fields", url.Values{"revision": {"1"}, "picker": {"self:reviewers_it_ops"},
		"f_final_approvers": {"admin"}, "f_description": {"kept"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `<input type="hidden" name="f_reviewers_it_ops" value="member">`) ||
		strings.Contains(page, `id="add-myself-reviewers_it_ops"`) || !strings.Contains(page, ">kept</textarea>") {
		t.Fatalf("add myself: %d\n%s", resp.StatusCode, page)
	}
	if _, got := e.do(admin, "GET", "/api/v1/items/"+it.ID, ""); !strings.Contains(got, `"revision":1`) {
		t.Fatal("add myself saved the item")
	}
	resp, _ = b.do("POST", "/items/"+it.ID+"/fields", url.Values{"revision": {"1"}, "f_reviewers_it_ops": {"member"},
		"f_final_approvers": {"admin"}, "f_final_approvers_remove": {"admin"}, "f_final_approvers_add": {"group:risk"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	_, got := e.do(admin, "GET", "/api/v1/items/"+it.ID, "")
	if !strings.Contains(got, `"reviewers_it_ops":["member"]`) || !strings.Contains(got, `"final_approvers":["group:risk"]`) {
		t.Fatalf("saved: %s", got)
	}
}

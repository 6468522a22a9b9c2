package web_test

import (
	"fmt"
	"strings"
	"testing"

	"assent/sqldb/sqldbtest"
)

// strictReview is a template whose one step's sign-off forbids approving
// one's own request: member reviews, member and admin approve.
const strictReview = `
id: strict-review
name: Strict review
item_type: model_card
fields:
  - {id: notes, label: Notes, type: text}
steps:
  - id: review
    name: Review
    fields: [notes]
    signoff:
      feedback_groups:
        - {id: risk, name: Risk, members: ["user:member"]}
      approvers: ["user:member", "user:admin"]
      mandatory: true
      no_self_approval: true
`

func TestSignoffAPI(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		if status, body := e.putTemplate(admin, "/api/v1/templates/strict-review?activate=true", strictReview); status != 201 {
			t.Fatalf("template: %d %s", status, body)
		}
		status, body := e.do(member, "POST", "/api/v1/items", `{"template":{"id":"strict-review"},"name":"Card"}`)
		var it struct{ ID string }
		decode(t, body, &it)
		if status != 201 {
			t.Fatalf("item: %d %s", status, body)
		}
		base := "/api/v1/items/" + it.ID + "/signoffs/review"

		if status, body := e.do(viewer, "GET", base, ""); status != 200 || !strings.Contains(body, `"state":"NOT_STARTED"`) || !strings.Contains(body, `"members":["member"]`) {
			t.Fatalf("get: %d %s", status, body)
		}
		if status, body := e.do(viewer, "POST", base+"/request-feedback", `{}`); status != 403 || !strings.Contains(body, "member role") {
			t.Fatalf("viewer acts: %d %s", status, body)
		}
		if status, body := e.do(member, "POST", base+"/request-feedback", `{"notify":["viewer"]}`); status != 422 || !strings.Contains(body, `"location":"notify[0]"`) {
			t.Fatalf("notify a non-reviewer: %d %s", status, body)
		}
		if status, body := e.do(member, "POST", base+"/request-feedback", `{"notify":[]}`); status != 200 || !strings.Contains(body, `"state":"WAITING_FOR_FEEDBACK"`) {
			t.Fatalf("request feedback: %d %s", status, body)
		}
		if status, body := e.do(admin, "POST", base+"/feedback", `{"group":"risk","status":"APPROVED"}`); status != 403 || !strings.Contains(body, "Only the members of Risk") {
			t.Fatalf("non-member feedback: %d %s", status, body)
		}
		for _, bad := range []struct{ body, location string }{
			{`{"group":"nope","status":"APPROVED"}`, "group"},
			{`{"group":"risk","status":"GREAT"}`, "status"},
			{fmt.Sprintf(`{"group":"risk","status":"APPROVED","comment":"%s"}`, strings.Repeat("x", 10001)), "comment"},
		} {
			if status, body := e.do(member, "POST", base+"/feedback", bad.body); status != 422 || !strings.Contains(body, `"location":"`+bad.location+`"`) {
				t.Fatalf("bad feedback at %s: %d %.300s", bad.location, status, body)
			}
		}
		status, body = e.do(member, "POST", base+"/feedback", `{"group":"risk","status":"MINOR_ISSUE","comment":"Location bias?"}`)
		if status != 201 || !strings.Contains(body, `"status":"MINOR_ISSUE"`) {
			t.Fatalf("feedback: %d %s", status, body)
		}
		var sig struct {
			Revision int64
			Feedback []struct{ ID string }
		}
		decode(t, body, &sig)
		fb := base + "/feedback/" + sig.Feedback[0].ID
		if status, body := e.do(admin, "PATCH", fb, `{"status":"APPROVED"}`); status != 403 || !strings.Contains(body, "Only its author") {
			t.Fatalf("edit another's feedback: %d %s", status, body)
		}
		if status, body := e.doWith(member, "PATCH", fb, `{"status":"MAJOR_ISSUE"}`, "If-Match", fmt.Sprintf(`"%d"`, sig.Revision-1)); status != 412 {
			t.Fatalf("stale edit: %d %s", status, body)
		}
		if status, body := e.do(member, "PATCH", fb, `{"status":"MAJOR_ISSUE"}`); status != 200 || !strings.Contains(body, `"status":"MAJOR_ISSUE"`) {
			t.Fatalf("edit: %d %s", status, body)
		}
		if status, body := e.do(member, "POST", "/api/v1/items/"+it.ID+"/workflow/review", `{"status":"FINISHED"}`); status != 409 || !strings.Contains(body, "must be APPROVED") {
			t.Fatalf("finish before approval: %d %s", status, body)
		}
		if status, body := e.do(member, "POST", base+"/request-approval", `{}`); status != 200 || !strings.Contains(body, `"approval_requested_by":"member"`) {
			t.Fatalf("request approval: %d %s", status, body)
		}
		if status, body := e.do(admin, "GET", "/api/v1/me/tasks", ""); status != 200 || !strings.Contains(body, `"role":"approval"`) {
			t.Fatalf("admin's tasks: %d %s", status, body)
		}
		if status, body := e.do(member, "POST", base+"/approval", `{"status":"APPROVED"}`); status != 403 || !strings.Contains(body, "forbids approving one's own request") {
			t.Fatalf("self-approval: %d %s", status, body)
		}
		if status, body := e.do(admin, "POST", base+"/approval", `{"status":"REJECTED","comment":"Redesign it."}`); status != 201 || !strings.Contains(body, `"state":"REJECTED"`) {
			t.Fatalf("reject: %d %s", status, body)
		}
		if status, body := e.do(member, "POST", base+"/abandon", ``); status != 200 || !strings.Contains(body, `"state":"ABANDONED"`) {
			t.Fatalf("abandon: %d %s", status, body)
		}
		for _, path := range []string{"/request-feedback", "/back-to-feedback", "/feedback/" + sig.Feedback[0].ID} {
			method := "POST"
			if strings.HasPrefix(path, "/feedback/") {
				method = "DELETE"
			}
			if status, body := e.do(member, method, base+path, `{}`); status != 409 || !strings.Contains(body, "ABANDONED") || !strings.Contains(body, "it allows cancel-abandon, reset") {
				t.Fatalf("%s on an abandoned sign-off: %d %s", path, status, body)
			}
		}
		if status, body := e.do(member, "POST", base+"/cancel-abandon", ``); status != 200 || !strings.Contains(body, `"state":"REJECTED"`) || !strings.Contains(body, "Redesign it.") {
			t.Fatalf("cancel abandon: %d %s", status, body)
		}
		if status, body := e.do(member, "POST", base+"/reset", `{"reload_config":true}`); status != 200 || !strings.Contains(body, `"cycle":2`) || !strings.Contains(body, `"history":null`) {
			t.Fatalf("reset: %d %s", status, body)
		}
		if status, body := e.do(viewer, "GET", base, ""); status != 200 || !strings.Contains(body, `"history":[{"cycle":1,"state":"REJECTED"`) {
			t.Fatalf("history after reset: %d %s", status, body)
		}
		if status, body := e.do(viewer, "GET", "/api/v1/items/"+it.ID+"/timeline", ""); status != 200 || !strings.Contains(body, `"action":"signoff.reset"`) || !strings.Contains(body, `"action":"signoff.approval"`) {
			t.Fatalf("timeline: %d %s", status, body)
		}
		if status, body := e.do(member, "POST", "/api/v1/items/"+it.ID+"/archive", ""); status != 200 {
			t.Fatalf("archive: %d %s", status, body)
		}
		if status, body := e.do(member, "POST", base+"/request-feedback", `{}`); status != 409 || !strings.Contains(body, "archived") {
			t.Fatalf("act on an archived item: %d %s", status, body)
		}
		if status, body := e.do(viewer, "GET", "/api/v1/items/"+it.ID+"/signoffs/notes", ``); status != 404 || !strings.Contains(body, "has no sign-off") {
			t.Fatalf("a step without sign-off: %d %s", status, body)
		}
	})
}

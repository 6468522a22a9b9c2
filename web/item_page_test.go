package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"assent/sqldb/sqldbtest"
)

// TestItemPage walks the Exploration step of a project through the page:
// edit, save, a stale save refused, finish.
func TestItemPage(t *testing.T) {
	e := newEnv(t, sqldbtest.SQLiteURL(t))
	status, body := e.do(member, "POST", "/api/v1/items", `{"template":{"id":"standard-project"},"name":"Card fraud <detection>"}`)
	if status != http.StatusCreated {
		t.Fatalf("%d %s", status, body)
	}
	var it struct{ ID string }
	decode(t, body, &it)
	b := e.browser(t)
	b.signIn("member")

	resp, page := b.do("GET", "/items/"+it.ID+"?step=exploration", nil)
	if resp.StatusCode != 200 || !strings.Contains(page, "Card fraud &lt;detection&gt;") || !strings.Contains(page, `id="finish"`) {
		t.Fatalf("step page: %d", resp.StatusCode)
	}
	note := "This project will use a data pipeline to model **credit card fraud**."
	resp, _ = b.do("POST", "/items/"+it.ID+"/fields?step=exploration", url.Values{"revision": {"1"}, "f_exploration_notes": {note}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	_, page = b.do("GET", "/items/"+it.ID+"?step=exploration", nil)
	if !strings.Contains(page, "<strong>credit card fraud</strong>") || !strings.Contains(page, "Ongoing") {
		t.Fatalf("the saved note is not shown as Markdown, or the step did not start")
	}
	// A form drawn at revision 1 is stale now: nothing is written.
	resp, _ = b.do("POST", "/items/"+it.ID+"/fields?step=exploration", url.Values{"revision": {"1"}, "f_exploration_notes": {"overwritten"}})
	_, page = b.do("GET", resp.Header.Get("Location"), nil)
	if !strings.Contains(page, "someone changed it since you read it") || strings.Contains(page, "overwritten") {
		t.Fatal("a stale save was not refused")
	}
	resp, _ = b.do("POST", "/items/"+it.ID+"/steps/exploration", url.Values{"revision": {"2"}, "status": {"FINISHED"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "step=qualification") {
		t.Fatalf("finish: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// A bad value comes back with the field marked.
	resp, page = b.do("POST", "/items/"+it.ID+"/fields", url.Values{"revision": {"3"}, "f_start_date": {"soon"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `id="f-start_date" name="f_start_date" value="soon" aria-invalid="true"`) {
		t.Fatalf("bad date: %d", resp.StatusCode)
	}
	// A viewer reads but sees no edit buttons.
	v := e.browser(t)
	v.signIn("viewer")
	_, page = v.do("GET", "/items/"+it.ID, nil)
	if strings.Contains(page, `id="edit"`) || strings.Contains(page, "Archive this item") {
		t.Fatal("a viewer is offered edits")
	}
}

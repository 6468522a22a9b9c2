package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowser_ProjectSteps walks a project's Exploration and Qualification
// steps on the item page as the tutorial does: notes, a requirements
// document, Save, Set as finished; ratings and the decision; finish.
func TestBrowser_ProjectSteps(t *testing.T) {
	url := serveForBrowser(t)
	status, body := request(t, "POST", url+"/api/v1/auth/tokens", "", `{"username":"admin","password":"`+browserAdminPassword+`"}`)
	if status != http.StatusCreated {
		t.Fatalf("token: %d %s", status, body)
	}
	var tok struct{ Token string }
	json.Unmarshal([]byte(body), &tok)
	status, body = request(t, "POST", url+"/api/v1/items", tok.Token, `{"template":{"id":"standard-project"},"name":"Credit card fraud"}`)
	if status != http.StatusCreated {
		t.Fatalf("project: %d %s", status, body)
	}
	var project struct{ ID string }
	json.Unmarshal([]byte(body), &project)

	b := newBrowser(t, url)
	b.signIn("admin", browserAdminPassword)
	b.visit("/items/" + project.ID)
	b.click("#step-link-exploration")
	b.click("#edit")
	b.fill("#f-exploration_notes", "This project will use a data pipeline to model credit card fraud.")
	b.click(`form.item-form button[type="submit"]`)
	if got := b.text("#value-exploration_notes"); got != "This project will use a data pipeline to model credit card fraud." {
		t.Fatalf("notes shown: %q", got)
	}
	doc := filepath.Join(t.TempDir(), "requirements.md")
	os.WriteFile(doc, []byte("# Requirements\n"), 0o600)
	b.do("choose file", chromedp.SetUploadFiles(chromedp.CSS(`form.upload-form input[type="file"]`), []string{doc}))
	b.click(`form.upload-form button[type="submit"]`)
	if got := b.text("#value-exploration_documents"); !strings.Contains(got, "requirements.md") {
		t.Fatalf("documents shown: %q", got)
	}
	b.screenshot("item-exploration")
	b.click("#finish")
	if got := b.path(); !strings.Contains(got, "step=qualification") {
		t.Fatalf("after finishing exploration: at %s", got)
	}
	if got := b.text("#step-link-exploration small"); got != "Finished" {
		t.Errorf("exploration shows %q", got)
	}
	b.click("#edit")
	b.fill("#f-qualification_value_rating", "High")
	b.fill("#f-qualification_feasibility_rating", "High")
	b.fill("#f-qualification_decision", "Go")
	b.click(`form.item-form button[type="submit"]`)
	b.click("#finish")
	if got := b.text(".item-head p"); !strings.Contains(got, "current step progress") {
		t.Errorf("header after qualification: %q", got)
	}
	b.visit("/items/" + project.ID)
	b.screenshot("item-overview")
	b.resize(390, 844)
	b.screenshot("item-overview-narrow")
}

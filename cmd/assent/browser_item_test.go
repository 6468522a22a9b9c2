package main

import (
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
	b := newBrowser(t, url)
	b.signIn("admin", browserAdminPassword)

	// A business initiative and a project in it, from their pages.
	b.visit("/business-initiatives")
	b.click("details.view-create > summary")
	b.fill("#f-name", "Fraud reduction")
	b.click(`details.view-create button[type="submit"]`)
	initiative, ok := strings.CutPrefix(b.path(), "/items/")
	if !ok {
		t.Fatalf("after creating the initiative: at %s", b.path())
	}
	b.visit("/projects")
	b.click("details.view-create > summary")
	b.fill("#f-name", "Credit card fraud")
	b.fill("#f-business_initiative", initiative)
	b.click(`details.view-create button[type="submit"]`)
	project, ok := strings.CutPrefix(b.path(), "/items/")
	if !ok {
		t.Fatalf("after creating the project: at %s", b.path())
	}

	// Exploration: notes, a requirements document, Save, Set as finished.
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

	// Qualification: Value High, Feasibility High, Go; finish.
	b.click("#edit")
	b.fill("#f-qualification_value_rating", "High")
	b.fill("#f-qualification_feasibility_rating", "High")
	b.fill("#f-qualification_decision", "Go")
	b.click(`form.item-form button[type="submit"]`)
	b.click("#finish")
	if got := b.text(".item-head p"); !strings.Contains(got, "current step In Progress") {
		t.Errorf("header after qualification: %q", got)
	}
	events := b.texts(".item-timeline li code")
	want := []string{"item.workflow", "item.update", "item.workflow", "item.update", "item.update", "item.create"}
	if strings.Join(events, ",") != strings.Join(want, ",") {
		t.Errorf("item timeline %v, want %v", events, want)
	}
	b.visit("/items/" + project)
	b.screenshot("item-overview")

	// The project is In Progress in the table and the Kanban, and High/High in the matrix.
	b.visit("/projects")
	if got := b.text("#items-table tbody"); !strings.Contains(got, "Credit card fraud") || !strings.Contains(got, "In Progress") {
		t.Errorf("table: %q", got)
	}
	b.visit("/projects?view=kanban")
	if got := b.text("#column-progress"); !strings.Contains(got, "Credit card fraud") {
		t.Errorf("Kanban In Progress column: %q", got)
	}
	b.visit("/projects?view=matrix")
	if got := b.text(`td[data-x="High"][data-y="High"]`); !strings.Contains(got, "Credit card fraud") {
		t.Errorf("matrix High/High: %q", got)
	}
	b.resize(390, 844)
	b.visit("/items/" + project)
	b.screenshot("item-overview-narrow")
}

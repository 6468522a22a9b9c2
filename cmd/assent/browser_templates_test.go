package main

import (
	"strings"
	"testing"
)

// TestBrowser_AdminTemplates: the admin sees the standard templates, reads
// a version's steps and fields, pastes a broken template and sees every
// problem with its line, then a good one, and archives it.
func TestBrowser_AdminTemplates(t *testing.T) {
	url := serveForBrowser(t)
	b := newBrowser(t, url)
	b.signIn("admin", browserAdminPassword)

	b.visit("/admin/templates")
	for _, id := range []string{"standard-project", "standard-model-version", "standard-business-initiative"} {
		if !b.exists("#template-" + id) {
			t.Errorf("the templates page lacks %s", id)
		}
	}
	b.click(`#template-standard-project a.badge`)
	if got := b.path(); got != "/admin/templates/standard-project/versions/1" {
		t.Fatalf("at %s", got)
	}
	steps := b.texts("ol.steps > li header strong")
	if strings.Join(steps, ",") != "Exploration,Qualification,In Progress,Validation and Roll-out,Delivered" {
		t.Errorf("steps %v", steps)
	}
	for _, f := range []string{"exploration_notes", "qualification_value_rating", "reviewers_it_ops", "final_approvers"} {
		if !b.exists("#field-" + f) {
			t.Errorf("no field %s on the version page", f)
		}
	}
	b.screenshot("templates-standard-project")
	b.visit("/admin/templates/standard-model-version/versions/1")
	if got := b.text("#step-review .signoff-config"); !strings.Contains(got, "gates deployment") || !strings.Contains(got, "field:project.reviewers_it_ops") {
		t.Errorf("review sign-off: %q", got)
	}

	b.visit("/admin/templates")
	b.click("details.create > summary")
	paste := func(src string) {
		b.eval(`(() => { document.querySelector("#f-source").value = ` + js(src) + `; return "ok"; })()`)
		b.click(`form[action="/admin/templates"] button[type="submit"]`)
	}
	paste(strings.Replace(cliTemplate, "type: principals", "type: people", 1))
	if got := b.text("#e-source"); !strings.Contains(got, "fields[1].type") || !strings.Contains(got, "Line 11, column 11") {
		t.Fatalf("errors shown: %q", got)
	}
	b.screenshot("templates-errors")
	if got := b.value("#f-source"); !strings.Contains(got, "vendor-assessment") {
		t.Error("the pasted template was not kept after the refusal")
	}
	paste(cliTemplate)
	if got := b.path(); got != "/admin/templates/vendor-assessment/versions/1" {
		t.Fatalf("after adding: at %s", got)
	}
	if got := b.text("h1 .badge"); got != "v1 · draft" {
		t.Errorf("new version badge %q", got)
	}
	b.click(`button[name="status"][value="active"]`)
	if got := b.text("h1 .badge"); got != "v1 · active" {
		t.Errorf("after activating: %q", got)
	}
	b.click(`button[name="status"][value="archived"]`)
	if got := b.text(".flash-ok"); !strings.Contains(got, "is archived") {
		t.Errorf("flash %q", got)
	}
}

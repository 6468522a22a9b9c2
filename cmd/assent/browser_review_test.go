package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestBrowser_ReviewItems follows the tutorial's "Review items": the admin
// adds themself as a reviewer and as final approver on the project, then
// on the version's Review step requests feedback notifying nobody, reviews
// with a minor issue, makes it major, requests the final approval, rejects,
// abandons, cancels the abandon and resets, checking the page each time.
func TestBrowser_ReviewItems(t *testing.T) {
	url := serveForBrowser(t)
	api := browserAPI(t, url)
	api("PUT", "/sources/design-node", `{"display_name":"Design node"}`)
	var synced struct{ Items []struct{ Key, ID string } }
	json.Unmarshal([]byte(api("POST", "/sources/design-node/sync", `{"final":true,"items":[
		{"kind":"project","key":"GOVERN_TUTORIAL","name":"Govern Tutorial"},
		{"kind":"model","key":"GOVERN_TUTORIAL/rf","parent":"GOVERN_TUTORIAL","name":"Predict authorized_flag (binary)"},
		{"kind":"model_version","key":"GOVERN_TUTORIAL/rf/v2","parent":"GOVERN_TUTORIAL/rf","name":"Random forest (s1) - v2"}
	]}`)), &synced)
	ids := map[string]string{}
	for _, it := range synced.Items {
		ids[it.Key] = it.ID
	}
	var governed struct{ ID string }
	json.Unmarshal([]byte(api("POST", "/governable-items/"+ids["GOVERN_TUTORIAL"]+"/govern",
		`{"template":"standard-project","govern_children":true,"children_kinds":["model","model_version"]}`)), &governed)
	project := governed.ID
	var v2 struct {
		GovernedItem string `json:"governed_item"`
	}
	json.Unmarshal([]byte(api("GET", "/governable-items/"+ids["GOVERN_TUTORIAL/rf/v2"], "")), &v2)
	if project == "" || v2.GovernedItem == "" {
		t.Fatalf("governed project %q, version %q", project, v2.GovernedItem)
	}
	version := v2.GovernedItem

	b := newBrowser(t, url)
	b.signIn("admin", browserAdminPassword)
	state := func() string { t.Helper(); return b.text("#signoff-state") }
	dialog := func(opener string) {
		t.Helper()
		b.click(opener)
		b.waitFor(`document.querySelector("#signoff-dialog[open] #signoff-submit") !== null`)
	}

	// Configure the sign-off: on the project's overview, add myself as a
	// reviewer in one slot and as final approver, and save.
	b.visit("/items/" + project)
	b.click("#edit")
	b.fill("#f-reviewers_it_ops", "admin")
	b.click("#add-myself-final_approvers")
	if got := b.text("#values-final_approvers"); !strings.Contains(got, "admin") {
		t.Fatalf("final approvers after Add myself: %q", got)
	}
	if got := b.text("#values-reviewers_it_ops"); !strings.Contains(got, "admin") {
		t.Fatalf("IT & Operations after choosing admin: %q", got)
	}
	b.screenshot("review-picker")
	b.resize(phoneWidth, phoneHeight)
	b.screenshot("review-picker-phone")
	b.resize(desktopWidth, desktopHeight)
	b.click(`form.item-form .actions button[type="submit"]`)
	if got := b.text(".flash"); got != "Saved." {
		t.Fatalf("after saving the reviewers: %q", got)
	}
	for _, f := range []string{"reviewers_it_ops", "final_approvers"} {
		if got := b.text("#value-" + f); got != "admin" {
			t.Errorf("%s shows %q", f, got)
		}
	}

	// Go to the version through the project's related items; Review is
	// not started.
	b.click(`#related-items a[href="/items/` + version + `"]`)
	b.click("#step-link-review")
	if got := state(); got != "Not started" {
		t.Fatalf("the review sign-off is %q", got)
	}
	if got := b.text("#step-link-review small"); got != "Not started" {
		t.Errorf("the Review step is %q", got)
	}

	// Request feedback, notifying nobody.
	dialog("#signoff-request-feedback")
	if got := b.eval(`String(document.querySelectorAll("#signoff-dialog input[name=notify]").length) + "/" + String(document.querySelectorAll("#signoff-dialog input[name=notify]:checked").length)`); got != "1/0" {
		t.Errorf("users to notify / checked: %s", got)
	}
	b.screenshot("review-request-feedback")
	b.click("#signoff-submit")
	if got := state(); got != "Waiting for feedback" {
		t.Fatalf("after requesting feedback: %q", got)
	}
	if got := b.text("#review-requested"); !strings.Contains(got, "You have been requested to review this item") {
		t.Fatalf("the request: %q", got)
	}
	// The request is among my tasks on the home page, which leads back.
	b.click(`nav a[href="/"]`)
	if got := b.text("#my-tasks"); !strings.Contains(got, "Random forest (s1) - v2") || !strings.Contains(got, "Feedback for IT & Operations") ||
		!strings.Contains(got, "Waiting for feedback") {
		t.Errorf("my tasks: %q", got)
	}
	b.screenshot("review-home-tasks")
	// The model registry shows the state of the version's gating sign-off.
	b.click(`nav a[href="/model-registry"]`)
	if got := b.text("#row-" + ids["GOVERN_TUTORIAL/rf/v2"] + " .reg-gating"); !strings.Contains(got, "waiting for feedback") {
		t.Errorf("the registry's sign-off column: %q", got)
	}
	b.click(`nav a[href="/"]`)
	b.click("#my-tasks a.task-item")
	if got := b.path(); got != "/items/"+version+"?step=review" {
		t.Fatalf("the task leads to %s", got)
	}

	// Review with a minor issue.
	const bias = "This model might have some location bias. Please review if you should keep merchant_geopoint as a model feature."
	dialog("#signoff-add-feedback")
	b.click("#status-MINOR_ISSUE")
	b.fill("#f-signoff-comment", bias)
	b.screenshot("review-feedback-dialog")
	b.resize(phoneWidth, phoneHeight)
	b.screenshot("review-feedback-dialog-phone")
	b.resize(desktopWidth, desktopHeight)
	b.click("#signoff-submit")
	if got := b.text("#group-it_ops .feedback"); !strings.Contains(got, "admin") || !strings.Contains(got, "Minor issue") || !strings.Contains(got, bias) {
		t.Fatalf("the feedback: %q", got)
	}
	if b.exists("#review-requested") {
		t.Error("still asked to review after reviewing")
	}

	// Edit it to a major issue from the More options menu beside it.
	b.click("#group-it_ops details.entry-menu > summary")
	dialog(`#group-it_ops [id^="menu-edit-feedback-"]`)
	if b.eval(`String(document.querySelector("#status-MINOR_ISSUE").checked)`) != "true" || b.value("#f-signoff-comment") != bias {
		t.Error("the edit dialog does not hold the feedback")
	}
	b.click("#status-MAJOR_ISSUE")
	b.click("#signoff-submit")
	if got := b.text("#group-it_ops .feedback"); !strings.Contains(got, "Major issue") || !strings.Contains(got, bias) {
		t.Fatalf("the edited feedback: %q", got)
	}
	b.screenshot("review-feedback")

	// Request the final approval, notifying nobody, and reject.
	dialog("#signoff-request-approval")
	b.click("#signoff-submit")
	if got := state(); got != "Waiting for final approval" {
		t.Fatalf("after requesting approval: %q", got)
	}
	const redesign = "The model must be redesigned to account for location and racial bias."
	dialog("#signoff-approval")
	b.click("#decision-REJECTED")
	b.fill("#f-signoff-comment", redesign)
	b.click("#signoff-submit")
	if got := state(); got != "Rejected" {
		t.Fatalf("after rejecting: %q", got)
	}
	if got := b.text("#approval"); !strings.Contains(got, "Rejected") || !strings.Contains(got, redesign) {
		t.Fatalf("the final approval: %q", got)
	}
	b.screenshot("review-rejected")

	// Abandon: nothing is editable any more.
	b.click("#signoff-menu > summary")
	b.screenshot("review-menu")
	dialog("#menu-abandon")
	b.click("#signoff-submit")
	if got := state(); got != "Abandoned" {
		t.Fatalf("after abandoning: %q", got)
	}
	for _, sel := range []string{"details.entry-menu", "#signoff-request-feedback", "#signoff-request-approval", "#menu-abandon", "#menu-delegate"} {
		if b.exists(sel) {
			t.Errorf("an abandoned sign-off offers %s", sel)
		}
	}
	if !b.exists("#signoff-abandoned") {
		t.Error("no word that the sign-off is abandoned")
	}

	// Cancel the abandon: the rejection and the feedback come back.
	b.click("#signoff-menu > summary")
	b.click("#menu-cancel-abandon")
	if got := state(); got != "Rejected" {
		t.Fatalf("after cancelling the abandon: %q", got)
	}
	if got := b.text("#approval"); !strings.Contains(got, redesign) {
		t.Errorf("the approval after cancelling: %q", got)
	}
	if got := b.text("#group-it_ops .feedback"); !strings.Contains(got, "Major issue") {
		t.Errorf("the feedback after cancelling: %q", got)
	}
	if !b.exists("#approval-menu") {
		t.Error("the approval cannot be edited again")
	}

	// Reset without reloading the configuration: a new cycle, the old one
	// in the history.
	b.click("#signoff-menu > summary")
	dialog("#menu-reset")
	if b.eval(`String(document.querySelector("#f-reload-config").checked)`) != "false" {
		t.Error("reload the configuration is checked at first")
	}
	b.click("#signoff-submit")
	if got := state(); got != "Not started" {
		t.Fatalf("after resetting: %q", got)
	}
	if b.exists("#group-it_ops .feedback") || b.exists("#approval") {
		t.Error("the new cycle shows the old feedback or approval")
	}
	b.click("#signoff-history > summary")
	got := b.text("#signoff-history")
	for _, want := range []string{"Earlier cycles (1)", "Cycle 1", "Rejected", "Major issue", bias, redesign} {
		if !strings.Contains(got, want) {
			t.Errorf("the history lacks %q: %q", want, got)
		}
	}
	b.screenshot("review-reset")
	b.resize(phoneWidth, phoneHeight)
	b.visit(b.path())
	b.click("#signoff-history > summary")
	b.screenshot("review-reset-phone")

	// The item's timeline has every action.
	events := strings.Join(b.texts(".item-timeline li code"), ",")
	for _, want := range []string{"signoff.request-feedback", "signoff.add-feedback", "signoff.edit-feedback", "signoff.request-approval",
		"signoff.approval", "signoff.abandon", "signoff.cancel-abandon", "signoff.reset"} {
		if !strings.Contains(events, want) {
			t.Errorf("the timeline lacks %s: %s", want, events)
		}
	}
}

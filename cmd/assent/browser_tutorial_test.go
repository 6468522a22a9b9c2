package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The size of the tutorial's screenshots (docs/images/tutorial-*.png).
const tutorialWidth, tutorialHeight = 1280, 800

// TestBrowserTutorial walks the whole tutorial (docs/tutorial.md) through
// the pages of a server started with the demo data, in the tutorial's
// order: govern the project without its bundles, then the model with its
// versions; the project's Exploration and Qualification; the version's
// Development; the sign-off reviewers and approvers on the project; the
// version's Review sign-off from the request for feedback to the reset;
// the model metrics in the registry and the metric to focus. It checks
// what each page shows at each step.
//
// With ASSENT_SCREENSHOTS=1 it writes the tutorial's screenshots into
// docs/images; without, it takes none, so that CI leaves them alone.
func TestBrowserTutorial(t *testing.T) {
	start := time.Now()
	tt := &tutorialTest{t: t}
	if os.Getenv("ASSENT_SCREENSHOTS") == "1" {
		tt.images = filepath.Join("..", "..", "docs", "images")
		// The harness reads ASSENT_SCREENSHOTS as a directory for the
		// screenshot of a failed test: keep that one out of this package.
		t.Setenv("ASSENT_SCREENSHOTS", filepath.Join(os.TempDir(), "assent-screenshots"))
		if err := os.MkdirAll(tt.images, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("ASSENT_DEMO", "true") // serve --demo
	url := serveForBrowser(t)
	b := newBrowser(t, url)
	tt.b = b
	b.resize(tutorialWidth, tutorialHeight)
	b.signIn("admin", browserAdminPassword)
	step := func(name string) { t.Logf("%5.1fs %s", time.Since(start).Seconds(), name) }

	// 1. Governable items: find the project, govern it with the standard
	// template, without its bundles.
	step("govern the project")
	b.click(`nav a[href="/governable-items"]`)
	b.fill("#filter-q", "Govern Tutorial")
	b.waitFor(`location.search.includes("q=Govern") && document.querySelector("#governable-table") !== null`)
	project := tt.rowID("#governable-table", "Govern Tutorial")
	if got := b.text("#row-" + project + " .gov-status"); got != "governable" {
		t.Fatalf("the project is %q before governing", got)
	}
	tt.shot("01-governable-items", "")
	b.click("#govern-" + project)
	b.waitFor(`document.querySelector("#govern-dialog[open] #f-template") !== null`)
	b.fill("#f-template", "standard-project")
	for kind, want := range map[string]string{"bundle": "true", "model": "false", "model_version": "false"} {
		if got := tt.checked("#f-children-" + kind); got != want {
			t.Errorf("Govern all of its %s is checked=%s at first, want %s", kind, got, want)
		}
	}
	b.click("#f-children-bundle")
	if tt.checked("#f-children-bundle") != "false" {
		t.Fatal("Govern all of its bundles stays checked")
	}
	tt.shot("02-govern-project-dialog", "")
	b.click("#govern-submit")
	governedProject, ok := strings.CutPrefix(b.path(), "/items/")
	if !ok {
		t.Fatalf("after governing the project: at %s", b.path())
	}
	if got := b.text(".flash"); !strings.Contains(got, "Govern Tutorial") {
		t.Errorf("flash after governing the project: %q", got)
	}
	if got := b.text("#step-link-exploration small"); got != "Not started" {
		t.Errorf("the new project's Exploration is %q", got)
	}

	// 2. Model registry: govern the model and all its versions.
	step("govern the model")
	b.click(`nav a[href="/model-registry"]`)
	b.fill("#filter-q", "Govern Tutorial")
	b.waitFor(`location.search.includes("q=Govern") && document.querySelectorAll("#registry-table tr[id^=row-]").length === 4`)
	model := tt.rowID("#registry-table", "Predict authorized_flag (binary)")
	v2 := tt.rowID("#registry-table", "Random forest (s1) - v2")
	v1 := tt.rowID("#registry-table", "Random forest (s1) - v1")
	if got := b.text("#row-" + project + " .gov-status"); got != "governed" {
		t.Errorf("the project in the registry: %q", got)
	}
	if got := b.text("#row-" + v2 + " .gov-status"); got != "governable" {
		t.Errorf("v2 before governing the model: %q", got)
	}
	tt.shot("03-model-registry", "")
	b.click("#govern-" + model)
	b.waitFor(`document.querySelector("#govern-dialog[open] #f-template") !== null`)
	if got := b.value("#f-template"); got != "standard-model" {
		t.Errorf("template pre-selected for the model: %q", got)
	}
	if tt.checked("#f-children-model_version") != "true" {
		t.Error("Govern all of its model versions is not checked")
	}
	if got := b.value("#f-children-model_version-template"); got != "standard-model-version" {
		t.Errorf("template for the versions: %q", got)
	}
	tt.shot("04-govern-model-dialog", "")
	b.click("#govern-submit")
	governedModel, ok := strings.CutPrefix(b.path(), "/items/")
	if !ok {
		t.Fatalf("after governing the model: at %s", b.path())
	}
	if got := b.text("#related-items"); !strings.Contains(got, "Random forest (s1) - v1") || !strings.Contains(got, "Random forest (s1) - v2") {
		t.Errorf("the governed model's versions: %q", got)
	}
	b.visit("/model-registry")
	for _, id := range []string{model, v1, v2} {
		if got := b.text("#row-" + id + " .gov-status"); got != "governed" {
			t.Errorf("row %s after governing the model: %q", id, got)
		}
	}
	if got := b.text("#row-" + v2 + " .reg-step-name"); got != "Development" {
		t.Errorf("v2's workflow step: %q", got)
	}

	// 3. The project from Governed projects: Exploration, then Qualification.
	step("project workflow")
	b.click(`nav a[href="/projects"]`)
	b.click(`#items-table a[href="/items/` + governedProject + `"]`)
	if got := b.text("#related-items"); !strings.Contains(got, "Predict authorized_flag (binary)") || !strings.Contains(got, "Random forest (s1) - v2") {
		t.Errorf("the project's related items: %q", got)
	}
	tt.shot("05-project", "")
	const explorationNotes = "This project will use a data pipeline to model credit card fraud."
	b.click("#step-link-exploration")
	b.click("#edit")
	b.fill("#f-exploration_notes", explorationNotes)
	b.click(`form.item-form .actions button[type="submit"]`)
	if got := b.text("#value-exploration_notes"); got != explorationNotes {
		t.Fatalf("exploration notes: %q", got)
	}
	if got := b.text("#step-link-exploration small"); got != "Ongoing" {
		t.Errorf("Exploration after saving its notes: %q", got)
	}
	tt.shot("06-exploration", "")
	b.click("#finish")
	if got := b.path(); !strings.Contains(got, "step=qualification") {
		t.Fatalf("after finishing Exploration: at %s", got)
	}
	if got := b.text("#step-link-exploration small"); got != "Finished" {
		t.Errorf("Exploration: %q", got)
	}
	b.click("#edit")
	b.fill("#f-qualification_value_rating", "High")
	b.fill("#f-qualification_feasibility_rating", "High")
	b.fill("#f-qualification_decision", "Go")
	b.click(`form.item-form .actions button[type="submit"]`)
	for field, want := range map[string]string{"qualification_value_rating": "High", "qualification_feasibility_rating": "High", "qualification_decision": "Go"} {
		if got := b.text("#value-" + field); got != want {
			t.Errorf("%s shows %q", field, got)
		}
	}
	tt.shot("07-qualification", "")
	b.click("#finish")
	for id, want := range map[string]string{"exploration": "Finished", "qualification": "Finished", "progress": "Ongoing", "validation": "Not started"} {
		if got := b.text("#step-link-" + id + " small"); got != want {
			t.Errorf("step %s: %q, want %q", id, got, want)
		}
	}
	if got := b.text(".item-head p"); !strings.Contains(got, "current step In Progress") {
		t.Errorf("the project's header: %q", got)
	}

	// 4. The version, through the project's related items and the model's
	// versions: its Development step.
	step("version development")
	b.click(`.workflow a.panel-link.single`) // Overview
	b.click(`#related-items a[href="/items/` + governedModel + `"]`)
	version := tt.linkID("#related-items", "Random forest (s1) - v2")
	b.click(`#related-items a[href="/items/` + version + `"]`)
	if got := b.text("h1"); got != "Random forest (s1) - v2" {
		t.Fatalf("the version page: %q", got)
	}
	const devNotes = "Design model to detect credit card fraud."
	b.click("#step-link-development")
	b.click("#edit")
	b.fill("#f-dev_notes", devNotes)
	b.click(`form.item-form .actions button[type="submit"]`)
	if got := b.text("#value-dev_notes"); got != devNotes {
		t.Fatalf("development notes: %q", got)
	}
	tt.shot("08-version-development", "")
	b.click("#finish")
	if got := b.text("#step-link-development small"); got != "Finished" {
		t.Errorf("Development: %q", got)
	}
	if got := b.text("#step-link-review small"); got != "Ongoing" {
		t.Errorf("Review after Development: %q", got)
	}

	// 5. On the project: myself as IT & Operations reviewer and as final
	// approver.
	step("sign-off reviewers")
	b.click(`nav[aria-label="breadcrumb"] a[href="/items/` + governedModel + `"]`)
	b.click(`nav[aria-label="breadcrumb"] a[href="/items/` + governedProject + `"]`)
	b.click("#edit")
	b.fill("#f-reviewers_it_ops", "admin")
	b.click("#add-reviewers_it_ops")
	b.click("#add-myself-final_approvers")
	for _, f := range []string{"reviewers_it_ops", "final_approvers"} {
		if got := b.text("#values-" + f); !strings.Contains(got, "admin") {
			t.Fatalf("%s in the form: %q", f, got)
		}
	}
	tt.scrollTo("form.item-form article:has(#picker-reviewers_it_ops)")
	tt.shot("09-signoff-reviewers", "")
	b.click(`form.item-form .actions button[type="submit"]`)
	if got := b.text(".flash"); got != "Saved." {
		t.Fatalf("after saving the reviewers: %q", got)
	}
	for _, f := range []string{"reviewers_it_ops", "final_approvers"} {
		if got := b.text("#value-" + f); got != "admin" {
			t.Errorf("%s shows %q", f, got)
		}
	}

	// 6. The version's Review sign-off.
	step("review sign-off")
	b.click(`#related-items a[href="/items/` + version + `"]`)
	b.click("#step-link-review")
	state := func() string { t.Helper(); return b.text("#signoff-state") }
	dialog := func(opener string) {
		t.Helper()
		b.click(opener)
		b.waitFor(`document.querySelector("#signoff-dialog[open] #signoff-submit") !== null`)
	}
	if got := state(); got != "Not started" {
		t.Fatalf("the Review sign-off: %q", got)
	}
	if got := b.text("#signoff"); !strings.Contains(got, "gates deployment") {
		t.Errorf("the sign-off does not say it gates deployment: %q", got)
	}
	if got := b.text("#group-it_ops .members"); got != "admin" {
		t.Errorf("IT & Operations members: %q", got)
	}
	if got := b.text("#final-approval .members"); got != "admin" {
		t.Errorf("final approvers: %q", got)
	}
	tt.shot("10-signoff-not-started", "#signoff")

	// Request feedback, notifying nobody.
	dialog("#signoff-request-feedback")
	if got := b.eval(`String(document.querySelectorAll("#signoff-dialog input[name=notify]:checked").length)`); got != "0" {
		t.Errorf("%s users to notify are checked", got)
	}
	tt.shot("11-request-feedback", "")
	b.click("#signoff-submit")
	if got := state(); got != "Waiting for feedback" {
		t.Fatalf("after requesting feedback: %q", got)
	}
	if got := b.text("#review-requested"); !strings.Contains(got, "You have been requested to review this item") {
		t.Fatalf("the request to review: %q", got)
	}

	// Feedback: a minor issue, then edited to a major one.
	const bias = "This model might have some location bias. Please review if you should keep merchant_geopoint as a model feature."
	dialog("#signoff-add-feedback")
	b.click("#status-MINOR_ISSUE")
	b.fill("#f-signoff-comment", bias)
	tt.shot("12-feedback-dialog", "")
	b.click("#signoff-submit")
	if got := b.text("#group-it_ops .feedback"); !strings.Contains(got, "Minor issue") || !strings.Contains(got, bias) {
		t.Fatalf("the feedback: %q", got)
	}
	b.click("#group-it_ops details.entry-menu > summary")
	dialog(`#group-it_ops [id^="menu-edit-feedback-"]`)
	if tt.checked("#status-MINOR_ISSUE") != "true" || b.value("#f-signoff-comment") != bias {
		t.Error("the edit dialog does not hold the feedback")
	}
	b.click("#status-MAJOR_ISSUE")
	b.click("#signoff-submit")
	if got := b.text("#group-it_ops .feedback"); !strings.Contains(got, "Major issue") || strings.Contains(got, "Minor issue") || !strings.Contains(got, bias) {
		t.Fatalf("the edited feedback: %q", got)
	}
	if got := state(); got != "Waiting for feedback" {
		t.Errorf("after the feedback: %q", got)
	}
	tt.shot("13-feedback-major-issue", "#signoff")

	// Final approval: requested, notifying nobody, then rejected.
	const redesign = "The model must be redesigned to account for location and racial bias."
	dialog("#signoff-request-approval")
	b.click("#signoff-submit")
	if got := state(); got != "Waiting for final approval" {
		t.Fatalf("after requesting the final approval: %q", got)
	}
	if !b.exists("#approval-requested") {
		t.Error("no request to give the final approval")
	}
	dialog("#signoff-approval")
	b.click("#decision-REJECTED")
	b.fill("#f-signoff-comment", redesign)
	tt.shot("14-final-approval-dialog", "")
	b.click("#signoff-submit")
	if got := state(); got != "Rejected" {
		t.Fatalf("after rejecting: %q", got)
	}
	if got := b.text("#approval"); !strings.Contains(got, "Rejected") || !strings.Contains(got, redesign) {
		t.Fatalf("the final approval: %q", got)
	}
	tt.shot("15-signoff-rejected", "#signoff")

	// Abandon: nothing is editable; cancel: all comes back.
	b.click("#signoff-menu > summary")
	dialog("#menu-abandon")
	b.click("#signoff-submit")
	if got := state(); got != "Abandoned" {
		t.Fatalf("after abandoning: %q", got)
	}
	for _, sel := range []string{"details.entry-menu", "#approval-menu", "#signoff-request-feedback", "#signoff-request-approval"} {
		if b.exists(sel) {
			t.Errorf("the abandoned sign-off offers %s", sel)
		}
	}
	if !b.exists("#signoff-abandoned") {
		t.Error("no word that the sign-off is abandoned")
	}
	tt.shot("16-signoff-abandoned", "#signoff")
	b.click("#signoff-menu > summary")
	b.click("#menu-cancel-abandon")
	if got := state(); got != "Rejected" {
		t.Fatalf("after cancelling the abandon: %q", got)
	}
	if got := b.text("#approval"); !strings.Contains(got, redesign) {
		t.Errorf("the final approval after cancelling: %q", got)
	}
	if got := b.text("#group-it_ops .feedback"); !strings.Contains(got, "Major issue") {
		t.Errorf("the feedback after cancelling: %q", got)
	}

	// Reset without reloading the configuration: a new cycle, the old
	// one in the history.
	b.click("#signoff-menu > summary")
	dialog("#menu-reset")
	if tt.checked("#f-reload-config") != "false" {
		t.Error("Reload the configuration is checked at first")
	}
	b.click("#signoff-submit")
	if got := state(); got != "Not started" {
		t.Fatalf("after resetting: %q", got)
	}
	if got := b.text("#signoff small"); !strings.Contains(got, "Cycle 2") {
		t.Errorf("the cycle after resetting: %q", got)
	}
	if b.exists("#group-it_ops .feedback") || b.exists("#approval") {
		t.Error("the new cycle shows the old feedback or approval")
	}
	if got := b.text("#group-it_ops .members"); got != "admin" {
		t.Errorf("IT & Operations after the reset: %q", got)
	}
	b.click("#signoff-history > summary")
	history := b.text("#signoff-history")
	for _, want := range []string{"Earlier cycles (1)", "Cycle 1", "Rejected", "Major issue", bias, redesign} {
		if !strings.Contains(history, want) {
			t.Errorf("the history lacks %q: %q", want, history)
		}
	}
	tt.shot("17-signoff-reset", "#signoff")
	events := strings.Join(b.texts(".item-timeline li code"), ",")
	for _, want := range []string{"signoff.request-feedback", "signoff.add-feedback", "signoff.edit-feedback", "signoff.request-approval",
		"signoff.approval", "signoff.abandon", "signoff.cancel-abandon", "signoff.reset"} {
		if !strings.Contains(events, want) {
			t.Errorf("the version's timeline lacks %s: %s", want, events)
		}
	}

	// 7. Review metrics: the version's Model metrics in the registry, and
	// the metric to focus.
	step("review metrics")
	b.click(`nav a[href="/model-registry"]`)
	b.fill("#filter-q", "Govern Tutorial")
	b.waitFor(`location.search.includes("q=Govern") && document.querySelectorAll("#registry-table tr[id^=row-]").length === 4`)
	if got := b.text("#row-" + v2 + " .reg-gating"); !strings.Contains(got, "Review: Ongoing") || !strings.Contains(got, "sign-off not started") {
		t.Errorf("v2's deployment sign-off in the registry: %q", got)
	}
	if got := b.text("#row-" + v2 + " .reg-step-name"); got != "Review" {
		t.Errorf("v2's workflow step in the registry: %q", got)
	}
	b.click("#row-" + v2 + " a.item-name")
	b.waitFor(`document.querySelector("#details-` + v2 + `") !== null`)
	b.click("#details-" + v2 + " #tab-metrics")
	charts := `#metrics-` + v2 + ` .metric-charts`
	drawn := `(() => {
		const box = document.querySelector(` + js(charts) + `);
		if (!box || box.hidden || typeof Chart === "undefined") return false;
		const canvases = [...box.querySelectorAll("canvas")];
		return canvases.length > 0 && canvases.every(c => Chart.getChart(c) !== undefined);
	})()`
	b.waitFor(drawn)
	if !strings.Contains(b.path(), "tab=metrics") {
		t.Errorf("the Model metrics tab is not in the address: %s", b.path())
	}
	if !b.exists(charts + " figure.drift-chart") {
		t.Error("no drift chart")
	}
	latest := func(metric string) string {
		t.Helper()
		v := strings.Fields(b.text(`#metrics-` + v2 + ` tr[data-metric="` + metric + `"] .metric-latest`))
		if len(v) == 0 {
			return ""
		}
		return v[0]
	}
	focused := func() string { t.Helper(); return b.text("#row-" + v2 + " .reg-focus .metric-value") }
	if got := b.text("#focus-heading"); got != "ROC AUC" {
		t.Errorf("the metric to focus at first: %q", got)
	}
	auc := focused()
	if want := latest("auc"); auc != want {
		t.Errorf("v2's row shows ROC AUC %q, its Model metrics tab %q", auc, want)
	}
	if !b.exists("#row-" + v2 + " .reg-focus .drift-degraded") {
		t.Error("v2's row does not mark its ROC AUC as worse than at training")
	}
	tt.shot("18-model-metrics", "#details-"+v2)
	tt.scrollTo(charts + " figure.drift-chart")
	tt.shot("19-drift-chart", "")
	wantAccuracy := latest("accuracy")
	b.fill("#focus", "accuracy")
	b.waitFor(`location.search.includes("focus=accuracy") && document.querySelector("#focus-heading").textContent.trim() === "Accuracy"`)
	if accuracy := focused(); accuracy != wantAccuracy || accuracy == auc {
		t.Errorf("v2's row shows accuracy %q (ROC AUC was %q), its Model metrics tab %q", accuracy, auc, wantAccuracy)
	}
	// The selected version keeps its Model metrics tab open.
	if at := b.path(); !strings.Contains(at, "version="+v2) || !strings.Contains(at, "tab=metrics") || !b.exists("#metrics-"+v2) {
		t.Errorf("choosing the metric to focus closed the Model metrics tab of v2 (at %s)", at)
	} else {
		b.waitFor(drawn)
	}
	if got := b.text("#row-" + v1 + " .reg-focus .metric-value"); got == "" {
		t.Error("v1's row shows no accuracy")
	}
	// Closing the details keeps the metric to focus.
	b.click("#details-" + v2 + " a.close-details")
	b.waitFor(`document.querySelector("#details-` + v2 + `") === null`)
	if got := b.text("#focus-heading"); got != "Accuracy" || !strings.Contains(b.path(), "focus=accuracy") {
		t.Errorf("after closing the details the metric to focus is %q (at %s)", got, b.path())
	}
	tt.shot("20-metric-to-focus", "")
	step("done")
}

// tutorialTest holds what the steps of TestBrowserTutorial share.
type tutorialTest struct {
	t      *testing.T
	b      *browser
	images string // where to write the screenshots; "" for none
}

// rowID is the id of the table row whose name link (a.item-name) reads
// name, without its "row-" prefix: a governable item's id.
func (tt *tutorialTest) rowID(table, name string) string {
	tt.t.Helper()
	id := tt.b.eval(`(() => {
		const a = [...document.querySelectorAll(` + js(table+" a.item-name") + `)].find(a => a.textContent.trim() === ` + js(name) + `);
		return a ? a.closest("tr").id : "";
	})()`)
	if !strings.HasPrefix(id, "row-") {
		tt.t.Fatalf("no row %q in %s", name, table)
	}
	return strings.TrimPrefix(id, "row-")
}

// linkID is the id of the governed item that the link reading name, under
// sel, opens.
func (tt *tutorialTest) linkID(sel, name string) string {
	tt.t.Helper()
	href := tt.b.eval(`(() => {
		const a = [...document.querySelectorAll(` + js(sel+" a") + `)].find(a => a.textContent.trim() === ` + js(name) + `);
		return a ? a.getAttribute("href") : "";
	})()`)
	id, ok := strings.CutPrefix(href, "/items/")
	if !ok {
		tt.t.Fatalf("no link %q to an item in %s", name, sel)
	}
	return id
}

// checked says whether the checkbox or radio button sel is checked.
func (tt *tutorialTest) checked(sel string) string {
	tt.t.Helper()
	return tt.b.eval(`String(document.querySelector(` + js(sel) + `)?.checked)`)
}

// scrollTo brings the element sel to the top of the window, for a
// screenshot.
func (tt *tutorialTest) scrollTo(sel string) {
	tt.t.Helper()
	if tt.images == "" {
		return
	}
	tt.b.eval(`(() => { document.querySelector(` + js(sel) + `).scrollIntoView({block: "start"}); return ""; })()`)
}

// shot writes docs/images/tutorial-name.png when the test writes the
// screenshots: the element sel, or the window when sel is "".
func (tt *tutorialTest) shot(name, sel string) {
	tt.t.Helper()
	if tt.images == "" {
		return
	}
	// No focus ring nor caret in the pictures.
	tt.b.eval(`(() => { document.activeElement?.blur(); return ""; })()`)
	var png []byte
	if sel == "" {
		png = browserRun(tt.b, "screenshot "+name, chromedp.CaptureScreenshot())
	} else {
		png = browserRun(tt.b, "screenshot "+name, chromedp.Screenshot(chromedp.CSS(sel)))
	}
	file := filepath.Join(tt.images, fmt.Sprintf("tutorial-%s.png", name))
	if err := os.WriteFile(file, png, 0o644); err != nil {
		tt.t.Fatal(err)
	}
	tt.t.Logf("screenshot %s", file)
}

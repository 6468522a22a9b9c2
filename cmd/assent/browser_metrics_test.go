package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserMetrics follows the tutorial's "Review metrics" on the demo
// data: in the model registry, select Random forest (s1) - v2, open its
// Model metrics tab and see the charts drawn, change the metric to focus
// and see the rows change, then look at its Deployments tab.
//
// With ASSENT_SCREENSHOTS=1 it writes docs/images/model-registry.png, the
// README's picture; without, it writes nothing there.
func TestBrowserMetrics(t *testing.T) {
	image := ""
	if os.Getenv("ASSENT_SCREENSHOTS") == "1" {
		image = filepath.Join("..", "..", "docs", "images", "model-registry.png")
		// The harness reads ASSENT_SCREENSHOTS as a directory for the
		// screenshot of a failed test: keep that one out of this package.
		t.Setenv("ASSENT_SCREENSHOTS", filepath.Join(os.TempDir(), "assent-screenshots"))
	}
	t.Setenv("ASSENT_DEMO", "true") // serve --demo
	url := serveForBrowser(t)
	b := newBrowser(t, url)
	b.signIn("admin", browserAdminPassword)

	// Open the model registry; the demo's project, model and versions are
	// its rows, all shown.
	b.click(`nav a[href="/model-registry"]`)
	rowOf := func(name string) string {
		t.Helper()
		id := b.eval(`(() => {
			const a = [...document.querySelectorAll("#registry-table a.item-name")].find(a => a.textContent.trim() === ` + js(name) + `);
			return a ? a.closest("tr").id.replace(/^row-/, "") : "";
		})()`)
		if id == "" {
			t.Fatalf("no row %q in the registry", name)
		}
		return id
	}
	project, model := rowOf("Govern Tutorial"), rowOf("Predict authorized_flag (binary)")
	v1, v2 := rowOf("Random forest (s1) - v1"), rowOf("Random forest (s1) - v2")
	// The tutorial expands the project and the model: rows fold under them.
	visible := func(id string) bool { return b.eval(`String(!document.getElementById("row-`+id+`").hidden)`) == "true" }
	b.click(`button[data-fold="` + model + `"]`)
	if !visible(model) || visible(v1) || visible(v2) {
		t.Error("folding the model leaves its versions shown, or hides the model")
	}
	b.click(`button[data-fold="` + project + `"]`)
	if visible(model) {
		t.Error("folding the project leaves its model shown")
	}
	b.click(`button[data-fold="` + project + `"]`)
	if !visible(model) || visible(v2) {
		t.Error("unfolding the project shows the versions of a folded model, or hides the model")
	}
	b.click(`button[data-fold="` + model + `"]`)
	if !visible(v1) || !visible(v2) {
		t.Error("unfolding the model does not show its versions")
	}
	focused := func(id string) string { t.Helper(); return b.text("#row-" + id + " .reg-focus .metric-value") }
	if got := b.text("#focus-heading"); got != "ROC AUC" {
		t.Errorf("the metric to focus at first: %q", got)
	}
	if focused(v2) == "" || !b.exists("#row-"+v2+" .reg-focus .drift-degraded") {
		t.Errorf("v2's row shows no ROC AUC, or not as worse than at training: %q", b.text("#row-"+v2+" .reg-focus"))
	}

	// Select v2 and open its Model metrics tab with the chart icon.
	b.click("#row-" + v2 + " a.item-name")
	b.waitFor(`document.querySelector("#details-` + v2 + ` #tab-metrics svg.icon") !== null`)
	b.click("#details-" + v2 + " #tab-metrics")
	charts := "#metrics-" + v2 + " .metric-charts"
	drawn := `(() => {
		const box = document.querySelector(` + js(charts) + `);
		if (!box || box.hidden || typeof Chart === "undefined") return false;
		const canvases = [...box.querySelectorAll("canvas")];
		return canvases.length > 0 && canvases.every(c => Chart.getChart(c) !== undefined);
	})()`
	b.waitFor(drawn)
	if p := b.path(); !strings.Contains(p, "tab=metrics") || !strings.Contains(p, "version="+v2) {
		t.Errorf("the address after opening the tab: %s", p)
	}
	// Every chart has points and a size; the metric charts mark the
	// training value, and the drift chart has the data drift.
	report := b.eval(`[...document.querySelectorAll(` + js(charts+" figure") + `)].map(f => {
		const c = f.querySelector("canvas"), chart = Chart.getChart(c);
		const sets = chart.data.datasets;
		return [f.dataset.metric, sets[0].data.length, c.width > 100 && c.height > 50, sets.some(d => d.borderDash), sets.map(d => d.label).join("|")].join(",");
	}).join("\n")`)
	lines := strings.Split(report, "\n")
	want := []string{"drift", "auc", "accuracy", "precision", "recall", "f1", "log_loss", "data_drift", "prediction_drift"}
	if len(lines) != len(want) {
		t.Fatalf("charts:\n%s\nwant one for each of %v", report, want)
	}
	for i, line := range lines {
		f := strings.Split(line, ",")
		if f[0] != want[i] || f[1] == "0" || f[2] != "true" {
			t.Errorf("chart %d: %s; want %s with points and a size", i, line, want[i])
		}
		if f[0] == "auc" && (f[3] != "true" || !strings.Contains(f[4], "Training value")) {
			t.Errorf("the ROC AUC chart does not mark the training value: %s", line)
		}
		if f[0] == "drift" && (!strings.Contains(f[4], "ROC AUC drift") || !strings.Contains(f[4], "Data drift")) {
			t.Errorf("the drift chart: %s", line)
		}
	}
	latest := func(metric string) string {
		t.Helper()
		v, _, _ := strings.Cut(b.text("#metrics-"+v2+` tr[data-metric="`+metric+`"] .metric-latest`), " ")
		return v
	}
	auc := focused(v2)
	if want := latest("auc"); auc != want {
		t.Errorf("v2's row shows ROC AUC %q, its Model metrics tab %q", auc, want)
	}
	if got := b.text("#metrics-" + v2 + ` tr[data-metric="auc"]`); !strings.Contains(got, "−0.") {
		t.Errorf("v2's ROC AUC has no downward drift: %q", got)
	}

	// Change the metric to focus: the rows follow, the panel stays open.
	b.fill("#focus", "accuracy")
	b.waitFor(`location.search.includes("focus=accuracy") && document.querySelector("#focus-heading").textContent.trim() === "Accuracy"`)
	b.waitFor(drawn)
	accuracy := focused(v2)
	if want := latest("accuracy"); accuracy != want || accuracy == auc {
		t.Errorf("v2's row shows accuracy %q (ROC AUC was %q), its Model metrics tab %q", accuracy, auc, want)
	}
	if focused(v1) == "" {
		t.Error("v1's row shows no accuracy")
	}
	if got := b.eval(`Chart.getChart(document.querySelector("#metrics-` + v2 + ` figure.drift-chart canvas")).data.datasets[0].label`); !strings.HasPrefix(got, "Accuracy drift") {
		t.Errorf("the drift chart after focusing on accuracy: %q", got)
	}

	// The Deployments tab: v2 is on staging, a WARN target.
	b.click("#details-" + v2 + " #tab-deployments")
	b.waitFor(`document.querySelector("#deployments-` + v2 + `") !== null`)
	if got := b.text("#deployments-" + v2 + ` tr[data-target="automation-staging"]`); !strings.Contains(got, "WARN") || !strings.Contains(got, "deployed") {
		t.Errorf("v2 on automation-staging: %q", got)
	}
	if p := b.path(); !strings.Contains(p, "focus=accuracy") || !strings.Contains(p, "tab=deployments") {
		t.Errorf("the address after opening Deployments: %s", p)
	}
	b.screenshot("metrics-deployments")

	// Governed, v2's item page has the same tabs, drawn on load.
	var governed struct{ ID string }
	json.Unmarshal([]byte(browserAPI(t, url)("POST", "/governable-items/"+v2+"/govern", `{"template":"standard-model-version","govern_parents":true}`)), &governed)
	b.visit("/items/" + governed.ID)
	b.click("#item-tab-metrics")
	itemCharts := "#metrics-" + v2 + " .metric-charts"
	b.waitFor(strings.Replace(drawn, js(charts), js(itemCharts), 1))
	b.screenshot("metrics-item")
	b.click("#item-tab-deployments")
	if got := b.text("#deployments-" + v2); !strings.Contains(got, "automation-staging") {
		t.Errorf("the item's Deployments tab: %q", got)
	}

	// The admin's deployment targets, from the admin navigation.
	b.click(`nav a[href="/admin/users"]`)
	b.click(`nav.tabs a[href="/admin/deployment-targets"]`)
	if got := b.texts("#targets tbody th"); strings.Join(got, ",") != "automation-prod,automation-staging,design-dev" {
		t.Errorf("the targets: %v", got)
	}
	b.screenshot("metrics-admin-targets")

	// On a phone the panel comes above the rows, its charts drawn.
	b.resize(phoneWidth, phoneHeight)
	b.visit("/model-registry?tab=metrics&version=" + v2)
	b.waitFor(drawn)
	b.screenshot("metrics-phone")
	if got := b.eval(`String(document.documentElement.scrollWidth - innerWidth)`); got != "0" {
		t.Errorf("on a phone the metrics tab is %spx wider than the window", got)
	}
	b.resize(desktopWidth, desktopHeight)

	// The README's picture: the tutorial's project, v2's metrics open.
	if image != "" {
		b.visit("/model-registry?q=Govern+Tutorial&tab=metrics&version=" + v2)
		b.waitFor(drawn)
		saveViewport(t, b, image)
	}
}

// saveViewport writes what the window shows as a PNG at path.
func saveViewport(t *testing.T, b *browser, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	png := browserRun(b, "take a screenshot", chromedp.CaptureScreenshot())
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s", path)
}

package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"assent/sqldb/sqldbtest"
)

// markupMetric is a metric name that is markup, sent as any platform may.
const markupMetric = "<script>alert(1)</script>"

// seedMetrics sends metric points of both tutorial versions as a member:
// v2's auc drifts from 0.921 to 0.859, its accuracy rises, its log loss
// (lower is better) rises and its data drift grows.
func seedMetrics(t *testing.T, e *env, v1, v2 string) {
	t.Helper()
	var points []string
	add := func(item, name string, value float64, day int, origin string) {
		points = append(points, fmt.Sprintf(`{"item":%q,"name":%q,"value":%g,"time":"2026-03-%02dT00:00:00Z","origin":%q}`, item, name, value, day, origin))
	}
	for _, m := range []struct {
		item, name  string
		training    float64
		evaluations []float64
	}{
		{v2, "auc", 0.921, []float64{0.915, 0.902, 0.859}},
		{v2, "accuracy", 0.880, []float64{0.884, 0.890}},
		{v2, "log_loss", 0.300, []float64{0.350}},
		{v1, "auc", 0.900, []float64{0.905}},
		{v1, markupMetric, 1, []float64{2}},
	} {
		add(m.item, m.name, m.training, 1, "training")
		for i, v := range m.evaluations {
			add(m.item, m.name, v, 8+7*i, fmt.Sprintf("eval-%d", i+1))
		}
	}
	for i, v := range []float64{0.12, 0.2, 0.31} {
		add(v2, "data_drift", v, 8+7*i, fmt.Sprintf("eval-%d", i+1))
	}
	if status, body := e.do(member, "POST", "/api/v1/metrics", `{"points":[`+strings.Join(points, ",")+`]}`); status != http.StatusOK {
		t.Fatalf("send metrics: %d %s", status, body)
	}
}

func TestMetricsPages(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ids := seedSource(t, e, tutorialItems)
		v1, v2 := ids["GOVERN_TUTORIAL/rf/1"], ids["GOVERN_TUTORIAL/rf/2"]
		seedMetrics(t, e, v1, v2)
		viewerB := e.browser(t)
		viewerB.signIn("viewer")

		t.Run("FocusChangesTheRows", func(t *testing.T) {
			page := viewerB.get("/model-registry")
			mustContain(t, "the registry", page, `<select name="focus" id="focus">`, `<option value="auc" selected>ROC AUC</option>`,
				`<option value="accuracy">Accuracy</option>`, `id="focus-heading">ROC AUC</th>`, "<th scope=\"col\">Data drift</th>")
			row := registryRow(t, page, v2)
			mustContain(t, "v2's row on auc", row, `<span class="metric-value">0.859</span>`, "drift-degraded", "−0.062", "(degraded)",
				`<span class="metric-value">0.310</span>`)
			mustContain(t, "v1's row on auc", registryRow(t, page, v1), "0.905", "&#43;0.005", "drift-improved")

			page = viewerB.get("/model-registry?focus=accuracy")
			mustContain(t, "the registry on accuracy", page, `<option value="accuracy" selected>Accuracy</option>`, `id="focus-heading">Accuracy</th>`)
			row = registryRow(t, page, v2)
			mustContain(t, "v2's row on accuracy", row, `<span class="metric-value">0.890</span>`, "&#43;0.010", "drift-improved")
			if strings.Contains(row, "0.859") || strings.Contains(row, "drift-degraded") {
				t.Errorf("the accuracy row shows auc: %s", row)
			}
			if strings.Contains(registryRow(t, page, v1), "metric-value") {
				t.Error("v1 shows an accuracy it has not")
			}
			row = registryRow(t, viewerB.get("/model-registry?focus=log_loss"), v2)
			mustContain(t, "v2's row on log loss, where lower is better", row, "0.350", "&#43;0.050", "drift-degraded")
			if page := viewerB.get("/model-registry?focus=nope"); !strings.Contains(page, `id="focus-heading">ROC AUC</th>`) {
				t.Error("an unknown focus does not fall back to auc")
			}
		})

		t.Run("FocusKeptInAddresses", func(t *testing.T) {
			page := viewerB.get("/model-registry?focus=accuracy")
			mustContain(t, "the rows' links", page, `href="/model-registry?focus=accuracy&amp;version=`+v2+`"`)
			details := viewerB.get("/model-registry?focus=accuracy&version=" + v2)
			mustContain(t, "the panel's links", details, `href="/model-registry?focus=accuracy"`, // close
				`href="/model-registry?focus=accuracy&amp;tab=metrics&amp;version=`+v2+`"`,
				`href="/model-registry?focus=accuracy&amp;tab=deployments&amp;version=`+v2+`"`,
				`<input type="hidden" name="version" value="`+v2+`">`)
			metrics := viewerB.get("/model-registry?focus=accuracy&tab=metrics&version=" + v2)
			mustContain(t, "the metrics tab's links", metrics, `href="/model-registry?focus=accuracy&amp;tab=metrics&amp;version=`+v1+`"`,
				`<input type="hidden" name="tab" value="metrics">`, `href="/model-registry?focus=accuracy"`)
		})

		t.Run("MetricsTab", func(t *testing.T) {
			page := viewerB.get("/model-registry?tab=metrics&version=" + v2)
			mustContain(t, "the metrics tab", page, `id="tab-metrics" aria-current="page"`, `class="details-panel wide"`,
				`id="metrics-`+v2+`"`, `<tr data-metric="auc">`, `<th scope="row">ROC AUC</th>`, "0.921", "−0.062",
				`<tr data-metric="data_drift">`, `class="metric-charts" hidden`, `data-metric="drift"`,
				`"title":"ROC AUC"`, `"reference":{"label":"Training value","value":0.921}`, `{"x":1772323200000,"y":0.921}`,
				`"label":"Data drift","axis":"y2"`, "vendor/chart-4.6.1.umd", "chartjs-adapter-date-fns", "/static/metrics.")
			// The drift chart follows the focus.
			page = viewerB.get("/model-registry?focus=accuracy&tab=metrics&version=" + v2)
			mustContain(t, "the drift chart on accuracy", page, `"label":"Accuracy drift (evaluation − training)"`)
			// A bundle has no metrics tab.
			bundles := viewerB.get("/bundle-registry?tab=metrics&bundle=" + ids["GOVERN_TUTORIAL/b1"])
			if strings.Contains(bundles, `id="tab-metrics"`) || strings.Contains(bundles, "metrics-panel") || !strings.Contains(bundles, `id="tab-deployments"`) {
				t.Error("the bundle registry offers a metrics tab, or no deployments tab")
			}
		})

		t.Run("DownsampledWithRange", func(t *testing.T) {
			var points []string
			for i := range 300 {
				points = append(points, fmt.Sprintf(`{"item":%q,"name":"recall","value":%g,"time":"2026-04-01T%02d:%02d:00Z","origin":"eval"}`, v1, 0.7+float64(i%10)/100, i/60, i%60))
			}
			if status, body := e.do(member, "POST", "/api/v1/metrics", `{"points":[`+strings.Join(points, ",")+`]}`); status != http.StatusOK {
				t.Fatalf("send: %d %s", status, body)
			}
			page := viewerB.get("/model-registry?tab=metrics&version=" + v1)
			mustContain(t, "the long series", page, "300 points: the mean of each period, and its range", `"label":"Recall (mean of each period)"`, `"band":[{"x":`)
		})

		t.Run("HTMLEscaped", func(t *testing.T) {
			for _, path := range []string{"/model-registry?focus=" + url.QueryEscape(markupMetric), "/model-registry?tab=metrics&version=" + v1} {
				page := viewerB.get(path)
				if strings.Contains(page, "<script>alert(1)") {
					t.Errorf("%s holds the metric's name as markup", path)
				}
				mustContain(t, path, page, "&lt;script&gt;alert(1)&lt;/script&gt;")
			}
			page := viewerB.get("/model-registry?focus=" + url.QueryEscape(markupMetric))
			mustContain(t, "the focus on the markup metric", page, `id="focus-heading">&lt;script&gt;alert(1)&lt;/script&gt;</th>`)
			mustContain(t, "the markup metric's chart data", viewerB.get("/model-registry?tab=metrics&version="+v1), `\u003cscript\u003ealert(1)\u003c/script\u003e`)
		})
	})
}

func TestDeploymentsPages(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ids := seedSource(t, e, tutorialItems)
		v2 := ids["GOVERN_TUTORIAL/rf/2"]
		seedMetrics(t, e, ids["GOVERN_TUTORIAL/rf/1"], v2)
		for name, body := range map[string]string{"automation-prod": `{"stage":"prod","policy":"PREVENT"}`, "automation-staging": `{"stage":"test","policy":"WARN"}`} {
			if status, body := e.do(admin, "PUT", "/api/v1/deployment-targets/"+name, body); status != http.StatusCreated {
				t.Fatalf("put target %s: %d %s", name, status, body)
			}
		}
		status, body := e.do(member, "POST", "/api/v1/governable-items/"+v2+"/govern", `{"template":"standard-model-version","govern_parents":true}`)
		if status != http.StatusCreated {
			t.Fatalf("govern v2: %d %s", status, body)
		}
		var governed struct{ ID string }
		decode(t, body, &governed)
		for _, d := range []string{`"status":"deployed","time":"2026-06-01T09:00:00Z"`, `"status":"undeployed","time":"2026-06-08T09:00:00Z","reference":"staging/2"`} {
			if status, body := e.do(member, "POST", "/api/v1/deployments", `{"item":"`+v2+`","target":"automation-staging",`+d+`}`); status != http.StatusCreated {
				t.Fatalf("record: %d %s", status, body)
			}
		}
		viewerB := e.browser(t)
		viewerB.signIn("viewer")
		tab := "/model-registry?tab=deployments&version=" + v2
		itemTab := "/items/" + governed.ID + "?tab=deployments"

		t.Run("TargetsAndHistory", func(t *testing.T) {
			for _, path := range []string{tab, itemTab} {
				page := viewerB.get(path)
				mustContain(t, path, page, `id="deployments-`+v2+`"`, `<tr data-target="automation-staging">`, "test · ",
					`<span class="policy policy-warn">WARN</span>`, `<span class="badge deploy-undeployed">undeployed</span>`, "2026-06-08 09:00 UTC",
					"<td>2</td>", "never checked", "staging/2", `<span class="badge deploy-deployed">deployed</span>`)
				if strings.Contains(page, "automation-prod") || strings.Contains(page, "workflow-locked") {
					t.Errorf("%s shows a target the version never met, or a lock", path)
				}
			}
		})

		t.Run("LockedWorkflow", func(t *testing.T) {
			if status, body := e.do(member, "POST", "/api/v1/items/"+governed.ID+"/signoffs/review/abandon", `{}`); status != http.StatusOK {
				t.Fatalf("abandon: %d %s", status, body)
			}
			if status, body := e.do(viewer, "POST", "/api/v1/deployment-checks", `{"target":"automation-prod","item":"`+v2+`"}`); status != http.StatusOK || !strings.Contains(body, `"code":"WORKFLOW_LOCKED"`) {
				t.Fatalf("check: %d %s", status, body)
			}
			for _, path := range []string{tab, itemTab} {
				page := viewerB.get(path)
				mustContain(t, path, page, `id="workflow-locked-`+v2+`"`, "The workflow is locked.", "<strong>automation-prod</strong>",
					`<span class="badge decision-block">block</span>`, "sign-off Abandoned", "by viewer")
			}
			if status, body := e.do(member, "POST", "/api/v1/items/"+governed.ID+"/signoffs/review/reset", `{}`); status != http.StatusOK {
				t.Fatalf("reset: %d %s", status, body)
			}
			if page := viewerB.get(tab); strings.Contains(page, "workflow-locked") {
				t.Error("the workflow is still locked after the reset")
			}
		})

		t.Run("ItemPageTabs", func(t *testing.T) {
			page := viewerB.get("/items/" + governed.ID)
			mustContain(t, "the version's page", page, `href="/items/`+governed.ID+`?tab=metrics" id="item-tab-metrics"`, `id="item-tab-deployments"`)
			if strings.Contains(page, "chart-4.6.1") {
				t.Error("the overview loads Chart.js")
			}
			metrics := viewerB.get("/items/" + governed.ID + "?tab=metrics")
			mustContain(t, "the version's metrics tab", metrics, `id="item-tab-metrics" class="panel-link single active" aria-current="page"`,
				`id="metrics-`+v2+`"`, `<tr data-metric="auc">`, "−0.062", `"title":"ROC AUC"`, "vendor/chart-4.6.1.umd")
		})
	})
}

func TestDeploymentTargetsPage(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		adminB, viewerB, memberB := e.browser(t), e.browser(t), e.browser(t)
		adminB.signIn("admin")
		viewerB.signIn("viewer")
		memberB.signIn("member")
		form := url.Values{"name": {"automation-prod"}, "stage": {"prod"}, "policy": {"PREVENT"}, "description": {"Only <b>approved</b> versions."}}

		t.Run("ErrAdminsOnly", func(t *testing.T) {
			for _, b := range []*browser{viewerB, memberB} {
				b.getStatus("/admin/deployment-targets", http.StatusForbidden)
				if resp, _ := b.do("POST", "/admin/deployment-targets", form); resp.StatusCode != http.StatusForbidden {
					t.Errorf("POST by a non-admin: %d", resp.StatusCode)
				}
			}
			if strings.Contains(viewerB.get("/model-registry"), "/admin/deployment-targets") {
				t.Error("a viewer is shown the admin's link")
			}
		})

		t.Run("CreateAndChange", func(t *testing.T) {
			empty := adminB.get("/admin/deployment-targets")
			mustContain(t, "the empty page", empty, `href="/admin/deployment-targets" aria-current="page">Deployment targets</a>`, "No deployment targets yet",
				`<option value="PREVENT" selected>`)
			resp, _ := adminB.do("POST", "/admin/deployment-targets", form)
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/deployment-targets" {
				t.Fatalf("create: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
			}
			page := adminB.get("/admin/deployment-targets")
			mustContain(t, "the list", page, "Deployment target automation-prod created.", `<tr id="target-automation-prod">`, "<td>prod</td>",
				`<span class="policy policy-prevent">PREVENT</span>`, "Only &lt;b&gt;approved&lt;/b&gt; versions.", "by admin",
				`href="/admin/deployment-targets?edit=automation-prod#target-form"`)
			edit := adminB.get("/admin/deployment-targets?edit=automation-prod")
			mustContain(t, "the edit form", edit, "Change automation-prod", `value="automation-prod" required autocomplete="off" readonly`,
				`<option value="PREVENT" selected>`, `<input type="hidden" name="editing" value="automation-prod">`)
			form.Set("policy", "WARN")
			if resp, _ := adminB.do("POST", "/admin/deployment-targets", form); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("change: %d", resp.StatusCode)
			}
			mustContain(t, "the changed target", adminB.get("/admin/deployment-targets"), "Deployment target automation-prod changed.",
				`<span class="policy policy-warn">WARN</span>`)
			adminB.getStatus("/admin/deployment-targets?edit=nope", http.StatusNotFound)
		})

		t.Run("ErrBadPolicyAtTheField", func(t *testing.T) {
			bad := url.Values{"name": {"moon"}, "stage": {"space"}, "policy": {"MAYBE"}}
			resp, page := adminB.do("POST", "/admin/deployment-targets", bad)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("bad policy: %d", resp.StatusCode)
			}
			mustContain(t, "the refused form", page, `<select id="f-policy" name="policy" aria-invalid="true" aria-describedby="e-policy">`,
				`<small id="e-policy" class="error">Must be PREVENT, WARN or NO_CHECK.</small>`, `value="moon"`, `value="space"`)
			_, page = adminB.do("POST", "/admin/deployment-targets", url.Values{"name": {"a b"}, "stage": {""}})
			mustContain(t, "the refused name and stage", page, `<small id="e-name" class="error">Must be 1 to 100 letters`, `<small id="e-stage" class="error">`)
			if strings.Contains(adminB.get("/admin/deployment-targets"), "moon") {
				t.Error("a refused target was stored")
			}
		})
	})
}

// registryRow is the HTML of one row of a registry page.
func registryRow(t *testing.T, page, id string) string {
	t.Helper()
	start := strings.Index(page, `<tr id="row-`+id+`"`)
	if start < 0 {
		t.Fatalf("no row %s", id)
	}
	end := strings.Index(page[start:], "</tr>")
	return page[start : start+end]
}

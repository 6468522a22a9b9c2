package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"assent"
	"assent/sqldb"
	"assent/sqldb/sqldbtest"
)

// tutorialItems are the objects of the tutorial's design node: a project
// with two bundles and a model with two versions, the second active, and a
// project whose name is markup.
var tutorialItems = []assent.SyncItem{
	{Kind: assent.KindProject, Key: "GOVERN_TUTORIAL", Name: "Govern Tutorial", Attributes: map[string]any{"owner": "ada"}},
	{Kind: assent.KindBundle, Key: "GOVERN_TUTORIAL/b1", Parent: "GOVERN_TUTORIAL", Name: "bundle_v1"},
	{Kind: assent.KindBundle, Key: "GOVERN_TUTORIAL/b2", Parent: "GOVERN_TUTORIAL", Name: "bundle_v2"},
	{Kind: assent.KindModel, Key: "GOVERN_TUTORIAL/rf", Parent: "GOVERN_TUTORIAL", Name: "Predict authorized_flag (binary)"},
	{Kind: assent.KindModelVersion, Key: "GOVERN_TUTORIAL/rf/1", Parent: "GOVERN_TUTORIAL/rf", Name: "Random forest (s1) - v1"},
	{Kind: assent.KindModelVersion, Key: "GOVERN_TUTORIAL/rf/2", Parent: "GOVERN_TUTORIAL/rf", Name: "Random forest (s1) - v2", Attributes: map[string]any{"active": true, "algorithm": "random_forest"}},
	{Kind: assent.KindProject, Key: "MARKUP", Name: "<script>alert(1)</script>"},
	{Kind: assent.KindModel, Key: "MARKUP/m", Parent: "MARKUP", Name: "Markup model"},
}

// seedSource registers the source "design-node" and syncs items into it
// as an admin, and returns the governable ids by key.
func seedSource(t *testing.T, e *env, items []assent.SyncItem) map[string]string {
	t.Helper()
	ctx := assent.NewContextWithUser(context.Background(), assent.SystemUser("test"))
	if _, _, err := sqldb.NewSourceService(e.db).PutSource(ctx, "design-node", assent.SourceUpdate{DisplayName: "Design node",
		LinkTemplate: "https://dss.example.com/projects/{project_key}/{kind}/{key}"}); err != nil {
		t.Fatal(err)
	}
	res, err := sqldb.NewGovernableService(e.db, sqldb.NewItemService(e.db)).Sync(ctx, "design-node", assent.SyncBatch{Items: items})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, r := range res.Items {
		ids[r.Key] = r.ID
	}
	return ids
}

// getStatus opens a page and fails unless it answers want.
func (b *browser) getStatus(path string, want int) string {
	b.t.Helper()
	resp, body := b.do("GET", path, nil)
	if resp.StatusCode != want {
		b.t.Fatalf("GET %s: %d, want %d\n%.2000s", path, resp.StatusCode, want, body)
	}
	return body
}

// mustContain fails for each fragment the page lacks.
func mustContain(t *testing.T, what, body string, fragments ...string) {
	t.Helper()
	for _, f := range fragments {
		if !strings.Contains(body, f) {
			t.Errorf("%s lacks %q", what, f)
		}
	}
}

func TestGovernablePages(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ids := seedSource(t, e, tutorialItems)
		project, model := ids["GOVERN_TUTORIAL"], ids["GOVERN_TUTORIAL/rf"]
		v1, v2 := ids["GOVERN_TUTORIAL/rf/1"], ids["GOVERN_TUTORIAL/rf/2"]
		viewerB, memberB := e.browser(t), e.browser(t)
		viewerB.signIn("viewer")
		memberB.signIn("member")

		t.Run("TreeBySourceAndProject", func(t *testing.T) {
			page := memberB.get("/governable-items")
			mustContain(t, "the governable items", page, "Design node", ">Govern Tutorial</a>", `id="govern-`+project+`"`, `id="hide-`+project+`"`,
				`href="https://dss.example.com/projects/GOVERN_TUTORIAL/project/GOVERN_TUTORIAL"`)
			if strings.Contains(page, "bundle_v1") {
				t.Error("a closed project shows its bundles")
			}
			open := memberB.get("/governable-items?open=" + project + "," + model)
			mustContain(t, "the open project", open, "bundle_v1", "bundle_v2", "Predict authorized_flag (binary)", "Random forest (s1) - v1", "Random forest (s1) - v2",
				`id="toggle-`+model+`" aria-expanded="true"`)
			flat := memberB.get("/governable-items?q=random")
			mustContain(t, "the search", flat, "Random forest (s1) - v1", "in Predict authorized_flag (binary)")
			if strings.Contains(flat, ">Govern Tutorial</a>") {
				t.Error("the search lists the project")
			}
		})

		t.Run("ErrViewerCannotGovern", func(t *testing.T) {
			page := viewerB.get("/governable-items?open=" + project)
			if strings.Contains(page, `id="govern-`) || strings.Contains(page, `/hide"`) {
				t.Error("the viewer sees Govern or Hide buttons")
			}
			viewerB.getStatus("/governable-items/"+project+"/govern", http.StatusForbidden)
			for _, action := range []string{"govern", "hide"} {
				if resp, _ := viewerB.do("POST", "/governable-items/"+project+"/"+action, url.Values{"template": {"standard-project"}}); resp.StatusCode != http.StatusForbidden {
					t.Errorf("viewer POST %s: %d", action, resp.StatusCode)
				}
			}
		})

		t.Run("GovernFormDefaults", func(t *testing.T) {
			page := memberB.get("/governable-items/" + project + "/govern")
			mustContain(t, "the project's govern form", page, `<option value="standard-project" selected>`,
				`name="children.bundle" value="1" checked>`, "Govern all of its bundles", "Govern all of its models", `name="attach_to"`, `name="business_initiative"`)
			if regexp.MustCompile(`name="children.model" value="1" checked`).MatchString(page) || strings.Contains(page, "<dialog") {
				t.Error("models are checked, or the page is a dialog")
			}
			_, dialog := memberB.do("GET", "/governable-items/"+project+"/govern", nil, "HX-Request", "true")
			mustContain(t, "the htmx answer", dialog, `<dialog open id="govern-dialog"`, `formmethod="dialog"`)
			page = memberB.get("/governable-items/" + model + "/govern")
			mustContain(t, "the model's govern form", page, `name="children.model_version" value="1" checked>`, "Govern all of its model versions",
				`name="govern_parents"`, "“Govern Tutorial” is not governed yet")
		})

		t.Run("ErrParentNotGoverned", func(t *testing.T) {
			resp, page := memberB.do("POST", "/governable-items/"+model+"/govern", url.Values{"template": {"standard-model"}, "children.model_version": {"1"}})
			if resp.StatusCode != http.StatusConflict {
				t.Fatalf("%d", resp.StatusCode)
			}
			mustContain(t, "the refused form", page, `role="alert"`, "Govern Tutorial", "is not governed", `name="children.model_version" value="1" checked>`)
		})

		t.Run("ErrWrongTemplateAtItsField", func(t *testing.T) {
			resp, page := memberB.do("POST", "/governable-items/"+project+"/govern", url.Values{"template": {"standard-bundle"}})
			if resp.StatusCode != http.StatusUnprocessableEntity || !regexp.MustCompile(`id="f-template"[^>]*aria-invalid="true"`).MatchString(page) {
				t.Fatalf("%d\n%.3000s", resp.StatusCode, page)
			}
			mustContain(t, "the refused form", page, `id="e-template" class="error">Template &#34;standard-bundle&#34; makes bundle items`)
		})

		var governedProject string
		t.Run("MemberGovernsProject", func(t *testing.T) {
			resp, _ := memberB.do("POST", "/governable-items/"+project+"/govern", url.Values{"template": {"standard-project"}})
			loc := resp.Header.Get("Location")
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/items/") {
				t.Fatalf("%d to %q", resp.StatusCode, loc)
			}
			governedProject = strings.TrimPrefix(loc, "/items/")
			page := memberB.get(loc)
			mustContain(t, "the governed project", page, "The project “Govern Tutorial” is governed.", `id="source-objects"`, `href="/governable-items/`+project+`"`)
			tree := memberB.get("/governable-items?open=" + project)
			mustContain(t, "the tree", tree, `id="governed-`+project+`"`, `id="govern-`+ids["GOVERN_TUTORIAL/b1"]+`"`, `id="govern-`+ids["GOVERN_TUTORIAL/b2"]+`"`)
			if strings.Contains(tree, `id="govern-`+project+`"`) {
				t.Error("the governed project still has a Govern button")
			}
			item := memberB.get("/governable-items/" + project)
			mustContain(t, "the governable item page", item, `id="governed-by"`, `href="/items/`+governedProject+`"`, "owner", "ada", "bundle_v1")
		})

		t.Run("MemberGovernsModelWithVersions", func(t *testing.T) {
			resp, _ := memberB.do("POST", "/governable-items/"+model+"/govern", url.Values{"template": {"standard-model"},
				"children.model_version": {"1"}, "children_templates.model_version": {"standard-model-version"}})
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("%d", resp.StatusCode)
			}
			modelPage := memberB.get(resp.Header.Get("Location"))
			mustContain(t, "the governed model", modelPage, "with 2 more items", `id="related-items"`, "Random forest (s1) - v1", "Random forest (s1) - v2")
			page := memberB.get("/items/" + governedProject)
			mustContain(t, "the governed project", page, `id="related-items"`, `class="related-model"`, "Predict authorized_flag (binary)",
				"Random forest (s1) - v1", "Random forest (s1) - v2")
		})

		t.Run("ModelRegistry", func(t *testing.T) {
			page := viewerB.get("/model-registry")
			mustContain(t, "the model registry", page, "Govern Tutorial", "Predict authorized_flag (binary)", "Random forest (s1) - v1",
				`class="badge badge-governed" title="Open the governed item">governed</a>`, "Model version", "Development", "Markup model", `<span class="badge badge-governable">governable</span>`)
			if strings.Contains(page, `id="govern-`) {
				t.Error("the viewer sees Govern buttons")
			}
			details := viewerB.get("/model-registry?version=" + v2)
			mustContain(t, "the version's details", details, `id="details-`+v2+`"`, `id="details-governed"`, "algorithm", "random_forest",
				`<span class="badge badge-active"`)
			if !strings.Contains(memberB.get("/model-registry"), `id="govern-`+ids["MARKUP/m"]+`"`) {
				t.Error("the member has no Govern button on the ungoverned model")
			}
			_ = v1
		})

		t.Run("BundleRegistry", func(t *testing.T) {
			page := memberB.get("/bundle-registry")
			mustContain(t, "the bundle registry", page, "bundle_v1", "bundle_v2", `id="govern-`+ids["GOVERN_TUTORIAL/b1"]+`"`)
		})

		t.Run("HideCascadesAndUnhide", func(t *testing.T) {
			markup := ids["MARKUP"]
			resp, _ := memberB.do("POST", "/governable-items/"+markup+"/hide", url.Values{"back": {"/governable-items?q=markup"}})
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/governable-items?q=markup" {
				t.Fatalf("%d to %q", resp.StatusCode, resp.Header.Get("Location"))
			}
			hidden := memberB.get("/governable-items?status=hidden")
			mustContain(t, "the hidden items", hidden, "is hidden, with everything under it", `id="unhide-`+markup+`"`, `id="unhide-`+ids["MARKUP/m"]+`"`)
			if strings.Contains(memberB.get("/governable-items"), "Markup model") {
				t.Error("hidden items show by default")
			}
			resp, _ = memberB.do("POST", "/governable-items/"+markup+"/unhide", url.Values{"back": {"//evil.example/"}})
			if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/governable-items/"+markup {
				t.Fatalf("unhide with an offsite back: %d to %q", resp.StatusCode, loc)
			}
			resp, _ = memberB.do("POST", "/governable-items/"+project+"/hide", url.Values{"back": {"/governable-items"}})
			if resp.StatusCode != http.StatusSeeOther || !strings.Contains(memberB.get("/governable-items"), `flash-error`) {
				t.Errorf("hiding a governed project: %d, without an error message", resp.StatusCode)
			}
		})

		t.Run("GovernParentsToo", func(t *testing.T) {
			resp, _ := memberB.do("POST", "/governable-items/"+ids["MARKUP/m"]+"/govern", url.Values{"template": {"standard-model"}, "govern_parents": {"1"}})
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("%d", resp.StatusCode)
			}
			mustContain(t, "the markup project", memberB.get("/governable-items/"+ids["MARKUP"]), `id="governed-by"`)
		})

		t.Run("HTMLEscaped", func(t *testing.T) {
			for _, path := range []string{"/governable-items", "/model-registry", "/governable-items/" + ids["MARKUP"]} {
				page := memberB.get(path)
				if strings.Contains(page, "<script>alert(1)") || !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
					t.Errorf("%s does not escape the project's name", path)
				}
			}
		})
	})
}

func TestGovernanceRulesPage(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ids := seedSource(t, e, tutorialItems)
		adminB, memberB := e.browser(t), e.browser(t)
		adminB.signIn("admin")
		memberB.signIn("member")
		memberB.getStatus("/admin/governance-rules", http.StatusForbidden)
		page := adminB.get("/admin/governance-rules")
		mustContain(t, "the rules page", page, `href="/admin/governance-rules" aria-current="page"`, `name="rules[3].mode"`, `name="rules[4].parent"`)

		form := url.Values{"rules[0].kind": {"project"}, "rules[0].mode": {"automated"}, "rules[0].template": {""},
			"rules[1].kind": {"bundle"}, "rules[1].mode": {"none"},
			"rules[4].kind": {"model_version"}, "rules[4].mode": {"recommended"}, "rules[4].template": {"standard-model"}, "rules[4].parent": {"nope"}}
		resp, page := adminB.do("POST", "/admin/governance-rules", form)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%d", resp.StatusCode)
		}
		for _, name := range []string{"rules[0].template", "rules[4].template", "rules[4].parent"} {
			if !regexp.MustCompile(`name="` + regexp.QuoteMeta(name) + `"[^>]*aria-invalid="true"`).MatchString(page) {
				t.Errorf("%s is not marked invalid\n%s", name, page)
			}
		}

		form = url.Values{"rules[0].kind": {"project"}, "rules[0].mode": {"recommended"}, "rules[0].template": {"standard-project"},
			"rules[4].kind": {"model_version"}, "rules[4].mode": {"recommended"}, "rules[4].parent": {""}}
		if resp, body := adminB.do("POST", "/admin/governance-rules", form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d %.2000s", resp.StatusCode, body)
		}
		page = adminB.get("/admin/governance-rules")
		mustContain(t, "the saved rules", page, "Governance rules saved.", `<option value="recommended" selected>`)
		if status, body := e.do(admin, "GET", "/api/v1/governance-rules", ""); status != 200 || !strings.Contains(body, `"template":"standard-project"`) || strings.Contains(body, `"kind":"model_version"`) {
			t.Fatalf("rules: %d %s", status, body)
		}
		if page := memberB.get("/governable-items/" + ids["GOVERN_TUTORIAL"] + "/govern"); !strings.Contains(page, `<option value="standard-project" selected>`) {
			t.Error("the recommended template is not pre-selected")
		}
	})
}

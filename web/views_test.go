package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"assent"
	"assent/sqldb"
	"assent/sqldb/sqldbtest"
)

// seedProject is a project of the views fixture: its initiative, the step
// it is at and its ratings ("" for none).
type seedProject struct{ name, initiative, step, value, feasibility string }

var viewProjects = []seedProject{
	{"Card fraud", "Fraud reduction", "progress", "High", "High"},
	{"Chargeback triage", "Fraud reduction", "qualification", "Medium high", "Low"},
	{"Churn model", "Retention", "exploration", "Low", ""},
	{"Dormant accounts", "Retention", "qualification", "High", "Medium low"},
	{"Email uplift", "", "exploration", "", ""},
	{"Fraud rings graph", "Fraud reduction", "exploration", "Medium low", "High"},
}

// seedViews creates the initiatives "Fraud reduction" and "Retention" and
// the projects, through the item service as the member, and returns the
// ids by name.
func seedViews(t *testing.T, e *env, projects []seedProject) map[string]string {
	t.Helper()
	ctx := assent.NewContextWithUser(context.Background(), &assent.User{Username: "member", Role: assent.RoleMember})
	items := sqldb.NewItemService(e.db)
	// A clock that moves a second per change, so that "updated" orders
	// the items as they were made.
	now, clock := e.db.Now, time.Now().Add(-time.Hour)
	e.db.Now = func() time.Time { clock = clock.Add(time.Second); return clock }
	defer func() { e.db.Now = now }()
	ids := map[string]string{}
	for _, name := range []string{"Fraud reduction", "Retention"} {
		it, err := items.CreateItem(ctx, assent.NewItem{Template: assent.TemplateRef{ID: "standard-business-initiative"}, Name: name})
		if err != nil {
			t.Fatal(err)
		}
		ids[name] = it.ID
	}
	for _, p := range projects {
		fields := map[string]any{}
		for k, v := range map[string]string{"business_initiative": ids[p.initiative], "qualification_value_rating": p.value, "qualification_feasibility_rating": p.feasibility} {
			if v != "" {
				fields[k] = v
			}
		}
		it, err := items.CreateItem(ctx, assent.NewItem{Template: assent.TemplateRef{ID: "standard-project"}, Name: p.name, Fields: fields})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{"exploration", "qualification", "progress"} {
			if s == p.step {
				break
			}
			if _, err := items.SetItemStep(ctx, it.ID, s, assent.StepFinished, nil); err != nil {
				t.Fatal(err)
			}
		}
		ids[p.name] = it.ID
	}
	return ids
}

var rowName = regexp.MustCompile(`<tr id="row-[^"]+"><td><a href="/items/[^"]+" class="item-name">([^<]*)</a>`)

// rowNames lists the names in the rows of a table page.
func rowNames(body string) []string {
	var names []string
	for _, m := range rowName.FindAllStringSubmatch(body, -1) {
		names = append(names, html.UnescapeString(m[1]))
	}
	return names
}

// get opens path and fails unless it answers 200.
func (b *browser) get(path string) string {
	b.t.Helper()
	resp, body := b.do("GET", path, nil)
	if resp.StatusCode != http.StatusOK {
		b.t.Fatalf("GET %s: %d", path, resp.StatusCode)
	}
	return body
}

// link finds the href of the first link whose text (or class) matches re.
func link(t *testing.T, body, re string) string {
	t.Helper()
	m := regexp.MustCompile(`<a href="([^"]+)"[^>]*>` + re).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no link %q", re)
	}
	return html.UnescapeString(m[1])
}

func TestProjectsTable(t *testing.T) {
	e := newEnv(t, sqldbtest.SQLiteURL(t))
	ids := seedViews(t, e, viewProjects)
	b := e.browser(t)
	b.signIn("viewer")
	for _, tc := range []struct {
		name, query string
		want        []string
	}{
		{"ByName", "", []string{"Card fraud", "Chargeback triage", "Churn model", "Dormant accounts", "Email uplift", "Fraud rings graph"}},
		{"ByValueHighFirstUnratedLast", "sort=qualification_value_rating&dir=desc", []string{"Card fraud", "Dormant accounts", "Chargeback triage", "Fraud rings graph", "Churn model", "Email uplift"}},
		{"ByFeasibilityLowFirst", "sort=qualification_feasibility_rating", []string{"Chargeback triage", "Dormant accounts", "Card fraud", "Fraud rings graph", "Churn model", "Email uplift"}},
		{"ByStepInWorkflowOrder", "sort=step", []string{"Churn model", "Email uplift", "Fraud rings graph", "Chargeback triage", "Dormant accounts", "Card fraud"}},
		{"ByUpdatedNewestFirst", "sort=updated&dir=desc", []string{"Fraud rings graph", "Email uplift", "Dormant accounts", "Churn model", "Chargeback triage", "Card fraud"}},
		{"NameContainsAnyCase", "q=FRAUD", []string{"Card fraud", "Fraud rings graph"}},
		{"StepAndValue", "step=qualification&field.qualification_value_rating=High", []string{"Dormant accounts"}},
		{"Initiative", "initiative=" + ids["Fraud reduction"] + "&sort=name&dir=desc", []string{"Fraud rings graph", "Chargeback triage", "Card fraud"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := b.get("/projects?" + tc.query)
			if diff := cmp.Diff(tc.want, rowNames(body)); diff != "" {
				t.Fatal(diff)
			}
		})
	}
	t.Run("RowsShowStepRatingsAndLinks", func(t *testing.T) {
		body := b.get("/projects?q=Card")
		for _, want := range []string{
			`<a href="/items/` + ids["Card fraud"] + `" class="item-name">Card fraud</a>`,
			`<a href="/items/` + ids["Fraud reduction"] + `">Fraud reduction</a>`,
			`<span class="step step-3">In Progress</span>`, `<span class="rating rating-4">High</span>`,
			`aria-current="page">Table</a>`, `href="/projects?q=Card&amp;view=kanban"`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("the page lacks %s", want)
			}
		}
		if strings.Contains(body, "New project") {
			t.Error("a viewer is offered the New project form")
		}
	})
	t.Run("SortLinksToggle", func(t *testing.T) {
		body := b.get("/projects?sort=qualification_value_rating&dir=desc&q=a")
		if !regexp.MustCompile(`aria-sort="descending"><a href="/projects\?q=a&amp;sort=qualification_value_rating" class="sort">Value`).MatchString(body) {
			t.Fatal("the sorted column does not say so, or does not link to the other direction")
		}
		if href := link(t, body, `Updated`); href != "/projects?dir=desc&q=a&sort=updated" {
			t.Fatalf("updated sorts first by %s", href)
		}
	})
	t.Run("InitiativeFilterIsAChip", func(t *testing.T) {
		body := b.get("/projects?initiative=" + ids["Retention"])
		if !strings.Contains(body, "Business initiative: Retention") || !strings.Contains(body, `<input type="hidden" name="initiative" value="`+ids["Retention"]+`">`) {
			t.Fatal("the initiative filter is not shown, or not kept by the filter form")
		}
	})
}

func TestProjectsPagesBoardAndMatrix(t *testing.T) {
	e := newEnv(t, sqldbtest.SQLiteURL(t))
	projects := append([]seedProject{}, viewProjects...)
	for i := range 60 {
		projects = append(projects, seedProject{fmt.Sprintf("Bulk %02d", i), "Retention", "exploration", "High", "High"})
	}
	seedViews(t, e, projects)
	b := e.browser(t)
	b.signIn("viewer")

	t.Run("Pagination", func(t *testing.T) {
		body := b.get("/projects?sort=name")
		first := rowNames(body)
		if len(first) != 50 || first[0] != "Bulk 00" || strings.Contains(body, "First page") {
			t.Fatalf("first page: %d rows from %v", len(first), first[:1])
		}
		body = b.get(link(t, body, "Next"))
		second := rowNames(body)
		if len(second) != 16 || second[0] != "Bulk 50" || second[15] != "Fraud rings graph" || strings.Contains(body, `rel="next"`) {
			t.Fatalf("second page: %v", second)
		}
		if href := link(t, body, "First page"); href != "/projects?sort=name" {
			t.Fatalf("first page link %s", href)
		}
		body = b.get("/projects?cursor=bm90IG1pbmU")
		if !strings.Contains(body, "is not a cursor of this sort") {
			t.Fatal("a bad cursor is not explained")
		}
	})
	t.Run("KanbanColumnsCountsAndMore", func(t *testing.T) {
		body := b.get("/projects?view=kanban")
		cols := regexp.MustCompile(`<h2 id="column-title-[a-z]+">([^<]+)</h2><span class="count"[^>]*>(\d+)</span>`).FindAllStringSubmatch(body, -1)
		var got []string
		for _, c := range cols {
			got = append(got, c[1]+" "+c[2])
		}
		want := []string{"Exploration 63", "Qualification 2", "In Progress 1", "Validation and Roll-out 0", "Delivered 0"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatal(diff)
		}
		exploration := body[strings.Index(body, `id="column-exploration"`):strings.Index(body, `id="column-qualification"`)]
		if n := strings.Count(exploration, `class="card"`); n != 50 {
			t.Fatalf("%d cards in Exploration", n)
		}
		if href := link(t, exploration, `\+13 more`); href != "/projects?step=exploration" {
			t.Fatalf("more links to %s", href)
		}
		if !strings.Contains(body, `<span class="rating rating-4">Value High</span>`) {
			t.Fatal("cards do not show their ratings")
		}
	})
	t.Run("MatrixCells", func(t *testing.T) {
		body := b.get("/projects?view=matrix")
		cell := func(x, y string) string {
			i := strings.Index(body, `data-x="`+x+`" data-y="`+y+`"`)
			if i < 0 {
				t.Fatalf("no cell %s × %s", x, y)
			}
			return body[i : i+strings.Index(body[i:], "</td>")]
		}
		high := cell("High", "High")
		if !strings.Contains(high, `<span class="count" title="61 projects">61</span>`) || strings.Count(high, "<li>") != 20 {
			t.Fatalf("High × High: %s", high)
		}
		if href := link(t, high, `\+41 more`); href != "/projects?field.qualification_feasibility_rating=High&field.qualification_value_rating=High" {
			t.Fatalf("more links to %s", href)
		}
		if low := cell("Low", "Medium high"); !strings.Contains(low, ">Chargeback triage</a>") {
			t.Fatalf("Low feasibility × Medium high value: %s", low)
		}
		unrated := body[strings.Index(body, `id="unrated"`):]
		if !strings.Contains(unrated, `<span class="count">2</span>`) || !strings.Contains(unrated, ">Churn model<") || !strings.Contains(unrated, ">Email uplift<") {
			t.Fatalf("not rated: %s", unrated)
		}
		// The value rows run from High at the top to Low at the bottom.
		if strings.Index(body, `data-y="High"`) > strings.Index(body, `data-y="Low"`) {
			t.Fatal("the rows are not High to Low")
		}
		body = b.get("/projects?view=matrix&x=qualification_risk_rating&y=qualification_value_rating")
		if !strings.Contains(body, `<option value="qualification_risk_rating" selected>Risk</option>`) ||
			!strings.Contains(body[strings.Index(body, `id="unrated"`):], `<span class="count">66</span>`) {
			t.Fatal("choosing the risk axis does not place every project under Not rated")
		}
	})
}

func TestCreateFromViews(t *testing.T) {
	e := newEnv(t, sqldbtest.SQLiteURL(t))
	ids := seedViews(t, e, viewProjects[:1])
	b := e.browser(t)
	b.signIn("member")

	body := b.get("/projects")
	if !strings.Contains(body, "New project") || !strings.Contains(body, `<option value="`+ids["Retention"]+`" >Retention</option>`) {
		t.Fatal("the member sees no New project form with the initiatives")
	}
	form := url.Values{"name": {"Sepa fraud"}, "business_initiative": {ids["Fraud reduction"]}, "description": {"Instant payments."}}
	resp, _ := b.do("POST", "/projects", form)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/items/item_") {
		t.Fatalf("create: %d to %q", resp.StatusCode, loc)
	}
	status, item := e.do(viewer, "GET", "/api/v1"+loc, "")
	if status != 200 || !strings.Contains(item, `"parent":"`+ids["Fraud reduction"]+`"`) || !strings.Contains(item, `"template":{"id":"standard-project"`) {
		t.Fatalf("created item: %d %s", status, item)
	}

	t.Run("ErrFieldAtFault", func(t *testing.T) {
		resp, body := b.do("POST", "/projects", url.Values{"name": {" "}, "description": {"kept <typed>"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !regexp.MustCompile(`id="f-name"[^>]*aria-invalid="true"`).MatchString(body) ||
			!strings.Contains(body, "kept &lt;typed&gt;</textarea>") || !strings.Contains(body, `<details class="create view-create" open>`) {
			t.Fatalf("empty name: %d", resp.StatusCode)
		}
		resp, body = b.do("POST", "/projects", url.Values{"name": {"X"}, "business_initiative": {ids["Card fraud"]}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `<small id="e-business_initiative" class="error">`) {
			t.Fatalf("a project as initiative: %d", resp.StatusCode)
		}
	})
	t.Run("ErrViewerRefused", func(t *testing.T) {
		v := e.browser(t)
		v.signIn("viewer")
		resp, body := v.do("POST", "/projects", url.Values{"name": {"Sneaky"}})
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "needs the member role") {
			t.Fatalf("viewer: %d", resp.StatusCode)
		}
		resp, _ = v.do("POST", "/business-initiatives", url.Values{"name": {"Sneaky"}})
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("viewer: %d", resp.StatusCode)
		}
		if body := v.get("/business-initiatives"); strings.Contains(body, "New business initiative") {
			t.Fatal("a viewer is offered the create form")
		}
	})
	t.Run("Initiative", func(t *testing.T) {
		resp, _ := b.do("POST", "/business-initiatives", url.Values{"name": {"Open banking"}, "description": {"PSD2."}})
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/items/item_") {
			t.Fatalf("create: %d", resp.StatusCode)
		}
		resp, body := b.do("POST", "/business-initiatives", url.Values{"name": {""}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !regexp.MustCompile(`id="f-name"[^>]*aria-invalid="true"`).MatchString(body) {
			t.Fatalf("empty name: %d", resp.StatusCode)
		}
	})
}

func TestInitiativesPage(t *testing.T) {
	e := newEnv(t, sqldbtest.SQLiteURL(t))
	ids := seedViews(t, e, viewProjects)
	b := e.browser(t)
	b.signIn("viewer")

	body := b.get("/business-initiatives")
	if diff := cmp.Diff([]string{"Fraud reduction", "Retention"}, rowNames(body)); diff != "" {
		t.Fatal(diff)
	}
	if href := link(t, body, "3 projects"); href != "/projects?initiative="+ids["Fraud reduction"] {
		t.Fatalf("Fraud reduction's projects link to %s", href)
	}
	if !strings.Contains(body, ">2 projects</a>") || strings.Contains(body, ">Matrix</a>") {
		t.Fatal("Retention's count is missing, or a matrix is offered")
	}
	body = b.get("/business-initiatives?view=kanban")
	cols := regexp.MustCompile(`<h2 id="column-title-[a-z]+">([^<]+)</h2><span class="count"[^>]*>(\d+)</span>`).FindAllStringSubmatch(body, -1)
	if len(cols) != 3 || cols[0][1] != "Ideation" || cols[0][2] != "2" || cols[1][1] != "Decision" || cols[2][1] != "Progress" {
		t.Fatalf("columns %v", cols)
	}
	if body := b.get("/business-initiatives?view=matrix"); !strings.Contains(body, `id="items-table"`) {
		t.Fatal("an unknown view does not fall back to the table")
	}
}

func TestViewsEscape(t *testing.T) {
	e := newEnv(t, sqldbtest.SQLiteURL(t))
	seedViews(t, e, []seedProject{{`<img src=x onerror=alert(1)>`, "Retention", "exploration", "High", "High"}})
	b := e.browser(t)
	b.signIn("viewer")
	for _, path := range []string{"/projects", "/projects?view=kanban", "/projects?view=matrix", "/projects?q=%3Cimg"} {
		if body := b.get(path); strings.Contains(body, "<img src=x") || !strings.Contains(body, "&lt;img src=x onerror=alert(1)&gt;") {
			t.Errorf("%s: the name is not escaped", path)
		}
	}
}

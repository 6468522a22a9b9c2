package web_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"assent"
	"assent/sqldb"
	"assent/sqldb/sqldbtest"
)

// BenchmarkProjectViews measures the server time of the projects and
// initiatives pages with 10,000 projects in 20 initiatives on SQLite: the
// handler called directly, without the network. The targets (issue 5):
// the first table page with a filter and a sort under 15 ms, the Kanban
// board and the matrix under 50 ms.
func BenchmarkProjectViews(b *testing.B) {
	e := newEnv(b, sqldbtest.SQLiteURL(b))
	ctx := assent.NewContextWithUser(context.Background(), &assent.User{Username: "member", Role: assent.RoleMember})
	items := sqldb.NewItemService(e.db)
	var initiatives []string
	for i := range 20 {
		it, err := items.CreateItem(ctx, assent.NewItem{Template: assent.TemplateRef{ID: "standard-business-initiative"}, Name: fmt.Sprintf("Initiative %02d", i)})
		if err != nil {
			b.Fatal(err)
		}
		initiatives = append(initiatives, it.ID)
	}
	// Ratings at random, a fifth unrated; every tenth project a step or
	// two further on, as in a real portfolio.
	r := rand.New(rand.NewPCG(5, 10000))
	ratings := []string{"Low", "Medium low", "Medium high", "High"}
	for i := range 10_000 {
		fields := map[string]any{"business_initiative": initiatives[r.IntN(len(initiatives))],
			"description": "A project that models a business problem with the data at hand; its notes say more."}
		if r.IntN(5) > 0 {
			fields["qualification_value_rating"] = ratings[r.IntN(4)]
			fields["qualification_feasibility_rating"] = ratings[r.IntN(4)]
		}
		it, err := items.CreateItem(ctx, assent.NewItem{Template: assent.TemplateRef{ID: "standard-project"}, Name: fmt.Sprintf("Project %05d", r.IntN(100_000)), Fields: fields})
		if err != nil {
			b.Fatal(err)
		}
		if i%10 == 0 {
			for _, step := range []string{"exploration", "qualification"}[:1+r.IntN(2)] {
				if _, err := items.SetItemStep(ctx, it.ID, step, assent.StepFinished, nil); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	resp, err := client.PostForm(e.srv.URL+"/login", url.Values{"username": {"viewer"}, "password": {"password-viewer"}})
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	u, _ := url.Parse(e.srv.URL)
	cookies := jar.Cookies(u)

	for _, bc := range []struct{ name, path, want string }{
		{"TableValueHighByFeasibility", "/projects?field.qualification_value_rating=High&sort=qualification_feasibility_rating&dir=desc", `<tr id="row-`},
		{"TableStepByValue", "/projects?step=qualification&sort=qualification_value_rating&dir=desc", `<tr id="row-`},
		{"TableNameContainsByUpdated", "/projects?q=12&sort=updated&dir=desc", `<tr id="row-`},
		{"TableLastPageOfUnrated", "/projects?sort=qualification_value_rating&cursor=" + lastPageCursor(b, e), `<tr id="row-`},
		{"Kanban", "/projects?view=kanban", `class="card"`},
		{"Matrix", "/projects?view=matrix", `data-x="High" data-y="High"`},
		{"MatrixOtherAxes", "/projects?view=matrix&x=qualification_risk_rating&y=sensitive_data", `id="unrated"`},
		{"Initiatives", "/business-initiatives", `<tr id="row-`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				req := httptest.NewRequest("GET", bc.path, nil)
				for _, c := range cookies {
					req.AddCookie(c)
				}
				rec := httptest.NewRecorder()
				e.server.ServeHTTP(rec, req)
				if rec.Code != 200 || !strings.Contains(rec.Body.String(), bc.want) {
					b.Fatalf("%s: status %d, no %s", bc.path, rec.Code, bc.want)
				}
			}
		})
	}
}

// lastPageCursor follows the projects sorted by value to the page that
// holds the last rated projects and the unrated ones, the costliest run.
func lastPageCursor(b *testing.B, e *env) string {
	views := sqldb.NewItemViewService(e.db)
	ctx := assent.NewContextWithUser(context.Background(), &assent.User{Username: "viewer", Role: assent.RoleViewer})
	q := assent.ItemTableQuery{ItemViewFilter: assent.ItemViewFilter{Type: "project"}, Limit: 50, Values: []string{"qualification_value_rating"},
		Sort: assent.ItemSort{By: assent.SortByField, Field: "qualification_value_rating", Ranks: []string{"Low", "Medium low", "Medium high", "High"}}}
	for {
		rows, next, err := views.FindItemRows(ctx, q)
		if err != nil {
			b.Fatal(err)
		}
		if next == "" || rows[len(rows)-1].Values["qualification_value_rating"] == "" {
			return url.QueryEscape(q.Cursor)
		}
		q.Cursor = next
	}
}

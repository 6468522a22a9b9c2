package sqldb_test

import (
	"fmt"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"assent"
	"assent/sqldb"
	"assent/sqldb/sqldbtest"
	"assent/templates"
)

var ratings = []string{"Low", "Medium low", "Medium high", "High"}

// viewProject is what the views tests know of a project they made.
type viewProject struct {
	id, name, step, value, feasibility, parent string
	updated                                    int
}

// viewFixture makes two initiatives and 13 projects: names "Project 00"…,
// ratings that cycle (every fifth value unset), steps spread over the
// first three, one archived project, and a clock that moves a second per
// change so that "updated" orders them.
func viewFixture(t *testing.T, db *sqldb.DB) (projects []viewProject, initiatives []string) {
	t.Helper()
	standard, err := templates.Standard()
	if err != nil {
		t.Fatal(err)
	}
	if err := sqldb.NewTemplateService(db).EnsureBuiltinTemplates(admin, standard); err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { clock = clock.Add(time.Second); return clock }
	items := sqldb.NewItemService(db)
	ada := as("ada", assent.RoleMember)
	for _, name := range []string{"Fraud reduction", "Retention"} {
		it, err := items.CreateItem(ada, assent.NewItem{Template: assent.TemplateRef{ID: "standard-business-initiative"}, Name: name})
		if err != nil {
			t.Fatal(err)
		}
		initiatives = append(initiatives, it.ID)
	}
	steps := []string{"exploration", "qualification", "progress"}
	// Created in an order unlike their names, so that name and updated differ.
	for n, i := range []int{7, 2, 11, 0, 5, 9, 12, 3, 8, 1, 10, 6, 4} {
		p := viewProject{name: fmt.Sprintf("Project %02d", i), step: steps[i%3], parent: initiatives[i%2]}
		fields := map[string]any{"business_initiative": p.parent}
		if i%5 != 4 {
			p.value = ratings[i%4]
			fields["qualification_value_rating"] = p.value
		}
		if i%5 != 3 {
			p.feasibility = ratings[(i/2)%4]
			fields["qualification_feasibility_rating"] = p.feasibility
		}
		it, err := items.CreateItem(ada, assent.NewItem{Template: assent.TemplateRef{ID: "standard-project"}, Name: p.name, Fields: fields})
		if err != nil {
			t.Fatal(err)
		}
		p.id = it.ID
		for _, s := range steps[:i%3] {
			if _, err := items.SetItemStep(ada, it.ID, s, assent.StepFinished, nil); err != nil {
				t.Fatal(err)
			}
		}
		p.updated = n
		projects = append(projects, p)
	}
	archived, err := items.CreateItem(ada, assent.NewItem{Template: assent.TemplateRef{ID: "standard-project"}, Name: "Project archived",
		Fields: map[string]any{"qualification_value_rating": "High", "business_initiative": initiatives[0]}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := items.ArchiveItem(ada, archived.ID, true, nil); err != nil {
		t.Fatal(err)
	}
	return projects, initiatives
}

// allPages reads every page of q, limit rows at a time, and returns the names.
func allPages(t *testing.T, views *sqldb.ItemViewService, q assent.ItemTableQuery) []string {
	t.Helper()
	var names []string
	for range 50 {
		rows, next, err := views.FindItemRows(as("vic", assent.RoleViewer), q)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			names = append(names, r.Name)
		}
		if next == "" {
			return names
		}
		q.Cursor = next
	}
	t.Fatal("no last page")
	return nil
}

// rankOf ranks v among ranks; missing values come last in both directions.
func rankOf(v string, ranks []string, desc bool) int {
	if i := slices.Index(ranks, v); i >= 0 {
		return i
	} else if desc {
		return -1
	}
	return len(ranks)
}

func TestItemViewTable(t *testing.T) {
	sqldbtest.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		projects, initiatives := viewFixture(t, db)
		views := sqldb.NewItemViewService(db)
		base := assent.ItemViewFilter{Type: "project"}
		// want sorts the projects that keep passes with less and returns their names.
		want := func(keep func(viewProject) bool, less func(a, b viewProject) bool) []string {
			var ps []viewProject
			for _, p := range projects {
				if keep == nil || keep(p) {
					ps = append(ps, p)
				}
			}
			sort.SliceStable(ps, func(i, j int) bool { return less(ps[i], ps[j]) })
			var names []string
			for _, p := range ps {
				names = append(names, p.name)
			}
			return names
		}
		byName := func(a, b viewProject) bool { return a.name < b.name }
		steps := []string{"exploration", "qualification", "progress", "validation", "delivered"}
		for _, tc := range []struct {
			name string
			sort assent.ItemSort
			less func(a, b viewProject) bool
		}{
			{"ByName", assent.ItemSort{}, byName},
			{"ByNameDesc", assent.ItemSort{By: assent.SortByName, Desc: true}, func(a, b viewProject) bool { return a.name > b.name }},
			{"ByUpdated", assent.ItemSort{By: assent.SortByUpdated}, func(a, b viewProject) bool { return a.updated < b.updated }},
			{"ByUpdatedDesc", assent.ItemSort{By: assent.SortByUpdated, Desc: true}, func(a, b viewProject) bool { return a.updated > b.updated }},
			{"ByStepInTemplateOrder", assent.ItemSort{By: assent.SortByStep, Ranks: steps}, func(a, b viewProject) bool {
				ra, rb := rankOf(a.step, steps, false), rankOf(b.step, steps, false)
				return ra < rb || ra == rb && a.name < b.name
			}},
			{"ByValueLowToHighUnsetLast", assent.ItemSort{By: assent.SortByField, Field: "qualification_value_rating", Ranks: ratings}, func(a, b viewProject) bool {
				ra, rb := rankOf(a.value, ratings, false), rankOf(b.value, ratings, false)
				return ra < rb || ra == rb && a.name < b.name
			}},
			{"ByFeasibilityHighToLowUnsetLast", assent.ItemSort{By: assent.SortByField, Field: "qualification_feasibility_rating", Ranks: ratings, Desc: true}, func(a, b viewProject) bool {
				ra, rb := rankOf(a.feasibility, ratings, true), rankOf(b.feasibility, ratings, true)
				return ra > rb || ra == rb && a.name < b.name
			}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				// Pages of 4 cross every kind of tie in the fixture.
				got := allPages(t, views, assent.ItemTableQuery{ItemViewFilter: base, Sort: tc.sort, Limit: 4})
				if diff := cmp.Diff(want(nil, tc.less), got); diff != "" {
					t.Fatal(diff)
				}
			})
		}
		t.Run("Filters", func(t *testing.T) {
			f := base
			f.Step, f.Parent, f.Fields = "qualification", initiatives[1], map[string]string{"qualification_value_rating": "Medium low"}
			got := allPages(t, views, assent.ItemTableQuery{ItemViewFilter: f, Limit: 2})
			if diff := cmp.Diff(want(func(p viewProject) bool {
				return p.step == "qualification" && p.parent == initiatives[1] && p.value == "Medium low"
			}, byName), got); diff != "" || len(got) == 0 {
				t.Fatalf("%v %s", got, diff)
			}
			got = allPages(t, views, assent.ItemTableQuery{ItemViewFilter: assent.ItemViewFilter{Type: "project", Q: "ject 1"}})
			if diff := cmp.Diff([]string{"Project 10", "Project 11", "Project 12"}, got); diff != "" {
				t.Fatal(diff)
			}
		})
		t.Run("RowsCarryValuesAndParentName", func(t *testing.T) {
			rows, next, err := views.FindItemRows(as("vic", assent.RoleViewer), assent.ItemTableQuery{ItemViewFilter: assent.ItemViewFilter{Type: "project", Q: "Project 01"},
				Values: []string{"qualification_value_rating", "qualification_feasibility_rating"}})
			if err != nil || len(rows) != 1 || next != "" {
				t.Fatalf("%v %q %v", rows, next, err)
			}
			r := rows[0]
			if r.ParentName != "Retention" || r.CurrentStep != "qualification" || r.Values["qualification_value_rating"] != "Medium low" ||
				r.Values["qualification_feasibility_rating"] != "Low" || r.UpdatedAt.IsZero() {
				t.Fatalf("%+v", r)
			}
		})
		t.Run("ErrCursorOfAnotherSort", func(t *testing.T) {
			_, next, err := views.FindItemRows(admin, assent.ItemTableQuery{ItemViewFilter: base, Limit: 2})
			if err != nil || next == "" {
				t.Fatal(next, err)
			}
			_, _, err = views.FindItemRows(admin, assent.ItemTableQuery{ItemViewFilter: base, Sort: assent.ItemSort{By: assent.SortByUpdated}, Cursor: next})
			wantCode(t, err, assent.EINVALID)
			_, _, err = views.FindItemRows(admin, assent.ItemTableQuery{ItemViewFilter: base, Cursor: "not a cursor"})
			wantCode(t, err, assent.EINVALID)
		})
		t.Run("ErrBadFieldIDs", func(t *testing.T) {
			_, _, err := views.FindItemRows(admin, assent.ItemTableQuery{ItemViewFilter: base, Sort: assent.ItemSort{By: assent.SortByField, Field: "x') OR 1=1 --"}})
			wantCode(t, err, assent.EINVALID)
			_, _, err = views.FindItemRows(admin, assent.ItemTableQuery{ItemViewFilter: assent.ItemViewFilter{Fields: map[string]string{"A": "x"}}})
			wantCode(t, err, assent.EINVALID)
			_, err = views.ItemMatrix(admin, base, "ok", "Bad-id", 5)
			wantCode(t, err, assent.EINVALID)
		})
		t.Run("ErrSignedOut", func(t *testing.T) {
			_, _, err := views.FindItemRows(t.Context(), assent.ItemTableQuery{})
			wantCode(t, err, assent.EUNAUTHORIZED)
		})
	})
}

func TestItemViewBoardMatrixChildren(t *testing.T) {
	sqldbtest.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		projects, initiatives := viewFixture(t, db)
		views := sqldb.NewItemViewService(db)
		vic := as("vic", assent.RoleViewer)
		base := assent.ItemViewFilter{Type: "project"}

		t.Run("BoardCountsAndFirstByName", func(t *testing.T) {
			board, err := views.ItemBoard(vic, base, 2, []string{"qualification_value_rating"})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, c := range board {
				s := fmt.Sprint(c.Count)
				for _, r := range c.Items {
					s += ", " + r.Name + " " + r.Values["qualification_value_rating"]
				}
				got[c.Step] = s
			}
			want := map[string]string{
				"exploration":   "5, Project 00 Low, Project 03 High",
				"qualification": "4, Project 01 Medium low, Project 04 ",
				"progress":      "4, Project 02 Medium high, Project 05 Medium low",
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatal(diff)
			}
		})
		t.Run("MatrixCellsWithUnset", func(t *testing.T) {
			cells, err := views.ItemMatrix(vic, base, "qualification_feasibility_rating", "qualification_value_rating", 1)
			if err != nil {
				t.Fatal(err)
			}
			type key struct{ x, y string }
			want := map[key][]string{}
			for _, p := range projects {
				k := key{p.feasibility, p.value}
				want[k] = append(want[k], p.name)
			}
			total := 0
			for _, c := range cells {
				names := want[key{c.X, c.Y}]
				slices.Sort(names)
				if c.Count != len(names) || len(c.Items) != 1 || c.Items[0].Name != names[0] {
					t.Errorf("cell %q×%q: %d %v, want %v", c.X, c.Y, c.Count, c.Items, names)
				}
				total += c.Count
			}
			if len(cells) != len(want) || total != len(projects) {
				t.Fatalf("%d cells for %d projects, want %d cells", len(cells), total, len(want))
			}
		})
		t.Run("ChildrenCounts", func(t *testing.T) {
			got, err := views.CountChildren(vic, base, append(initiatives, "item_none"))
			if err != nil {
				t.Fatal(err)
			}
			// Project 00…12 alternate; the archived project is not counted.
			if diff := cmp.Diff(map[string]int{initiatives[0]: 7, initiatives[1]: 6}, got); diff != "" {
				t.Fatal(diff)
			}
		})
	})
}

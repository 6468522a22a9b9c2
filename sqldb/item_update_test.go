package sqldb_test

import (
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"assent"
	"assent/sqldb"
	"assent/sqldb/sqldbtest"
	"assent/templates"
)

// newProject creates a standard project named name.
func newProject(t *testing.T, db *sqldb.DB, name string, fields map[string]any) *assent.Item {
	t.Helper()
	standard, err := templates.Standard()
	if err != nil {
		t.Fatal(err)
	}
	if err := sqldb.NewTemplateService(db).EnsureBuiltinTemplates(admin, standard); err != nil {
		t.Fatal(err)
	}
	it, err := sqldb.NewItemService(db).CreateItem(as("ada", assent.RoleMember), assent.NewItem{Template: assent.TemplateRef{ID: "standard-project"}, Name: name, Fields: fields})
	if err != nil {
		t.Fatal(err)
	}
	return it
}

func rev(n int64) *int64 { return &n }

func TestItemUpdatesAndWorkflow(t *testing.T) {
	sqldbtest.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		items := sqldb.NewItemService(db)
		ada := as("ada", assent.RoleMember)
		p := newProject(t, db, "Card fraud", nil)

		t.Run("SavingCurrentStepFieldsStartsIt", func(t *testing.T) {
			got, err := items.UpdateItem(ada, p.ID, assent.ItemUpdate{Revision: rev(1),
				Fields: map[string]any{"exploration_notes": "This project will use a data pipeline to model credit card fraud."}})
			if err != nil {
				t.Fatal(err)
			}
			if got.Revision != 2 || got.Workflow.Steps[0].Status != assent.StepOngoing || got.Workflow.CurrentStep != "exploration" {
				t.Fatalf("after saving: rev %d, %+v", got.Revision, got.Workflow)
			}
		})
		t.Run("ErrStaleRevisionWritesNothing", func(t *testing.T) {
			_, err := items.UpdateItem(ada, p.ID, assent.ItemUpdate{Revision: rev(1), Fields: map[string]any{"description": "late"}})
			wantCode(t, err, assent.ESTALE)
			got, _ := items.FindItem(ada, p.ID)
			if got.Revision != 2 || got.Fields["description"] != nil {
				t.Fatalf("a stale update wrote: %+v", got)
			}
		})
		t.Run("ErrInvalidFields", func(t *testing.T) {
			_, err := items.UpdateItem(ada, p.ID, assent.ItemUpdate{Fields: map[string]any{"qualification_value_rating": "Huge", "nope": 1, "start_date": "tomorrow"}})
			wantCode(t, err, assent.EINVALID)
			var locs []string
			for _, d := range err.(*assent.Error).Details {
				locs = append(locs, d.Location)
			}
			if diff := cmp.Diff([]string{"fields.nope", "fields.qualification_value_rating", "fields.start_date"}, locs); diff != "" {
				t.Fatal(diff)
			}
		})
		t.Run("FinishMovesOn", func(t *testing.T) {
			got, err := items.SetItemStep(ada, p.ID, "exploration", assent.StepFinished, rev(2))
			if err != nil {
				t.Fatal(err)
			}
			if got.Workflow.CurrentStep != "qualification" || got.Workflow.Steps[1].Status != assent.StepOngoing {
				t.Fatalf("%+v", got.Workflow)
			}
			got, err = items.UpdateItem(ada, p.ID, assent.ItemUpdate{Fields: map[string]any{
				"qualification_value_rating": "High", "qualification_feasibility_rating": "High", "qualification_decision": "Go"}})
			if err != nil {
				t.Fatal(err)
			}
			got, err = items.SetItemStep(ada, p.ID, "qualification", assent.StepFinished, &got.Revision)
			if err != nil || got.Workflow.CurrentStep != "progress" {
				t.Fatalf("%+v %v", got.Workflow, err)
			}
		})
		t.Run("FindByStepFieldAndName", func(t *testing.T) {
			newProject(t, db, "Churn 50% model", map[string]any{"qualification_value_rating": "Low"})
			list, _, err := items.FindItems(ada, assent.ItemFilter{Type: "project", Step: "progress", Fields: map[string]string{"qualification_value_rating": "High"}})
			if err != nil || len(list) != 1 || list[0].ID != p.ID {
				t.Fatalf("%v %v", list, err)
			}
			list, _, _ = items.FindItems(ada, assent.ItemFilter{Q: "50%"})
			if len(list) != 1 || list[0].Name != "Churn 50% model" {
				t.Fatalf("name search: %v", list)
			}
			list, _, _ = items.FindItems(ada, assent.ItemFilter{Q: "CARD"})
			if len(list) != 1 {
				t.Fatalf("any-case search: %v", list)
			}
		})
		t.Run("ArchiveRestore", func(t *testing.T) {
			got, err := items.ArchiveItem(ada, p.ID, true, nil)
			if err != nil || !got.Archived {
				t.Fatal(err)
			}
			_, err = items.UpdateItem(ada, p.ID, assent.ItemUpdate{Fields: map[string]any{"description": "x"}})
			wantCode(t, err, assent.ECONFLICT)
			archived := true
			if list, _, _ := items.FindItems(ada, assent.ItemFilter{Archived: &archived}); len(list) != 1 {
				t.Fatalf("archived list: %v", list)
			}
			if _, err := items.ArchiveItem(ada, p.ID, false, nil); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"item.create", "item.update", "item.workflow", "item.update", "item.workflow", "item.archive", "item.restore"}, eventsOf(t, db, "item", p.ID)); diff != "" {
				t.Fatal(diff)
			}
		})
		t.Run("TwoWritersSameRevisionOneWins", func(t *testing.T) {
			cur, _ := items.FindItem(ada, p.ID)
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, text := range []string{"first writer", "second writer"} {
				wg.Go(func() {
					_, errs[i] = items.UpdateItem(ada, p.ID, assent.ItemUpdate{Revision: &cur.Revision, Fields: map[string]any{"progress_notes": text}})
				})
			}
			wg.Wait()
			ok, stale := 0, 0
			for _, err := range errs {
				switch assent.ErrorCode(err) {
				case "":
					ok++
				case assent.ESTALE:
					stale++
				default:
					t.Fatalf("unexpected %v", err)
				}
			}
			got, _ := items.FindItem(ada, p.ID)
			if ok != 1 || stale != 1 || got.Revision != cur.Revision+1 {
				t.Fatalf("ok %d stale %d, revision %d→%d", ok, stale, cur.Revision, got.Revision)
			}
		})
	})
}

// TestFieldFiltersAgree: filters on boolean, number and category values
// match alike on both databases.
func TestFieldFiltersAgree(t *testing.T) {
	sqldbtest.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		tmpl := &assent.Template{ID: "kinds", Name: "Kinds", ItemType: "kinds", Fields: []assent.FieldDef{
			{ID: "flag", Label: "Flag", Type: assent.FieldBoolean},
			{ID: "score", Label: "Score", Type: assent.FieldNumber},
			{ID: "level", Label: "Level", Type: assent.FieldCategory, Options: []string{"Low", "High"}},
		}}
		if _, err := sqldb.NewTemplateService(db).AddTemplateVersion(admin, tmpl, assent.TemplateActive); err != nil {
			t.Fatal(err)
		}
		items := sqldb.NewItemService(db)
		ada := as("ada", assent.RoleMember)
		if _, err := items.CreateItem(ada, assent.NewItem{Template: assent.TemplateRef{ID: "kinds"}, Name: "one",
			Fields: map[string]any{"flag": true, "score": 5.0, "level": "High"}}); err != nil {
			t.Fatal(err)
		}
		for _, f := range []map[string]string{{"flag": "true"}, {"score": "5"}, {"level": "High"}} {
			if list, _, err := items.FindItems(ada, assent.ItemFilter{Fields: f}); err != nil || len(list) != 1 {
				t.Errorf("filter %v: %d items, %v", f, len(list), err)
			}
		}
		if list, _, _ := items.FindItems(ada, assent.ItemFilter{Fields: map[string]string{"flag": "false"}}); len(list) != 0 {
			t.Errorf("flag=false matched %d", len(list))
		}
	})
}

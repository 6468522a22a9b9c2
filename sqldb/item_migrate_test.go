package sqldb_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"assent"
	"assent/sqldb"
	"assent/sqldb/sqldbtest"
)

func TestItemMigration(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, dsn string) {
		db := sqldbtest.Open(t, dsn)
		templates, items := sqldb.NewTemplateService(db), sqldb.NewItemService(db)
		ada := as("ada", assent.RoleMember)
		if _, err := templates.AddTemplateVersion(admin, riskTemplate(), assent.TemplateActive); err != nil {
			t.Fatal(err)
		}
		it, err := items.CreateItem(ada, assent.NewItem{Template: assent.TemplateRef{ID: "risk-review"}, Name: "Fraud model risks",
			Fields: map[string]any{"summary": "Location bias", "level": "High", "owners": []any{"ada"}}})
		if err != nil {
			t.Fatal(err)
		}

		// Version 2: level loses "High", owners is gone, a new step and two new fields.
		v2 := riskTemplate()
		v2.Fields[1].Options = []string{"Low", "Medium"}
		v2.Fields = append(v2.Fields[:2],
			assent.FieldDef{ID: "regulation", Label: "Regulation", Type: assent.FieldText, Default: "EU AI Act"},
			assent.FieldDef{ID: "approver", Label: "Approver", Type: assent.FieldPrincipals, Required: true})
		v2.Steps = []assent.StepDef{{ID: "draft", Name: "Draft"}, {ID: "assess", Name: "Assess"}}
		if _, err := templates.AddTemplateVersion(admin, v2, assent.TemplateActive); err != nil {
			t.Fatal(err)
		}

		t.Run("DryRunSaysWhatChanges", func(t *testing.T) {
			plan, err := items.MigrateItem(ada, it.ID, 2, true)
			if err != nil {
				t.Fatal(err)
			}
			want := &assent.MigrationPlan{Item: it.ID, From: assent.TemplateRef{ID: "risk-review", Version: 1}, To: assent.TemplateRef{ID: "risk-review", Version: 2},
				Kept: []string{"summary"}, Dropped: []string{"level", "owners"}, Added: []string{"regulation"}, Missing: []string{"approver"},
				StepsKept: []string{"draft"}, StepsAdded: []string{"assess"}, StepsDropped: []string{"decide"}}
			if diff := cmp.Diff(want, plan); diff != "" {
				t.Fatalf("plan (-want +got):\n%s", diff)
			}
			if got, _ := items.FindItem(ada, it.ID); got.Template.Version != 1 || got.Revision != 1 {
				t.Fatalf("the dry run wrote: %+v", got.Template)
			}
		})
		t.Run("ErrMissingRequiredField", func(t *testing.T) {
			_, err := items.MigrateItem(ada, it.ID, 2, false)
			wantCode(t, err, assent.EINVALID)
			if d := err.(*assent.Error).Details; len(d) != 1 || d[0].Location != "fields.approver" {
				t.Fatalf("details %+v", d)
			}
			if got, _ := items.FindItem(ada, it.ID); got.Template.Version != 1 {
				t.Fatal("a refused migration wrote")
			}
		})
		t.Run("OK", func(t *testing.T) {
			v3 := riskTemplate()
			v3.Fields[1].Options = []string{"Low", "Medium"}
			v3.Fields = append(v3.Fields[:2], assent.FieldDef{ID: "regulation", Label: "Regulation", Type: assent.FieldText, Default: "EU AI Act"})
			v3.Steps = []assent.StepDef{{ID: "draft", Name: "Draft"}, {ID: "assess", Name: "Assess"}}
			if _, err := templates.AddTemplateVersion(admin, v3, assent.TemplateActive); err != nil {
				t.Fatal(err)
			}
			plan, err := items.MigrateItem(ada, it.ID, 3, false)
			if err != nil || !plan.Applied {
				t.Fatalf("%+v %v", plan, err)
			}
			got, _ := items.FindItem(ada, it.ID)
			wantFields := map[string]any{"summary": "Location bias", "regulation": "EU AI Act"}
			if diff := cmp.Diff(wantFields, got.Fields); diff != "" {
				t.Fatal(diff)
			}
			if got.Template.Version != 3 || got.Revision != 2 || len(got.Workflow.Steps) != 2 || got.Workflow.Steps[1].ID != "assess" {
				t.Fatalf("item after migration: %+v", got)
			}
			// The dropped values stay in the event's before-values.
			evs, _, _ := sqldb.NewEventService(db).FindEvents(admin, assent.EventFilter{ObjectID: it.ID, Action: "item.migrate"})
			if len(evs) != 1 {
				t.Fatalf("%d migrate events", len(evs))
			}
			var before struct{ Fields map[string]any }
			json.Unmarshal(evs[0].Before, &before)
			if diff := cmp.Diff(map[string]any{"level": "High", "owners": []any{"ada"}}, before.Fields); diff != "" {
				t.Fatal(diff)
			}
		})
		t.Run("TypeChangeDropsAndStepsKeepStatus", func(t *testing.T) {
			// summary becomes a JSON field: a string is a valid JSON value,
			// but a field whose type changed does not carry over.
			v5 := riskTemplate()
			v5.Fields = []assent.FieldDef{{ID: "summary", Label: "Summary", Type: assent.FieldJSON}}
			v5.Steps = []assent.StepDef{{ID: "draft", Name: "Draft"}, {ID: "assess", Name: "Assess"}}
			if _, err := templates.AddTemplateVersion(admin, v5, assent.TemplateActive); err != nil {
				t.Fatal(err)
			}
			raw := openRaw(t, dsn)
			mustExec(t, raw, `UPDATE items SET steps = $1 WHERE id = $2`, `[{"id":"draft","name":"Draft","status":"FINISHED"},{"id":"assess","name":"Assess","status":"ONGOING"}]`, it.ID)
			plan, err := items.MigrateItem(ada, it.ID, 4, true)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"regulation", "summary"}, plan.Dropped); diff != "" {
				t.Fatalf("dropped (-want +got):\n%s", diff)
			}
			if _, err := items.MigrateItem(ada, it.ID, 4, false); err != nil {
				t.Fatal(err)
			}
			got, _ := items.FindItem(ada, it.ID)
			if got.Workflow.Steps[0].Status != assent.StepFinished || got.Workflow.Steps[1].Status != assent.StepOngoing || got.Workflow.CurrentStep != "assess" {
				t.Fatalf("steps after migration: %+v", got.Workflow)
			}
		})
		t.Run("ErrDraftVersion", func(t *testing.T) {
			if _, err := templates.AddTemplateVersion(admin, riskTemplate(), assent.TemplateDraft); err != nil {
				t.Fatal(err)
			}
			_, err := items.MigrateItem(ada, it.ID, 5, false)
			wantCode(t, err, assent.EINVALID)
			if !strings.Contains(assent.ErrorMessage(err), "draft") {
				t.Fatal(err)
			}
		})
		t.Run("ErrBadFieldsOnCreate", func(t *testing.T) {
			_, err := items.CreateItem(ada, assent.NewItem{Template: assent.TemplateRef{ID: "risk-review", Version: 1}, Name: "x",
				Fields: map[string]any{"level": "Extreme", "colour": "red"}})
			wantCode(t, err, assent.EINVALID)
			var locs []string
			for _, d := range err.(*assent.Error).Details {
				locs = append(locs, d.Location)
			}
			if diff := cmp.Diff([]string{"fields.colour", "fields.level", "fields.summary"}, locs); diff != "" {
				t.Fatal(diff)
			}
		})
	})
}

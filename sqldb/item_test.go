package sqldb_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"assent"
	"assent/sqldb"
	"assent/sqldb/sqldbtest"
	"assent/templates"
)

func TestCreateItemChecksValues(t *testing.T) {
	sqldbtest.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		standard, err := templates.Standard()
		if err != nil {
			t.Fatal(err)
		}
		if err := sqldb.NewTemplateService(db).EnsureBuiltinTemplates(admin, standard); err != nil {
			t.Fatal(err)
		}
		card := &assent.Template{ID: "model-card", Name: "Model card", ItemType: "model_card",
			Fields: []assent.FieldDef{
				{ID: "metrics", Label: "Metrics", Type: assent.FieldJSON, Schema: json.RawMessage(`{"type":"object","required":["auc"],"properties":{"auc":{"type":"number","maximum":1}}}`)},
				{ID: "project", Label: "Project", Type: assent.FieldReference, ReferenceTypes: []string{"project"}},
			}}
		if _, err := sqldb.NewTemplateService(db).AddTemplateVersion(admin, card, assent.TemplateActive); err != nil {
			t.Fatal(err)
		}
		items := sqldb.NewItemService(db)
		ada := as("ada", assent.RoleMember)
		initiative, err := items.CreateItem(ada, assent.NewItem{Template: assent.TemplateRef{ID: "standard-business-initiative"}, Name: "Fraud reduction"})
		if err != nil {
			t.Fatal(err)
		}

		t.Run("ParentTakenFromItsField", func(t *testing.T) {
			p, err := items.CreateItem(ada, assent.NewItem{Template: assent.TemplateRef{ID: "standard-project"}, Name: "Card fraud",
				Fields: map[string]any{"business_initiative": initiative.ID}})
			if err != nil {
				t.Fatal(err)
			}
			if p.Parent == nil || *p.Parent != initiative.ID {
				t.Fatalf("parent %v, want %s", p.Parent, initiative.ID)
			}
		})
		t.Run("ParentFollowsItsFieldOnUpdate", func(t *testing.T) {
			p, err := items.CreateItem(ada, assent.NewItem{Template: assent.TemplateRef{ID: "standard-project"}, Name: "Later"})
			if err != nil {
				t.Fatal(err)
			}
			p, err = items.UpdateItem(ada, p.ID, assent.ItemUpdate{Fields: map[string]any{"business_initiative": initiative.ID}})
			if err != nil || p.Parent == nil || *p.Parent != initiative.ID {
				t.Fatalf("after setting the field: parent %v, %v", p.Parent, err)
			}
			if got, _ := items.FindItem(ada, p.ID); got.Parent == nil || *got.Parent != initiative.ID {
				t.Fatalf("stored parent %v", got.Parent)
			}
			p, err = items.UpdateItem(ada, p.ID, assent.ItemUpdate{Fields: map[string]any{"business_initiative": nil}})
			if err != nil || p.Parent != nil {
				t.Fatalf("after clearing the field: parent %v, %v", p.Parent, err)
			}
			// Saving an empty value over an unset one changes nothing.
			again, err := items.UpdateItem(ada, p.ID, assent.ItemUpdate{Fields: map[string]any{"reviewers_it_ops": []any{}, "description": ""}})
			if err != nil || again.Revision != p.Revision {
				t.Fatalf("empty over unset: revision %d→%d, %v", p.Revision, again.Revision, err)
			}
		})
		t.Run("ErrParentAndFieldDisagree", func(t *testing.T) {
			other := "item_other"
			_, err := items.CreateItem(ada, assent.NewItem{Template: assent.TemplateRef{ID: "standard-project"}, Name: "x", Parent: &other,
				Fields: map[string]any{"business_initiative": initiative.ID}})
			wantCode(t, err, assent.EINVALID)
		})
		t.Run("ErrBadValues", func(t *testing.T) {
			_, err := items.CreateItem(ada, assent.NewItem{Template: assent.TemplateRef{ID: "model-card"}, Name: "Card",
				Fields: map[string]any{"metrics": map[string]any{"auc": 1.5}, "project": initiative.ID}})
			wantCode(t, err, assent.EINVALID)
			var locs []string
			for _, d := range err.(*assent.Error).Details {
				locs = append(locs, d.Location)
			}
			if diff := cmp.Diff([]string{"fields.metrics", "fields.project"}, locs); diff != "" {
				t.Fatalf("%s\n%v", diff, err.(*assent.Error).Details)
			}
			_, err = items.CreateItem(ada, assent.NewItem{Template: assent.TemplateRef{ID: "model-card"}, Name: "Card",
				Fields: map[string]any{"project": "item_nothing"}})
			wantCode(t, err, assent.EINVALID)
		})
		t.Run("OKWithSchema", func(t *testing.T) {
			if _, err := items.CreateItem(ada, assent.NewItem{Template: assent.TemplateRef{ID: "model-card"}, Name: "Card",
				Fields: map[string]any{"metrics": map[string]any{"auc": 0.91}}}); err != nil {
				t.Fatal(err)
			}
		})
	})
}

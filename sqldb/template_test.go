package sqldb_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"assent"
	"assent/sqldb"
	"assent/sqldb/sqldbtest"
)

// riskTemplate is a small custom template: two fields, two steps.
func riskTemplate() *assent.Template {
	return &assent.Template{
		ID: "risk-review", Name: "Risk review", ItemType: "risk_review",
		Fields: []assent.FieldDef{
			{ID: "summary", Label: "Summary", Type: assent.FieldText, Required: true},
			{ID: "level", Label: "Level", Type: assent.FieldCategory, Options: []string{"Low", "High"}},
			{ID: "owners", Label: "Owners", Type: assent.FieldPrincipals},
		},
		Steps: []assent.StepDef{
			{ID: "draft", Name: "Draft", Fields: []string{"summary"}},
			{ID: "decide", Name: "Decide", Fields: []string{"level"}, Signoff: &assent.SignoffConfig{
				Approvers: []assent.PrincipalSource{"field:owners"}, Mandatory: true}},
		},
	}
}

func TestTemplateVersions(t *testing.T) {
	sqldbtest.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		templates := sqldb.NewTemplateService(db)
		t.Run("OK", func(t *testing.T) {
			v1, err := templates.AddTemplateVersion(admin, riskTemplate(), assent.TemplateActive)
			if err != nil {
				t.Fatal(err)
			}
			next := riskTemplate()
			next.Name = "Risk review (2)"
			v2, err := templates.AddTemplateVersion(admin, next, assent.TemplateDraft)
			if err != nil {
				t.Fatal(err)
			}
			if v1.Version != 1 || v2.Version != 2 || v2.Status != assent.TemplateDraft {
				t.Fatalf("versions %d %s, %d %s", v1.Version, v1.Status, v2.Version, v2.Status)
			}
			// Version 0 is the newest active one: the draft does not count.
			got, err := templates.FindTemplateVersion(as("ada", assent.RoleViewer), "risk-review", 0)
			if err != nil || got.Version != 1 {
				t.Fatalf("newest active: %+v %v", got, err)
			}
			if diff := cmp.Diff(riskTemplate(), got.Definition); diff != "" {
				t.Fatalf("stored definition differs:\n%s", diff)
			}
			list, err := templates.FindTemplates(admin)
			if err != nil || len(list) != 1 || len(list[0].Versions) != 2 || list[0].Name != "Risk review (2)" {
				t.Fatalf("list %+v %v", list, err)
			}
			if diff := cmp.Diff([]string{"template.version_add", "template.version_add"}, eventsOf(t, db, "template", "risk-review")); diff != "" {
				t.Fatal(diff)
			}
		})
		t.Run("ErrInvalidNamesEveryProblem", func(t *testing.T) {
			bad := riskTemplate()
			bad.ID = "broken"
			bad.Fields = append(bad.Fields, assent.FieldDef{ID: "summary", Label: "Again", Type: "colour"})
			bad.Steps[0].Fields = []string{"nothing"}
			_, err := templates.AddTemplateVersion(admin, bad, assent.TemplateActive)
			wantCode(t, err, assent.EINVALID)
			var locs []string
			for _, d := range err.(*assent.Error).Details {
				locs = append(locs, d.Location)
			}
			if diff := cmp.Diff([]string{"fields[3].id", "fields[3].type", "steps[0].fields[0]"}, locs); diff != "" {
				t.Fatal(diff)
			}
		})
		t.Run("ErrItemTypeChanged", func(t *testing.T) {
			other := riskTemplate()
			other.ItemType = "something_else"
			_, err := templates.AddTemplateVersion(admin, other, assent.TemplateActive)
			wantCode(t, err, assent.ECONFLICT)
		})
		t.Run("ErrForbiddenForMember", func(t *testing.T) {
			_, err := templates.AddTemplateVersion(as("ada", assent.RoleMember), riskTemplate(), assent.TemplateActive)
			wantCode(t, err, assent.EFORBIDDEN)
		})
		t.Run("Status", func(t *testing.T) {
			v, err := templates.SetTemplateVersionStatus(admin, "risk-review", 2, assent.TemplateActive)
			if err != nil || v.Status != assent.TemplateActive {
				t.Fatalf("%+v %v", v, err)
			}
			if got, _ := templates.FindTemplateVersion(admin, "risk-review", 0); got.Version != 2 {
				t.Fatalf("newest active is %d, want 2", got.Version)
			}
			_, err = templates.SetTemplateVersionStatus(admin, "risk-review", 2, assent.TemplateDraft)
			wantCode(t, err, assent.ECONFLICT)
			_, err = templates.SetTemplateVersionStatus(admin, "risk-review", 2, "retired")
			wantCode(t, err, assent.EINVALID)
		})
		t.Run("ErrDeleteUsedVersion", func(t *testing.T) {
			items := sqldb.NewItemService(db)
			if _, err := items.CreateItem(as("ada", assent.RoleMember), assent.NewItem{Template: assent.TemplateRef{ID: "risk-review", Version: 1},
				Name: "Credit scoring risks", Fields: map[string]any{"summary": "Bias in income data"}}); err != nil {
				t.Fatal(err)
			}
			wantCode(t, templates.DeleteTemplateVersion(admin, "risk-review", 1), assent.ECONFLICT)
			if err := templates.DeleteTemplateVersion(admin, "risk-review", 2); err != nil {
				t.Fatal(err)
			}
			_, err := templates.FindTemplateVersion(admin, "risk-review", 2)
			wantCode(t, err, assent.ENOTFOUND)
			// A deleted number is never given again.
			v, err := templates.AddTemplateVersion(admin, riskTemplate(), assent.TemplateDraft)
			if err != nil || v.Version != 3 {
				t.Fatalf("next version after deleting 2: %+v %v", v, err)
			}
		})
		t.Run("BuiltinsSeededOnceAndKept", func(t *testing.T) {
			builtin := riskTemplate()
			builtin.ID, builtin.ItemType = "standard-thing", "thing"
			for range 2 {
				if err := templates.EnsureBuiltinTemplates(admin, []*assent.Template{builtin}); err != nil {
					t.Fatal(err)
				}
			}
			v, err := templates.FindTemplateVersion(admin, "standard-thing", 0)
			if err != nil || v.Version != 1 || !v.Builtin {
				t.Fatalf("%+v %v", v, err)
			}
			wantCode(t, templates.DeleteTemplateVersion(admin, "standard-thing", 1), assent.ECONFLICT)
		})
	})
}

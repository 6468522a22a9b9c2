package templates_test

import (
	"io/fs"
	"os"
	"slices"
	"testing"

	"assent"
	"assent/templates"

	"github.com/google/go-cmp/cmp"
)

// mustStandard returns the built-in templates by id.
func mustStandard(tb testing.TB) map[string]*assent.Template {
	tb.Helper()
	ts, err := templates.Standard()
	if err != nil {
		tb.Fatal(err)
	}
	byID := map[string]*assent.Template{}
	for _, tmpl := range ts {
		byID[tmpl.ID] = tmpl
	}
	return byID
}

func fieldIDs(tmpl *assent.Template) []string {
	var ids []string
	for _, f := range tmpl.Fields {
		ids = append(ids, f.ID)
	}
	return ids
}

func stepIDs(tmpl *assent.Template) []string {
	var ids []string
	for _, s := range tmpl.Steps {
		ids = append(ids, s.ID)
	}
	return ids
}

// TestStandard pins the identifiers of DESIGN §3, which API users and
// scripts rely on.
func TestStandard(t *testing.T) {
	ts, err := templates.Standard()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, tmpl := range ts {
		ids = append(ids, tmpl.ID)
	}
	if diff := cmp.Diff(templates.StandardIDs, ids); diff != "" {
		t.Fatalf("template ids (-want +got):\n%s", diff)
	}
	versionLike := struct {
		steps, fields []string
	}{
		[]string{"development", "review", "deployment", "production"},
		[]string{"dev_notes", "review_notes", "deployment_notes", "production_notes"},
	}
	for _, tc := range []struct {
		id, itemType, parent, parentField string
		steps, fields                     []string
	}{
		{"standard-business-initiative", "business_initiative", "", "",
			[]string{"ideation", "decision", "progress"},
			[]string{"description", "value_rating", "ideation_notes", "decision_notes", "progress_notes"}},
		{"standard-project", "project", "business_initiative", "business_initiative",
			[]string{"exploration", "qualification", "progress", "validation", "delivered"},
			[]string{"description", "business_initiative", "start_date", "target_end_date", "sensitive_data",
				"exploration_notes", "exploration_documents",
				"qualification_value_rating", "qualification_risk_rating", "qualification_feasibility_rating",
				"qualification_decision", "qualification_comments", "qualification_notes",
				"progress_notes", "progress_rollout_plan", "validation_notes", "delivered_notes", "delivery_documents",
				"reviewers_it_ops", "reviewers_risk_compliance", "reviewers_business", "final_approvers"}},
		{"standard-model", "model", "project", "", nil, []string{"description"}},
		{"standard-bundle", "bundle", "project", "", versionLike.steps, versionLike.fields},
		{"standard-model-version", "model_version", "model", "", versionLike.steps, versionLike.fields},
	} {
		t.Run(tc.id, func(t *testing.T) {
			tmpl := mustStandard(t)[tc.id]
			if tmpl.ItemType != tc.itemType {
				t.Errorf("item type %q, want %q", tmpl.ItemType, tc.itemType)
			}
			var parent, parentField string
			if tmpl.Parent != nil {
				parent, parentField = tmpl.Parent.Type, tmpl.Parent.Field
			}
			if parent != tc.parent || parentField != tc.parentField {
				t.Errorf("parent %q field %q, want %q field %q", parent, parentField, tc.parent, tc.parentField)
			}
			if diff := cmp.Diff(tc.steps, stepIDs(tmpl)); diff != "" {
				t.Errorf("steps (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.fields, fieldIDs(tmpl)); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStandardProject(t *testing.T) {
	p := mustStandard(t)["standard-project"]
	var names []string
	for _, s := range p.Steps {
		names = append(names, s.Name)
	}
	if diff := cmp.Diff([]string{"Exploration", "Qualification", "In Progress", "Validation and Roll-out", "Delivered"}, names); diff != "" {
		t.Errorf("step names (-want +got):\n%s", diff)
	}
	ratings := []string{"Low", "Medium low", "Medium high", "High"}
	for id, want := range map[string]struct {
		label   string
		typ     assent.FieldType
		options []string
	}{
		"exploration_notes":                {"Notes", assent.FieldText, nil},
		"exploration_documents":            {"Supporting documents", assent.FieldFile, nil},
		"qualification_value_rating":       {"Value", assent.FieldCategory, ratings},
		"qualification_risk_rating":        {"Risk", assent.FieldCategory, ratings},
		"qualification_feasibility_rating": {"Feasibility", assent.FieldCategory, ratings},
		"qualification_decision":           {"Resulting decision", assent.FieldCategory, []string{"Go", "No go"}},
		"sensitive_data":                   {"Sensitive data", assent.FieldCategory, []string{"Yes", "No"}},
		"business_initiative":              {"Business initiative", assent.FieldReference, nil},
		"start_date":                       {"Start date", assent.FieldDate, nil},
		"target_end_date":                  {"Target end date", assent.FieldDate, nil},
		"delivery_documents":               {"Delivery documents", assent.FieldFile, nil},
		"reviewers_it_ops":                 {"IT & Operations", assent.FieldPrincipals, nil},
		"final_approvers":                  {"Final approvers", assent.FieldPrincipals, nil},
	} {
		f := p.Field(id)
		if f == nil || f.Label != want.label || f.Type != want.typ || !cmp.Equal(f.Options, want.options) {
			t.Errorf("field %s = %+v, want %+v", id, f, want)
		}
	}
	var sections []string
	for _, s := range p.Overview {
		sections = append(sections, s.Title)
	}
	if diff := cmp.Diff([]string{"Overview", "Qualification", "Sign-off reviewers and approvers"}, sections); diff != "" {
		t.Errorf("overview sections (-want +got):\n%s", diff)
	}
	// The matrix of the projects page plots value against feasibility.
	qualification := p.Overview[1].Fields
	if !slices.Contains(qualification, "qualification_value_rating") || !slices.Contains(qualification, "qualification_feasibility_rating") {
		t.Errorf("overview qualification %v lacks the value or feasibility rating", qualification)
	}
}

func TestStandardReview(t *testing.T) {
	for _, id := range []string{"standard-model-version", "standard-bundle"} {
		t.Run(id, func(t *testing.T) {
			tmpl := mustStandard(t)[id]
			if got := tmpl.GatingStep(); got != "review" {
				t.Fatalf("gating step %q, want review", got)
			}
			want := &assent.SignoffConfig{
				FeedbackGroups: []assent.FeedbackGroupDef{
					{ID: "it_ops", Name: "IT & Operations", Members: []assent.PrincipalSource{"field:project.reviewers_it_ops"}},
					{ID: "risk_compliance", Name: "Risk & Compliance", Members: []assent.PrincipalSource{"field:project.reviewers_risk_compliance"}},
					{ID: "business", Name: "Business", Members: []assent.PrincipalSource{"field:project.reviewers_business"}},
				},
				Approvers:       []assent.PrincipalSource{"field:project.final_approvers"},
				Mandatory:       true,
				NoSelfApproval:  false, // the tutorial approves its own request
				GatesDeployment: true,
			}
			if diff := cmp.Diff(want, tmpl.Steps[1].Signoff); diff != "" {
				t.Errorf("sign-off (-want +got):\n%s", diff)
			}
		})
	}
}

// TestStandardFiles keeps the embedded folder and StandardIDs in step, so
// that no file is added without being loaded.
func TestStandardFiles(t *testing.T) {
	entries, err := fs.ReadDir(os.DirFS("standard"), ".")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{"standard-bundle.yaml", "standard-business-initiative.yaml", "standard-model-version.yaml", "standard-model.yaml", "standard-project.yaml"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
}

// BenchmarkValidateStandardProject measures what every template upload
// and every item edit may pay: validating the largest built-in template.
// Target: under 1 ms.
func BenchmarkValidateStandardProject(b *testing.B) {
	standard := mustStandard(b)
	var all []*assent.Template
	for _, tmpl := range standard {
		all = append(all, tmpl)
	}
	c := assent.NewTemplateContext(all...)
	p := standard["standard-project"]
	for b.Loop() {
		if err := p.Validate(c); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadStandard measures parsing and validating the five built-in
// templates, which every start does. Target: under 20 ms.
func BenchmarkLoadStandard(b *testing.B) {
	for b.Loop() {
		if _, err := templates.Standard(); err != nil {
			b.Fatal(err)
		}
	}
}

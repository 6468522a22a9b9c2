package assent_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"assent"
)

func locations(err error) []string {
	var locs []string
	if e, ok := err.(*assent.Error); ok {
		for _, d := range e.Details {
			locs = append(locs, d.Location)
		}
	}
	return locs
}

// TestTemplateValidateRules covers rules that the templates package's
// table of broken files does not reach.
func TestTemplateValidateRules(t *testing.T) {
	base := func() *assent.Template {
		return &assent.Template{ID: "t", Name: "T", ItemType: "project",
			Parent: &assent.TemplateParent{Type: "business_initiative", Field: "initiative"},
			Fields: []assent.FieldDef{
				{ID: "initiative", Label: "Initiative", Type: assent.FieldReference, ReferenceTypes: []string{"business_initiative"}},
				{ID: "decision", Label: "Decision", Type: assent.FieldCategory, Options: []string{"Go", "No go"}},
				{ID: "score", Label: "Score", Type: assent.FieldNumber, Min: ptr(0), Max: ptr(10), Default: 11.0},
			},
			Overview: []assent.Section{{ID: "main", Title: "Main", Fields: []string{"decision"}}},
			Steps:    []assent.StepDef{{ID: "go", Name: "Go", VisibleWhen: &assent.Condition{Field: "decision", In: []any{"Go", "Maybe"}}}},
		}
	}
	c := assent.NewTemplateContext()
	err := base().Validate(c)
	want := []string{"fields[2].default", "steps[0].visible_when.in[1]"}
	if diff := cmp.Diff(want, locations(err)); diff != "" {
		t.Fatalf("locations (-want +got):\n%s", diff)
	}

	listParent := base()
	listParent.Fields[0].List = true
	listParent.Fields[2].Default = nil
	listParent.Steps[0].VisibleWhen.In = []any{"Go"}
	listParent.Overview[0].ID = "My Section!"
	if diff := cmp.Diff([]string{"parent.field", "overview[0].id"}, locations(listParent.Validate(c))); diff != "" {
		t.Fatal(diff)
	}

	var zero assent.TemplateContext
	zero.Add(base()) // must not panic on a zero context
}

func ptr(f float64) *float64 { return &f }

func TestTextLengthCountsCharacters(t *testing.T) {
	f := assent.FieldDef{ID: "notes", Type: assent.FieldText}
	long := make([]rune, assent.MaxTextLength)
	for i := range long {
		long[i] = 'é'
	}
	if err := f.CheckValue(string(long)); err != nil {
		t.Fatalf("%d characters refused: %v", assent.MaxTextLength, err)
	}
	if err := f.CheckValue(string(long) + "é"); err == nil {
		t.Fatal("one character over the limit accepted")
	}
}

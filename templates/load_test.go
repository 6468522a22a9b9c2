package templates_test

import (
	"strings"
	"testing"

	"assent"
	"assent/templates"
)

// problem is a detail as a test expects it: the location, the line and
// column the message starts with (YAML), and a fragment of the message.
type problem struct {
	loc, pos, says string
}

// details returns the details of an *assent.Error, failing otherwise.
func details(t *testing.T, err error, code string) []assent.ErrorDetail {
	t.Helper()
	e, ok := err.(*assent.Error)
	if !ok {
		t.Fatalf("error %v (%T), want an *assent.Error", err, err)
	}
	if e.Code != code {
		t.Fatalf("code %s, want %s (%v)", e.Code, code, e.Message)
	}
	return e.Details
}

// checkProblems compares every detail with what is expected, in order.
func checkProblems(t *testing.T, got []assent.ErrorDetail, want []problem) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d problems, want %d:\n%s", len(got), len(want), dump(got))
	}
	for i, w := range want {
		g := got[i]
		prefix := w.pos + ": "
		if w.pos == "" {
			prefix = ""
		}
		if g.Location != w.loc || !strings.HasPrefix(g.Message, prefix) || !strings.Contains(g.Message, w.says) {
			t.Errorf("problem %d = %q %q, want %q %q…%q", i, g.Location, g.Message, w.loc, w.pos, w.says)
		}
	}
}

func dump(ds []assent.ErrorDetail) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString("  " + d.Location + "  " + d.Message + "\n")
	}
	return b.String()
}

// mustLoad loads a template that must be valid.
func mustLoad(tb testing.TB, src string, c assent.TemplateContext) *assent.Template {
	tb.Helper()
	tmpl, err := templates.Load([]byte(src), c)
	if err != nil {
		if e, ok := err.(*assent.Error); ok {
			tb.Fatalf("load: %s\n%s", e.Message, dump(e.Details))
		}
		tb.Fatalf("load: %v", err)
	}
	return tmpl
}

// A project template for the context of templates whose sign-offs take
// reviewers from their project.
const projectTemplate = `id: p
name: P
item_type: project
fields:
  - {id: description, label: Description, type: text}
  - {id: approvers, label: Approvers, type: principals}
`

func TestLoadBroken(t *testing.T) {
	for _, tc := range []struct {
		name    string
		context []string // templates the context knows, in order
		src     string
		want    []problem
	}{
		{"ErrDuplicateFieldID", nil, `id: t
name: T
item_type: thing
fields:
  - id: notes
    label: Notes
    type: text
  - id: notes
    label: More notes
    type: text
`, []problem{{"fields[1].id", "line 8, column 9", `duplicate field id "notes"`}}},

		{"ErrDuplicateStepID", nil, `id: t
name: T
item_type: thing
fields: []
steps:
  - {id: review, name: Review}
  - {id: review, name: Review again}
`, []problem{{"steps[1].id", "line 7, column 10", `duplicate step id "review"`}}},

		{"ErrStepNamesMissingField", nil, `id: t
name: T
item_type: thing
fields:
  - {id: notes, label: Notes, type: text}
steps:
  - id: review
    name: Review
    fields: [notes, summary]
`, []problem{{"steps[0].fields[1]", "line 9, column 21", `no field "summary" in this template`}}},

		{"ErrReferenceToUnknownType", nil, `id: t
name: T
item_type: thing
fields:
  - id: initiative
    label: Initiative
    type: reference
    reference_types:
      - business_initiative
      - programme
`, []problem{{"fields[0].reference_types[1]", "line 10, column 9", `unknown item type "programme"`}}},

		{"ErrPrincipalSourceNotPrincipals", nil, `id: t
name: T
item_type: thing
fields:
  - {id: owner, label: Owner, type: text}
steps:
  - id: review
    name: Review
    signoff:
      approvers: ["field:owner"]
`, []problem{{"steps[0].signoff.approvers[0]", "line 10, column 19", `field "owner" is of type text, not principals`}}},

		{"ErrAncestorSourceNotPrincipals", []string{projectTemplate}, `id: t
name: T
item_type: checklist
parent: {type: project}
fields: []
steps:
  - id: review
    name: Review
    signoff:
      feedback_groups:
        - id: team
          name: Team
          members:
            - field:project.approvers
            - field:project.description
      approvers: [group:board]
`, []problem{{"steps[0].signoff.feedback_groups[0].members[1]", "line 15, column 15", "field project.description is of type text, not principals"}}},

		// beta was under project, alpha under beta; now beta moves under alpha.
		{"ErrParentCycle", []string{
			"id: b\nname: B\nitem_type: beta\nparent: {type: project}\nfields: []\n",
			"id: a\nname: A\nitem_type: alpha\nparent: {type: beta}\nfields: []\n",
		}, `id: b
name: B
item_type: beta
parent:
  type: alpha
fields: []
`, []problem{{"parent.type", "line 5, column 9", "cycle of parent types: beta → alpha → beta"}}},

		{"ErrUnknownFieldType", nil, `id: t
name: T
item_type: thing
fields:
  - id: colour
    label: Colour
    type: color
`, []problem{{"fields[0].type", "line 7, column 11", `unknown field type "color"`}}},

		{"ErrUnknownKey", nil, `id: t
name: T
item_type: thing
fields:
  - {id: a, label: A, type: text}
  - {id: b, label: B, type: text}
  - id: c
    label: C
    type: text
    colour: red
`, []problem{{"fields[2].colour", "line 10, column 5", `unknown key "colour"; the keys here are id, label, help`}}},

		{"ErrMisspelledKey", nil, `id: t
name: T
item_type: thing
fields: []
steps:
  - id: review
    name: Review
    signof:
      approvers: [group:board]
`, []problem{{"steps[0].signof", "line 8, column 5", `unknown key "signof"; did you mean "signoff"?`}}},

		{"ErrOptionOfAnotherType", nil, `id: t
name: T
item_type: thing
fields:
  - id: notes
    label: Notes
    type: text
    options: [A, B]
`, []problem{{"fields[0].options", "line 8, column 14", "applies to category fields only, not text"}}},

		{"ErrValueOfWrongKind", nil, `id: t
name: T
item_type: thing
fields:
  - id: notes
    label: Notes
    type: text
    required: yes
`, []problem{{"fields[0].required", "line 8, column 15", `must be true or false, not the text "yes"`}}},

		{"ErrUnknownPrincipalSource", nil, `id: t
name: T
item_type: thing
fields: []
steps:
  - id: review
    name: Review
    signoff:
      approvers: ["robot:ci"]
`, []problem{{"steps[0].signoff.approvers[0]", "line 9, column 19", `unknown source "robot"`}}},

		{"ErrMissingKeyAtItsMapping", nil, `id: t
name: T
item_type: thing
fields:
  - id: notes
    type: text
`, []problem{{"fields[0].label", "line 5, column 5", "is required"}}},

		{"ErrNotAMapping", nil, "- id: t\n", []problem{{"", "line 1, column 1", "must be a mapping of keys to values, not a list"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Each template of the context is loaded against those before it.
			c := assent.NewTemplateContext()
			for _, src := range tc.context {
				c.Add(mustLoad(t, src, c))
			}
			_, err := templates.Load([]byte(tc.src), c)
			checkProblems(t, details(t, err, assent.EINVALID), tc.want)
		})
	}
}

func TestLoadManyProblems(t *testing.T) {
	src := `id: Bad Id
name: T
item_type: thing
fields:
  - id: notes
    label: Notes
    type: text
    colour: red
  - id: notes
    label: Again
    type: txt
  - id: size
    label: Size
    type: number
    min: small
steps:
  - id: s
    name: S
    fields: [notes, nothing]
  - id: s
    name: S again
`
	_, err := templates.Load([]byte(src), assent.NewTemplateContext())
	checkProblems(t, details(t, err, assent.EINVALID), []problem{
		// Reading problems first, in document order, then validation.
		{"fields[0].colour", "line 8, column 5", `unknown key "colour"`},
		{"fields[2].min", "line 15, column 10", `must be a finite number, not the text "small"`},
		{"id", "line 1, column 5", "must be 1 to 63 lowercase letters"},
		{"fields[1].id", "line 9, column 9", `duplicate field id "notes"`},
		{"fields[1].type", "line 11, column 11", `unknown field type "txt"`},
		{"steps[0].fields[1]", "line 19, column 21", `no field "nothing"`},
		{"steps[1].id", "line 20, column 9", `duplicate step id "s"`},
	})
}

func TestLoadJSON(t *testing.T) {
	src := `{
  "id": "t", "name": "T", "item_type": "thing",
  "fields": [
    {"id": "a", "label": "A", "type": "text", "colour": "red"},
    {"id": "a", "label": "B", "type": "colour"}
  ],
  "steps": [{"id": "s", "name": "S", "fields": ["missing"]}],
  "x/y~z": 1
}`
	_, err := templates.Load([]byte(src), assent.NewTemplateContext())
	checkProblems(t, details(t, err, assent.EINVALID), []problem{
		{"/fields/0/colour", "", `unknown key "colour"`},
		{"/x~1y~0z", "", `unknown key "x/y~z"`},
		{"/fields/1/id", "", `duplicate field id "a"`},
		{"/fields/1/type", "", `unknown field type "colour"`},
		{"/steps/0/fields/0", "", `no field "missing"`},
	})
	if strings.Contains(err.Error(), "line ") {
		t.Errorf("JSON problems carry pointers, not lines: %v", err)
	}
}

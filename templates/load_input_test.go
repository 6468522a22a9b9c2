package templates_test

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"assent"
	"assent/templates"

	"github.com/google/go-cmp/cmp"
)

func TestLoadMalformed(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  string
		want problem
	}{
		{"ErrYAMLSyntax", "id: t\nfields: [a, b\nname: T\n", problem{"", "line 3, column 1", "',' or ']' must be specified"}},
		{"ErrYAMLDuplicateKey", "id: t\nid: u\n", problem{"", "line 2, column 1", `mapping key "id" already defined`}},
		{"ErrYAMLUnknownAlias", "id: *nope\n", problem{"", "line 1, column 6", `could not find alias "nope"`}},
		{"ErrYAMLTwoDocuments", "id: a\n---\nid: b\n", problem{"", "line 3, column 1", "one YAML document"}},
		{"ErrEmpty", " \n", problem{"", "", "the template is empty"}},
		{"ErrJSONSyntax", "{\"id\": \"t\",\n \"fields\": [}\n", problem{"", "line 2, column 13", "invalid character '}'"}},
		{"ErrJSONTruncated", `{"id": "t", "name": `, problem{"", "line 1, column 20", "unexpected end of the document"}},
		{"ErrJSONDuplicateKey", `{"id": "t", "id": "u"}`, problem{"", "line 1, column 17", `duplicate key "id"`}},
		{"ErrJSONTrailingData", `{"id": "t"} {}`, problem{"", "line 1, column 14", "unexpected data after the template"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := templates.Load([]byte(tc.src), assent.NewTemplateContext())
			checkProblems(t, details(t, err, assent.EINVALID), []problem{tc.want})
		})
	}
}

func TestLoadTooLarge(t *testing.T) {
	src := []byte("id: t\nname: T\nitem_type: thing\nfields: []\ndescription: ")
	src = append(src, bytes.Repeat([]byte("x"), templates.MaxSize)...)
	_, err := templates.Load(src, assent.NewTemplateContext())
	if assent.ErrorCode(err) != assent.ETOOLARGE {
		t.Fatalf("error %v, want ETOOLARGE", err)
	}
}

func TestLoadAliasBomb(t *testing.T) {
	// Nine levels of nine aliases stand for 387 million values in 600
	// bytes; a default walks them all unless the reader stops early.
	var b strings.Builder
	b.WriteString("x0: &x0 [a, a, a, a, a, a, a, a, a]\n")
	for i := 1; i < 9; i++ {
		fmt.Fprintf(&b, "x%d: &x%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*x%d, ", i-1), 9), ", "))
	}
	b.WriteString("id: t\nname: T\nitem_type: thing\nfields: [{id: j, label: J, type: json, default: *x8}]\n")
	_, err := templates.Load([]byte(b.String()), assent.NewTemplateContext())
	checkProblems(t, details(t, err, assent.EINVALID), []problem{{"", "", "the document expands to more than"}})
}

func TestLoadDeep(t *testing.T) {
	// The YAML parser takes minutes for 100,000 open brackets; these must
	// be refused at once.
	for _, tc := range []struct {
		name, src string
		want      problem
	}{
		{"ErrYAMLFlow", "id: t\nx: " + strings.Repeat("[", 100_000), problem{"", "line 2, column 204", "nested deeper than 200 levels"}},
		{"ErrYAMLBlock", "id: t\nx:\n  " + strings.Repeat("- ", 200_000) + "x\n", problem{"", "line 3, column 403", "nested deeper than 200 levels"}},
		{"ErrJSON", `{"x": ` + strings.Repeat("[", 100_000), problem{"", "line 1, column 207", "nested deeper than 200 levels"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := templates.Load([]byte(tc.src), assent.NewTemplateContext())
			checkProblems(t, details(t, err, assent.EINVALID), []problem{tc.want})
		})
	}
}

func TestLoadSchema(t *testing.T) {
	field := func(schema string) string {
		return "id: t\nname: T\nitem_type: thing\nfields:\n  - id: metrics\n    label: Metrics\n    type: json\n    schema:\n" + schema
	}
	t.Run("OK", func(t *testing.T) {
		tmpl := mustLoad(t, field("      type: object\n      properties: {auc: {$ref: '#/$defs/ratio'}}\n      $defs: {ratio: {type: number, minimum: 0, maximum: 1}}\n"), assent.NewTemplateContext())
		want := `{"$defs":{"ratio":{"maximum":1,"minimum":0,"type":"number"}},"properties":{"auc":{"$ref":"#/$defs/ratio"}},"type":"object"}`
		if got := string(tmpl.Fields[0].Schema); got != want {
			t.Errorf("schema %s, want the compact sorted %s", got, want)
		}
	})
	t.Run("ErrDoesNotCompile", func(t *testing.T) {
		_, err := templates.Load([]byte(field("      type: objekt\n      properties:\n        auc: {minimum: low}\n")), assent.NewTemplateContext())
		checkProblems(t, details(t, err, assent.EINVALID), []problem{
			{"fields[0].schema", "line 11, column 24", "is not a valid JSON Schema: at /properties/auc/minimum: got string, want number"},
			{"fields[0].schema", "line 9, column 13", "at /type: value must be one of 'array', 'boolean'"},
		})
	})
	t.Run("ErrRemoteReference", func(t *testing.T) {
		_, err := templates.Load([]byte(field("      $ref: file:///etc/passwd\n")), assent.NewTemplateContext())
		checkProblems(t, details(t, err, assent.EINVALID), []problem{{"fields[0].schema", "line 9, column 7", "schemas are checked offline"}})
	})
	t.Run("ErrBadPattern", func(t *testing.T) {
		_, err := templates.Load([]byte(`{"id": "t", "name": "T", "item_type": "thing", "fields": [
			{"id": "code", "label": "Code", "type": "json", "schema": {"type": "string", "pattern": "(["}}]}`), assent.NewTemplateContext())
		checkProblems(t, details(t, err, assent.EINVALID), []problem{{"/fields/0/schema", "", "at /pattern: '([' is not valid regex"}})
	})
}

func TestLoadContext(t *testing.T) {
	t.Run("OKReferenceToItsOwnType", func(t *testing.T) {
		// A new type is unknown to the context, yet may point to itself.
		mustLoad(t, `id: risk
name: Risk
item_type: risk
fields:
  - {id: related, label: Related risks, type: reference, reference_types: [risk], list: true}
`, assent.NewTemplateContext())
	})
	t.Run("OKContextUnchanged", func(t *testing.T) {
		c := assent.NewTemplateContext()
		want := assent.NewTemplateContext()
		mustLoad(t, "id: risk\nname: Risk\nitem_type: risk\nparent: {type: project}\nfields: [{id: a, label: A, type: text}]\n", c)
		if diff := cmp.Diff(want, c); diff != "" {
			t.Errorf("context changed (-before +after):\n%s", diff)
		}
	})
	t.Run("OKZeroContext", func(t *testing.T) {
		mustLoad(t, "id: m\nname: M\nitem_type: model\nparent: {type: project}\nfields: []\n", assent.TemplateContext{})
	})
}

func TestLoadValues(t *testing.T) {
	// Defaults and conditions read the same from YAML and from JSON: as
	// encoding/json would decode them.
	yamlSrc := `id: t
name: T
item_type: thing
fields:
  - {id: size, label: Size, type: number, min: 0, max: 10.5, default: 3}
  - {id: level, label: Level, type: category, options: [Low, High], default: Low}
  - {id: extra, label: Extra, type: json, default: {tags: [a, 1, true, null]}}
steps:
  - {id: big, name: Big, visible_when: {field: size, in: [5, 6.5]}}
`
	jsonSrc := `{"id": "t", "name": "T", "item_type": "thing", "fields": [
  {"id": "size", "label": "Size", "type": "number", "min": 0, "max": 10.5, "default": 3},
  {"id": "level", "label": "Level", "type": "category", "options": ["Low", "High"], "default": "Low"},
  {"id": "extra", "label": "Extra", "type": "json", "default": {"tags": ["a", 1, true, null]}}],
 "steps": [{"id": "big", "name": "Big", "visible_when": {"field": "size", "in": [5, 6.5]}}]}`
	fromYAML := mustLoad(t, yamlSrc, assent.NewTemplateContext())
	fromJSON := mustLoad(t, jsonSrc, assent.NewTemplateContext())
	zero, max := 0.0, 10.5
	want := &assent.Template{ID: "t", Name: "T", ItemType: "thing",
		Fields: []assent.FieldDef{
			{ID: "size", Label: "Size", Type: assent.FieldNumber, Min: &zero, Max: &max, Default: 3.0},
			{ID: "level", Label: "Level", Type: assent.FieldCategory, Options: []string{"Low", "High"}, Default: "Low"},
			{ID: "extra", Label: "Extra", Type: assent.FieldJSON, Default: map[string]any{"tags": []any{"a", 1.0, true, nil}}},
		},
		Steps: []assent.StepDef{{ID: "big", Name: "Big", VisibleWhen: &assent.Condition{Field: "size", In: []any{5.0, 6.5}}}},
	}
	if diff := cmp.Diff(want, fromYAML); diff != "" {
		t.Errorf("from YAML (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, fromJSON); diff != "" {
		t.Errorf("from JSON (-want +got):\n%s", diff)
	}
}

func TestLoadYAMLNumbers(t *testing.T) {
	// YAML 1.2 reads 1e6 as a number, and the YAML library does not; Load
	// follows YAML 1.2, and leaves quoted text alone.
	tmpl := mustLoad(t, `id: t
name: T
item_type: thing
fields:
  - {id: size, label: Size, type: number, max: 1e6, min: -2E-3}
  - {id: code, label: Code, type: category, options: ["1e6", 1.5e3x]}
  - {id: extra, label: Extra, type: json, schema: {maximum: 1e+3}}
`, assent.NewTemplateContext())
	if *tmpl.Fields[0].Max != 1e6 || *tmpl.Fields[0].Min != -2e-3 {
		t.Errorf("min %v max %v, want -0.002 and 1e6", *tmpl.Fields[0].Min, *tmpl.Fields[0].Max)
	}
	if diff := cmp.Diff([]string{"1e6", "1.5e3x"}, tmpl.Fields[1].Options); diff != "" {
		t.Errorf("options (-want +got):\n%s", diff)
	}
	if got := string(tmpl.Fields[2].Schema); got != `{"maximum":1000}` {
		t.Errorf("schema %s, want maximum 1000", got)
	}
}

// FuzzLoad checks that no input makes Load panic, and that whatever it
// accepts writes out and reads back the same.
func FuzzLoad(f *testing.F) {
	for _, id := range templates.StandardIDs {
		data, err := os.ReadFile("standard/" + id + ".yaml")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(tricky))
	f.Add([]byte(`{"id": "t", "name": "T", "item_type": "thing", "fields": [{"id": "a", "label": "A", "type": "json", "schema": {"type": "object"}, "default": {"x": [1, "two"]}}]}`))
	f.Add([]byte("x0: &x [a, *x]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tmpl, err := templates.Load(data, assent.NewTemplateContext())
		if err != nil {
			if _, ok := err.(*assent.Error); !ok {
				t.Fatalf("error %T %v, want an *assent.Error", err, err)
			}
			return
		}
		for _, format := range []string{"json", "yaml"} {
			out, err := templates.Marshal(tmpl, format)
			if err != nil {
				t.Fatalf("marshal %s: %v", format, err)
			}
			again, err := templates.Load(out, assent.NewTemplateContext())
			if err != nil {
				t.Fatalf("reload %s: %v\n%s", format, err, out)
			}
			if diff := cmp.Diff(tmpl, again); diff != "" {
				t.Fatalf("after %s (-first +again):\n%s\n%s", format, diff, out)
			}
		}
	})
}

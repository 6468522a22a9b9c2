package templates_test

import (
	"os"
	"strings"
	"testing"

	"assent"
	"assent/templates"

	"github.com/google/go-cmp/cmp"
)

// tricky holds what YAML writers get wrong: texts that read as other
// types, indicators, line breaks, and values of every kind.
const tricky = `id: tricky
name: "Tricky: quoting"
description: |
  First line
    indented line

  after a blank line
item_type: tricky
fields:
  - id: answer
    label: "Yes"
    help: "null"
    type: category
    options: ["Yes", "No", "123", "~", "true", "- dash", "#hash", "a: b", "@at", "*star", "&amp", "!bang", "%pct", "{brace", "[bracket", "'single", "\"double", " lead", "trail ", "tab\there", "é ✓", "0x1F", "1e3", ".inf", "multi\nline"]
    default: "Yes"
  - id: score
    label: Score
    type: number
    min: -1.5
    max: 1e6
    default: 0.25
  - id: tags
    label: Tags
    type: text
    list: true
    required: true
    read_only: true
    default: ["one", "two\n", "trailing space \nnext", "\ttab first\nsecond", "\nleading newline", " leading space\nmulti", "a\r\nb", "no end\nnewline", "x\n\n\n", "\u00a0nbsp", "bell\a", "#\n# not a comment",
      "key: value\n- item", "---", "...", "|", ">", "- ", " ", "", "x #comment", "a\n b", "\n", "\n\n", "a\n", "? q", ": colon",
      "line\u2028separator", "emoji 😀", "C:\\path", "2025-03-31", "12:30", "0o17", "+1", "1_000", "0.", "-.5", "=", "<<"]
  - id: extra
    label: Extra
    help: "ends with two newlines\n\n"
    type: json
    schema: {type: object, properties: {n: {type: integer, maximum: 100}}, required: [n]}
    default: {n: 1, nested: {list: [1, "two", null, false]}}
  - id: owners
    label: Owners
    type: principals
    default: [ada, "group:risk-team"]
  - id: link
    label: Link
    type: reference
    reference_types: [tricky, project]
steps:
  - id: one
    name: One
    fields: [answer, score]
    visible_when: {field: extra, in: ["Yes", 3, true, null]}
    signoff:
      feedback_groups: [{id: g, name: G, members: ["user:ada", "group:risk", "field:owners"]}]
      approvers: ["field:owners"]
      no_self_approval: true
`

// TestRoundTrip reads YAML, writes JSON as the API returns it, reads that,
// writes YAML as export does, and reads it again: every step gives the
// same definition.
func TestRoundTrip(t *testing.T) {
	standard, err := templates.Standard()
	if err != nil {
		t.Fatal(err)
	}
	c := assent.NewTemplateContext(standard...)
	sources := map[string]string{"tricky": tricky}
	for _, id := range templates.StandardIDs {
		data, err := os.ReadFile("standard/" + id + ".yaml")
		if err != nil {
			t.Fatal(err)
		}
		sources[id] = string(data)
	}
	sources["eu-ai-act-assessment"] = docExample(t)
	for name, src := range sources {
		t.Run(name, func(t *testing.T) {
			first := mustLoad(t, src, c)
			asJSON, err := templates.Marshal(first, "json")
			if err != nil {
				t.Fatal(err)
			}
			second := mustLoad(t, string(asJSON), c)
			if diff := cmp.Diff(first, second); diff != "" {
				t.Fatalf("after JSON (-first +second):\n%s\n%s", diff, asJSON)
			}
			asYAML, err := templates.Marshal(second, "yaml")
			if err != nil {
				t.Fatal(err)
			}
			third := mustLoad(t, string(asYAML), c)
			if diff := cmp.Diff(first, third); diff != "" {
				t.Fatalf("after YAML (-first +third):\n%s\n%s", diff, asYAML)
			}
		})
	}
}

func TestMarshal(t *testing.T) {
	tmpl := mustStandard(t)["standard-model"]
	t.Run("OKJSONIndented", func(t *testing.T) {
		out, err := templates.Marshal(tmpl, "json")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(out), "{\n  \"id\": \"standard-model\",\n") {
			t.Errorf("JSON is not indented:\n%s", out)
		}
	})
	t.Run("OKYAMLKeepsKeyOrder", func(t *testing.T) {
		out, err := templates.Marshal(tmpl, "yaml")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(out), "id: standard-model\nname: Model\n") {
			t.Errorf("YAML does not start with id and name:\n%s", out)
		}
	})
	t.Run("ErrUnknownFormat", func(t *testing.T) {
		if _, err := templates.Marshal(tmpl, "toml"); assent.ErrorCode(err) != assent.EINVALID {
			t.Errorf("error %v, want EINVALID", err)
		}
	})
}

package templates_test

import (
	"os"
	"strings"
	"testing"

	"assent"
	"assent/templates"
)

// docExample returns the complete example of docs/templates.md: the YAML
// block that defines eu-ai-act-assessment. The test reads the doc itself,
// so that the doc cannot drift from what Load accepts.
func docExample(tb testing.TB) string {
	tb.Helper()
	doc, err := os.ReadFile("../docs/templates.md")
	if err != nil {
		tb.Fatal(err)
	}
	for _, block := range strings.Split(string(doc), "```yaml\n")[1:] {
		block, _, _ = strings.Cut(block, "```")
		if strings.HasPrefix(block, "id: eu-ai-act-assessment\n") {
			return block
		}
	}
	tb.Fatal("docs/templates.md has no yaml block starting with id: eu-ai-act-assessment")
	return ""
}

func TestDocExample(t *testing.T) {
	standard, err := templates.Standard()
	if err != nil {
		t.Fatal(err)
	}
	tmpl := mustLoad(t, docExample(t), assent.NewTemplateContext(standard...))
	if tmpl.ItemType != "ai_act_assessment" || tmpl.Parent == nil || tmpl.Parent.Type != "project" {
		t.Errorf("item type %q parent %+v, want ai_act_assessment under project", tmpl.ItemType, tmpl.Parent)
	}
	t.Run("ErrWithoutTheStandardProject", func(t *testing.T) {
		// Its sign-offs take approvers from the standard project's fields.
		_, err := templates.Load([]byte(docExample(t)), assent.NewTemplateContext())
		if assent.ErrorCode(err) != assent.EINVALID || !strings.Contains(err.(*assent.Error).Details[0].Message, "no template of type project has a field") {
			t.Errorf("error %v, want the project's fields to be unknown", err)
		}
	})
}

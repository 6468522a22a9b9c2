package web

import (
	"bytes"
	"html/template"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// markdownRenderer turns user text into HTML. goldmark already drops raw
// HTML and dangerous links; bluemonday's policy for user content is the
// second lock, so that no later option can let a script through.
type markdownRenderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

func newMarkdownRenderer() *markdownRenderer {
	p := bluemonday.UGCPolicy()
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return &markdownRenderer{md: goldmark.New(goldmark.WithExtensions(extension.GFM)), policy: p}
}

// render returns safe HTML for Markdown source; on a rendering error it
// shows the source as escaped text.
func (m *markdownRenderer) render(src string) template.HTML {
	var buf bytes.Buffer
	if err := m.md.Convert([]byte(src), &buf); err != nil {
		return template.HTML(template.HTMLEscapeString(src))
	}
	return template.HTML(m.policy.SanitizeBytes(buf.Bytes()))
}

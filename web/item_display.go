package web

import (
	"fmt"
	"html/template"
	"strings"

	"assent"
)

// fieldHTML shows a field's value on the item page, escaped throughout;
// text goes through the Markdown renderer, which sanitises its output.
func fieldHTML(md *markdownRenderer) func(view *itemView, f *assent.FieldDef) template.HTML {
	return func(view *itemView, f *assent.FieldDef) template.HTML {
		if f == nil {
			return ""
		}
		v, ok := view.Item.Fields[f.ID]
		if !ok || v == nil {
			return `<span class="muted">—</span>`
		}
		esc := template.HTMLEscapeString
		list, isList := v.([]any)
		switch f.Type {
		case assent.FieldText:
			if isList {
				var sb strings.Builder
				sb.WriteString("<ul>")
				for _, x := range list {
					fmt.Fprintf(&sb, "<li>%s</li>", esc(fmt.Sprint(x)))
				}
				sb.WriteString("</ul>")
				return template.HTML(sb.String())
			}
			return md.render(fmt.Sprint(v))
		case assent.FieldBoolean:
			if v == true {
				return "Yes"
			}
			return "No"
		case assent.FieldFile:
			var sb strings.Builder
			sb.WriteString(`<ul class="files">`)
			for _, x := range list {
				id := fmt.Sprint(x)
				if a := view.Attachments[id]; a != nil {
					fmt.Fprintf(&sb, `<li><a href="/api/v1/attachments/%s">%s</a> <small class="muted">%s</small></li>`, esc(id), esc(a.Name), esc(size(a.Size)))
				} else {
					fmt.Fprintf(&sb, "<li>%s</li>", esc(id))
				}
			}
			sb.WriteString("</ul>")
			return template.HTML(sb.String())
		case assent.FieldPrincipals:
			var sb strings.Builder
			sb.WriteString(`<ul class="chips">`)
			for _, x := range list {
				fmt.Fprintf(&sb, "<li>%s</li>", esc(fmt.Sprint(x)))
			}
			sb.WriteString("</ul>")
			return template.HTML(sb.String())
		case assent.FieldReference:
			if isList {
				var links []string
				for _, x := range list {
					links = append(links, fmt.Sprintf(`<a href="/items/%s">%s</a>`, esc(fmt.Sprint(x)), esc(fmt.Sprint(x))))
				}
				return template.HTML(strings.Join(links, ", "))
			}
			return template.HTML(fmt.Sprintf(`<a href="/items/%s">%s</a>`, esc(fmt.Sprint(v)), esc(fmt.Sprint(v))))
		case assent.FieldJSON:
			return template.HTML("<pre>" + esc(formText(f, v)) + "</pre>")
		}
		if isList {
			return template.HTML(esc(formText(f, v)))
		}
		return template.HTML(esc(fmt.Sprint(v)))
	}
}

func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// selected reports whether a category option is in the form's value.
func selected(form string, option string) bool {
	for _, v := range strings.Split(form, ",") {
		if strings.TrimSpace(v) == option {
			return true
		}
	}
	return false
}

// stepName is a step's display status.
func stepName(s assent.StepStatus) string {
	return map[assent.StepStatus]string{assent.StepNotStarted: "Not started", assent.StepOngoing: "Ongoing",
		assent.StepFinished: "Finished", assent.StepSkipped: "Skipped"}[s]
}

// fieldInputData is what the "field-input" template draws.
type fieldInputData struct {
	Field   *assent.FieldDef
	Value   string
	Error   string
	Choices []*assent.Item
}

func fieldInput(p *page, f *assent.FieldDef) fieldInputData {
	d := fieldInputData{Field: f, Value: p.Value(f.ID), Error: p.FieldError("fields." + f.ID)}
	if view, ok := p.Data.(*itemView); ok {
		d.Choices = view.Choices[f.ID]
	}
	return d
}

// itemLink is the page of an item, on the step shown.
func itemLink(id string, step *assent.StepDef) string {
	if step == nil {
		return itemURL(id, "")
	}
	return itemURL(id, step.ID)
}

func add(a, b int) int { return a + b }

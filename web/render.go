package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"assent"
)

//go:embed templates
var templateFS embed.FS

// page is what every page template receives.
type page struct {
	Title    string
	Section  string // the navigation entry to highlight
	Instance string
	User     *assent.User
	Flash    *flash
	// Errors maps a form field to what is wrong with it; Form keeps what
	// was typed so that a refused form comes back filled in.
	Errors map[string]string
	Form   map[string]string
	Data   any
	// Path is the page's path, for links back after signing in.
	Path string
}

// FieldError returns the message for one form field.
func (p *page) FieldError(name string) string { return p.Errors[name] }

// Value returns what was typed into a form field.
func (p *page) Value(name string) string { return p.Form[name] }

// IsAdmin reports whether the viewer may see admin pages.
func (p *page) IsAdmin() bool { return p.User.HasRole(assent.RoleAdmin) }

// pageTemplates holds one parsed set per page: the layout plus the page.
type pageTemplates map[string]*template.Template

// parseTemplates parses every page with the layout at start, failing fast on
// a broken template or a missing asset.
func parseTemplates(a *assets, md *markdownRenderer) (pageTemplates, error) {
	funcs := template.FuncMap{
		"asset":      a.url,
		"markdown":   md.render,
		"time":       formatTime,
		"ago":        ago,
		"json":       prettyJSON,
		"lower":      strings.ToLower,
		"field":      field,
		"seconds":    seconds,
		"eventName":  eventName,
		"member":     member,
		"browser":    browser,
		"fieldHTML":  fieldHTML(md),
		"selected":   selected,
		"stepName":   stepName,
		"fieldInput": fieldInput,
		"itemLink":   itemLink,
		"add":        add,
		"initial":    initial,
	}
	pages, err := fs.Glob(templateFS, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	t := pageTemplates{}
	for _, p := range pages {
		name := strings.TrimSuffix(strings.TrimPrefix(p, "templates/pages/"), ".html")
		tmpl, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials/*.html", p)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		// Execute once with empty data so that a missing asset fails now.
		if err := tmpl.ExecuteTemplate(&bytes.Buffer{}, "layout", &page{User: &assent.User{}}); err != nil && strings.Contains(err.Error(), "no static file") {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		t[name] = tmpl
	}
	return t, nil
}

// render writes a whole page. It renders into a buffer first so that a
// template error becomes a clean 500, not half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	tmpl, ok := s.templates[name]
	if !ok {
		s.logger.Error("no such template", "name", name)
		http.Error(w, "Internal error", http.StatusInternalServerError)
		return
	}
	p.Instance = s.config.InstanceName
	if p.User == nil {
		p.User = assent.UserFromContext(r.Context())
	}
	if p.Flash == nil {
		p.Flash = s.takeFlash(w, r)
	}
	p.Path = r.URL.RequestURI()
	var buf bytes.Buffer
	if err := tmpl.ExecuteTemplate(&buf, "layout", p); err != nil {
		s.logger.Error("render", "template", name, "request_id", assent.RequestIDFromContext(r.Context()), "err", err)
		http.Error(w, "Internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func formatTime(t any) string {
	switch v := t.(type) {
	case time.Time:
		if v.IsZero() {
			return ""
		}
		return v.UTC().Format("2006-01-02 15:04 UTC")
	case *time.Time:
		if v == nil {
			return ""
		}
		return formatTime(*v)
	}
	return ""
}

// ago says how long ago t was, roughly, for lists.
func ago(t any) string {
	var v time.Time
	switch x := t.(type) {
	case time.Time:
		v = x
	case *time.Time:
		if x == nil {
			return "never"
		}
		v = *x
	}
	d := time.Since(v)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d.Hours()))
	}
	return fmt.Sprintf("%d days ago", int(d.Hours()/24))
}

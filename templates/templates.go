// Package templates reads and writes template definitions as YAML or JSON
// and holds the built-in standard templates.
//
// Reading reports every problem at once, each where the author can find
// it: for YAML at a location such as fields[3].type with its line and
// column, for JSON at a JSON pointer such as /fields/3/type.
package templates

import (
	"embed"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"

	"assent"
)

// MaxSize bounds a template document; larger ones are refused with
// ETOOLARGE before they are parsed.
const MaxSize = 1 << 20

// Load reads a template, as JSON when its first non-space character is
// '{' and as YAML otherwise, and validates it against c, the templates of
// the other item types (assent.NewTemplateContext). Unknown keys are
// errors. It returns one EINVALID *assent.Error with every problem, or
// ETOOLARGE for input over MaxSize. c is not changed.
func Load(data []byte, c assent.TemplateContext) (*assent.Template, error) {
	d, err := decode(data)
	if err != nil {
		return nil, err
	}
	return d.finish(contextWith(c, d.t))
}

// decoded is a template read from a document, with the problems found in
// reading it, waiting to be validated against its context.
type decoded struct {
	src      *source
	t        *assent.Template
	problems []problem
}

func decode(data []byte) (*decoded, error) {
	if len(data) > MaxSize {
		return nil, assent.Errorf(assent.ETOOLARGE, "a template is at most %d bytes (1 MiB); this one has %d", MaxSize, len(data))
	}
	src, err := parse(data)
	if err != nil {
		return nil, err
	}
	t := &assent.Template{}
	var dec decoder
	dec.object(src.root, reflect.ValueOf(t).Elem(), nil)
	if dec.exhausted {
		return nil, malformed(0, 0, "the document expands to more than %d values; does it nest aliases?", maxValues)
	}
	if t.Fields == nil {
		t.Fields = []assent.FieldDef{} // the API answers "fields": [], not null
	}
	return &decoded{src: src, t: t, problems: dec.problems}, nil
}

// finish checks the JSON Schemas and validates the template, then returns
// it, or one error with the problems of reading and of validating. A
// validation problem inside a value that could not be read says nothing
// new and is left out.
func (d *decoded) finish(c assent.TemplateContext) (*assent.Template, error) {
	ps := slices.Concat(d.problems, checkSchemas(d.t))
	if err := d.t.Validate(c); err != nil {
		e, ok := err.(*assent.Error)
		if !ok {
			return nil, err
		}
		for _, detail := range e.Details {
			at := parseLocation(detail.Location)
			if !covered(d.problems, at) {
				ps = append(ps, problem{at: at, msg: detail.Message})
			}
		}
	}
	if len(ps) == 0 {
		return d.t, nil
	}
	e := &assent.Error{Code: assent.EINVALID}
	for _, p := range ps {
		e.Details = append(e.Details, d.src.detail(p))
	}
	// The message is the first problem, as assent.Problems writes it, but
	// without an empty location for a problem with the whole document.
	first := e.Details[0]
	e.Message = first.Message
	if first.Location != "" {
		e.Message = first.Location + ": " + first.Message
	}
	if len(e.Details) > 1 {
		e.Message += fmt.Sprintf(" (and %d more)", len(e.Details)-1)
	}
	return nil, e
}

// covered reports whether a reading problem lies at or above at.
func covered(ps []problem, at []any) bool {
	for _, p := range ps {
		if len(p.at) <= len(at) && slices.Equal(p.at, at[:len(p.at)]) {
			return true
		}
	}
	return false
}

// contextWith copies c and adds t, so that t may refer to its own item
// type (a reference field to items of the same type) while the caller's
// context stays as it was. A zero context stands for the built-in types.
func contextWith(c assent.TemplateContext, t *assent.Template) assent.TemplateContext {
	out := assent.NewTemplateContext()
	if c.Parents != nil {
		out.Parents = maps.Clone(c.Parents)
	}
	for typ, fields := range c.Fields {
		out.Fields[typ] = maps.Clone(fields)
	}
	// A template without an item type must not make "" a known type, or a
	// parent without a type would pass as known.
	if t.ItemType != "" {
		out.Add(t)
	}
	return out
}

// Marshal writes a template as "yaml" or "json" (indented), in the form
// Load reads back to an equal template.
func Marshal(t *assent.Template, format string) ([]byte, error) {
	data, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return nil, err
	}
	switch format {
	case "json":
		return append(data, '\n'), nil
	case "yaml":
		// Through JSON, so that YAML has exactly the keys and omissions of
		// the JSON tags, and schemas become nested mappings.
		return marshalYAML(data)
	}
	return nil, assent.Errorf(assent.EINVALID, "unknown format %q; use yaml or json", format)
}

//go:embed standard/*.yaml
var standardFS embed.FS

// StandardIDs are the ids of the built-in templates, in the order Standard
// returns them; API users and scripts rely on them.
var StandardIDs = []string{
	"standard-business-initiative",
	"standard-project",
	"standard-bundle",
	"standard-model",
	"standard-model-version",
}

// Standard reads and validates the built-in templates against each other
// (the model version's sign-off takes its reviewers from the project's
// fields). Each call returns new templates that the caller may change.
func Standard() ([]*assent.Template, error) {
	ds := make([]*decoded, len(StandardIDs))
	ts := make([]*assent.Template, len(StandardIDs))
	for i, id := range StandardIDs {
		data, err := standardFS.ReadFile("standard/" + id + ".yaml")
		if err != nil {
			return nil, fmt.Errorf("templates: %w", err)
		}
		if ds[i], err = decode(data); err != nil {
			return nil, fmt.Errorf("templates: standard/%s.yaml: %w", id, err)
		}
		ts[i] = ds[i].t
	}
	c := assent.NewTemplateContext(ts...)
	for i, d := range ds {
		if _, err := d.finish(c); err != nil {
			return nil, fmt.Errorf("templates: standard/%s.yaml: %w", StandardIDs[i], err)
		}
	}
	return ts, nil
}

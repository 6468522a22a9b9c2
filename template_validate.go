package assent

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// BuiltinItemTypes are the item types Assent knows without any template,
// with their parent types.
var BuiltinItemTypes = map[string]string{
	"business_initiative": "",
	"project":             "business_initiative",
	"bundle":              "project",
	"model":               "project",
	"model_version":       "model",
}

// TemplateContext is what validating one template needs to know of the
// others: the parent type of each item type, and the fields that the
// templates of each type define.
type TemplateContext struct {
	Parents map[string]string
	Fields  map[string]map[string]FieldType
}

// NewTemplateContext starts from the built-in types and adds templates.
func NewTemplateContext(templates ...*Template) TemplateContext {
	c := TemplateContext{Parents: map[string]string{}, Fields: map[string]map[string]FieldType{}}
	for typ, parent := range BuiltinItemTypes {
		c.Parents[typ] = parent
	}
	for _, t := range templates {
		c.Add(t)
	}
	return c
}

// Add records what t says of its type.
func (c *TemplateContext) Add(t *Template) {
	if c.Parents == nil {
		c.Parents = map[string]string{}
	}
	if c.Fields == nil {
		c.Fields = map[string]map[string]FieldType{}
	}
	if t.Parent != nil {
		c.Parents[t.ItemType] = t.Parent.Type
	} else if _, ok := c.Parents[t.ItemType]; !ok {
		c.Parents[t.ItemType] = ""
	}
	if c.Fields[t.ItemType] == nil {
		c.Fields[t.ItemType] = map[string]FieldType{}
	}
	for _, f := range t.Fields {
		c.Fields[t.ItemType][f.ID] = f.Type
	}
}

var (
	templateIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)
	itemTypePattern   = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)
	fieldIDPattern    = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)
)

// Validate checks a template against the others and reports every problem
// at once, each at its location ("fields[3].type").
func (t *Template) Validate(c TemplateContext) error {
	var p Problems
	if !templateIDPattern.MatchString(t.ID) {
		p.Add("id", "must be 1 to 63 lowercase letters, digits, '-' or '_'")
	}
	if strings.TrimSpace(t.Name) == "" {
		p.Add("name", "is required")
	}
	if !itemTypePattern.MatchString(t.ItemType) {
		p.Add("item_type", "must be a type such as project or model_version (lowercase letters, digits and '_')")
	}
	fields := t.validateFields(&p, c)
	t.validateParent(&p, c, fields)
	t.validateOverview(&p, fields)
	t.validateSteps(&p, c, fields)
	return p.Err()
}

func (t *Template) validateFields(p *Problems, c TemplateContext) map[string]*FieldDef {
	fields := map[string]*FieldDef{}
	seen := map[string]bool{}
	for i := range t.Fields {
		f := &t.Fields[i]
		at := fmt.Sprintf("fields[%d]", i)
		if checkID(p, at, f.ID, "field", seen) {
			fields[f.ID] = f
		}
		if strings.TrimSpace(f.Label) == "" {
			p.Add(at+".label", "is required")
		}
		if !slices.Contains(FieldTypes, f.Type) {
			p.Add(at+".type", "unknown field type %q; use one of %s", f.Type, joinTypes())
			continue
		}
		f.validateOptions(p, at, c)
	}
	return fields
}

// validateOptions checks the settings that belong to one field type and
// refuses those that belong to another.
func (f *FieldDef) validateOptions(p *Problems, at string, c TemplateContext) {
	only := func(set bool, name string, typ FieldType) {
		if set && f.Type != typ {
			p.Add(at+"."+name, "applies to %s fields only, not %s", typ, f.Type)
		}
	}
	only(f.Min != nil, "min", FieldNumber)
	only(f.Max != nil, "max", FieldNumber)
	only(len(f.Options) > 0, "options", FieldCategory)
	only(len(f.ReferenceTypes) > 0, "reference_types", FieldReference)
	only(len(f.Schema) > 0, "schema", FieldJSON)
	switch f.Type {
	case FieldNumber:
		if f.Min != nil && f.Max != nil && *f.Min > *f.Max {
			p.Add(at+".max", "must not be below min")
		}
	case FieldCategory:
		if len(f.Options) == 0 {
			p.Add(at+".options", "a category field needs options")
		}
		for j, o := range f.Options {
			if strings.TrimSpace(o) == "" {
				p.Add(fmt.Sprintf("%s.options[%d]", at, j), "is empty")
			} else if slices.Index(f.Options, o) != j {
				p.Add(fmt.Sprintf("%s.options[%d]", at, j), "duplicate option %q", o)
			}
		}
	case FieldReference:
		if len(f.ReferenceTypes) == 0 {
			p.Add(at+".reference_types", "a reference field names the item types it may point to")
		}
		for j, rt := range f.ReferenceTypes {
			if _, ok := c.Parents[rt]; !ok {
				p.Add(fmt.Sprintf("%s.reference_types[%d]", at, j), "unknown item type %q", rt)
			}
		}
	case FieldJSON:
		if len(f.Schema) > 0 {
			var schema map[string]any
			if json.Unmarshal(f.Schema, &schema) != nil {
				p.Add(at+".schema", "must be a JSON Schema object")
			}
		}
	}
	if f.Default != nil {
		if err := f.CheckValue(f.Default); err != nil {
			p.Add(at+".default", "%s", ErrorMessage(err))
		}
	}
}

func joinTypes() string {
	s := make([]string, len(FieldTypes))
	for i, t := range FieldTypes {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}

func (t *Template) validateParent(p *Problems, c TemplateContext, fields map[string]*FieldDef) {
	if t.Parent == nil {
		return
	}
	if t.Parent.Type == "" {
		p.Add("parent.type", "is required when a parent is given")
		return
	}
	if _, ok := c.Parents[t.Parent.Type]; !ok && t.Parent.Type != t.ItemType {
		p.Add("parent.type", "unknown item type %q", t.Parent.Type)
		return
	}
	if t.Parent.Field != "" {
		f := fields[t.Parent.Field]
		switch {
		case f == nil:
			p.Add("parent.field", "no field %q in this template", t.Parent.Field)
		case f.Type != FieldReference || !slices.Contains(f.ReferenceTypes, t.Parent.Type):
			p.Add("parent.field", "field %q must be a reference to %s", t.Parent.Field, t.Parent.Type)
		case f.List:
			p.Add("parent.field", "field %q is a list; an item has one parent", t.Parent.Field)
		}
	}
	// Follow the parents upwards with this template's own say: coming back
	// to its type is a cycle.
	chain := []string{t.ItemType}
	for typ := t.Parent.Type; typ != ""; typ = c.Parents[typ] {
		chain = append(chain, typ)
		if typ == t.ItemType {
			p.Add("parent.type", "cycle of parent types: %s", strings.Join(chain, " → "))
			return
		}
		if len(chain) > 64 {
			break
		}
	}
}

func (t *Template) validateOverview(p *Problems, fields map[string]*FieldDef) {
	seen := map[string]bool{}
	for i, s := range t.Overview {
		at := fmt.Sprintf("overview[%d]", i)
		checkID(p, at, s.ID, "section", seen)
		if strings.TrimSpace(s.Title) == "" {
			p.Add(at+".title", "is required")
		}
		checkFieldList(p, at, s.Fields, fields)
	}
}

func (t *Template) validateSteps(p *Problems, c TemplateContext, fields map[string]*FieldDef) {
	seen := map[string]bool{}
	gating := ""
	for i, s := range t.Steps {
		at := fmt.Sprintf("steps[%d]", i)
		checkID(p, at, s.ID, "step", seen)
		if strings.TrimSpace(s.Name) == "" {
			p.Add(at+".name", "is required")
		}
		checkFieldList(p, at, s.Fields, fields)
		if v := s.VisibleWhen; v != nil {
			f := fields[v.Field]
			if f == nil {
				p.Add(at+".visible_when.field", "no field %q in this template", v.Field)
			}
			if len(v.In) == 0 {
				p.Add(at+".visible_when.in", "needs at least one value")
			}
			for j, val := range v.In {
				if f == nil {
					break
				}
				// A value the field can never hold would hide the step for ever.
				if err := f.checkOne(val); err != nil {
					p.Add(fmt.Sprintf("%s.visible_when.in[%d]", at, j), "%s can never be %v: it %s", v.Field, val, ErrorMessage(err))
				}
			}
		}
		if s.Signoff != nil {
			t.validateSignoff(p, c, fields, at+".signoff", s.Signoff)
			if s.Signoff.GatesDeployment {
				if gating != "" {
					p.Add(at+".signoff.gates_deployment", "only one step may gate deployment; %s already does", gating)
				}
				gating = s.ID
			}
		}
	}
}

func (t *Template) validateSignoff(p *Problems, c TemplateContext, fields map[string]*FieldDef, at string, s *SignoffConfig) {
	seen := map[string]bool{}
	for i, g := range s.FeedbackGroups {
		gat := fmt.Sprintf("%s.feedback_groups[%d]", at, i)
		checkID(p, gat, g.ID, "feedback group", seen)
		if strings.TrimSpace(g.Name) == "" {
			p.Add(gat+".name", "is required")
		}
		if len(g.Members) == 0 {
			p.Add(gat+".members", "needs at least one source of reviewers")
		}
		for j, m := range g.Members {
			t.validateSource(p, c, fields, fmt.Sprintf("%s.members[%d]", gat, j), m)
		}
	}
	if len(s.Approvers) == 0 {
		p.Add(at+".approvers", "needs at least one source of final approvers")
	}
	for j, m := range s.Approvers {
		t.validateSource(p, c, fields, fmt.Sprintf("%s.approvers[%d]", at, j), m)
	}
}

// validateSource checks one principal source; a field must hold principals,
// in this template or in the templates of an ancestor type.
func (t *Template) validateSource(p *Problems, c TemplateContext, fields map[string]*FieldDef, at string, src PrincipalSource) {
	kind, name, ok := strings.Cut(string(src), ":")
	if !ok || name == "" {
		p.Add(at, "must be user:<username>, group:<name>, field:<field> or field:<type>.<field>, not %q", src)
		return
	}
	switch kind {
	case "user", "group":
		return
	case "field":
	default:
		p.Add(at, "unknown source %q; use user:, group: or field:", kind)
		return
	}
	if typ, field, ok := strings.Cut(name, "."); ok {
		if !t.hasAncestor(c, typ) {
			p.Add(at, "%s is not an ancestor type of %s", typ, t.ItemType)
			return
		}
		ft, ok := c.Fields[typ][field]
		switch {
		case !ok:
			p.Add(at, "no template of type %s has a field %q", typ, field)
		case ft != FieldPrincipals:
			p.Add(at, "field %s.%s is of type %s, not principals", typ, field, ft)
		}
		return
	}
	f := fields[name]
	switch {
	case f == nil:
		p.Add(at, "no field %q in this template", name)
	case f.Type != FieldPrincipals:
		p.Add(at, "field %q is of type %s, not principals", name, f.Type)
	}
}

func (t *Template) hasAncestor(c TemplateContext, typ string) bool {
	parent := c.Parents[t.ItemType]
	if t.Parent != nil {
		parent = t.Parent.Type
	}
	for i := 0; parent != "" && i < 64; i++ {
		if parent == typ {
			return true
		}
		parent = c.Parents[parent]
	}
	return false
}

// Field returns the field with id, or nil.
func (t *Template) Field(id string) *FieldDef {
	for i := range t.Fields {
		if t.Fields[i].ID == id {
			return &t.Fields[i]
		}
	}
	return nil
}

// GatingStep returns the id of the step whose sign-off gates deployment, or "".
func (t *Template) GatingStep() string {
	for _, s := range t.Steps {
		if s.Signoff != nil && s.Signoff.GatesDeployment {
			return s.ID
		}
	}
	return ""
}

// checkID reports an id that breaks the pattern or repeats one in seen,
// and records it; kind names the thing in the message ("step").
func checkID(p *Problems, at, id, kind string, seen map[string]bool) bool {
	ok := true
	if !fieldIDPattern.MatchString(id) {
		p.Add(at+".id", "must start with a lowercase letter, then letters, digits or '_'")
		ok = false
	} else if seen[id] {
		p.Add(at+".id", "duplicate %s id %q", kind, id)
		ok = false
	}
	seen[id] = true
	return ok
}

// checkFieldList reports every entry of a list of field ids that names no field.
func checkFieldList(p *Problems, at string, ids []string, fields map[string]*FieldDef) {
	for j, f := range ids {
		if fields[f] == nil {
			p.Add(fmt.Sprintf("%s.fields[%d]", at, j), "no field %q in this template", f)
		}
	}
}

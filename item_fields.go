package assent

import (
	"slices"
	"sort"
)

// CheckFields validates field values against a template: unknown fields,
// values of the wrong type or out of range, and (for a whole item, not an
// update) missing required fields, each named fields.<id>. Values that are
// nil clear a field.
func (t *Template) CheckFields(values map[string]any, whole bool) error {
	var p Problems
	ids := make([]string, 0, len(values))
	for id := range values {
		ids = append(ids, id)
	}
	sort.Strings(ids) // the same input gives the same report
	for _, id := range ids {
		f := t.Field(id)
		if f == nil {
			p.Add("fields."+id, "no field %q in template %s", id, t.ID)
			continue
		}
		if err := f.CheckValue(values[id]); err != nil {
			p.Add("fields."+id, "%s", ErrorMessage(err))
		}
	}
	if whole {
		for _, f := range t.Fields {
			if f.Required && IsEmptyValue(values[f.ID]) {
				p.Add("fields."+f.ID, "is required")
			}
		}
	}
	return p.Err()
}

// WithDefaults returns values with the template's defaults for fields not given.
func (t *Template) WithDefaults(values map[string]any) map[string]any {
	out := make(map[string]any, len(values))
	for k, v := range values {
		if v != nil {
			out[k] = v
		}
	}
	for _, f := range t.Fields {
		if _, ok := out[f.ID]; !ok && f.Default != nil {
			out[f.ID] = f.Default
		}
	}
	return out
}

// IsEmptyValue reports whether a field value counts as not given: nil, an
// empty text or an empty list.
func IsEmptyValue(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	}
	return false
}

// NewSteps returns the workflow of a new item: every step NOT_STARTED.
func (t *Template) NewSteps() []StepState {
	steps := make([]StepState, len(t.Steps))
	for i, s := range t.Steps {
		steps[i] = StepState{ID: s.ID, Name: s.Name, Status: StepNotStarted}
	}
	return steps
}

// PlanMigration works out what moving item from version from of its
// template to version to does, and returns the fields and steps it would
// have. A field carries over when the new version has it with the same type
// and list-ness and the value is still valid there; a step keeps its status
// by id.
func PlanMigration(item *Item, from, to *Template, toVersion int) (*MigrationPlan, map[string]any, []StepState) {
	plan := &MigrationPlan{Item: item.ID, From: item.Template, To: TemplateRef{ID: to.ID, Version: toVersion},
		Kept: []string{}, Dropped: []string{}, Added: []string{}, Missing: []string{},
		StepsKept: []string{}, StepsAdded: []string{}, StepsDropped: []string{}}
	fields := map[string]any{}
	for _, id := range sortedKeys(item.Fields) {
		f, old := to.Field(id), from.Field(id)
		if f != nil && old != nil && f.Type == old.Type && f.List == old.List && f.CheckValue(item.Fields[id]) == nil {
			fields[id] = item.Fields[id]
			plan.Kept = append(plan.Kept, id)
		} else {
			plan.Dropped = append(plan.Dropped, id)
		}
	}
	for _, f := range to.Fields {
		if _, ok := fields[f.ID]; ok {
			continue
		}
		switch {
		case f.Default != nil:
			fields[f.ID] = f.Default
			plan.Added = append(plan.Added, f.ID)
		case f.Required:
			plan.Missing = append(plan.Missing, f.ID)
		}
	}
	old := map[string]StepStatus{}
	for _, s := range item.Workflow.Steps {
		old[s.ID] = s.Status
	}
	steps := to.NewSteps()
	for i, s := range steps {
		if st, ok := old[s.ID]; ok {
			steps[i].Status = st
			plan.StepsKept = append(plan.StepsKept, s.ID)
			delete(old, s.ID)
		} else {
			plan.StepsAdded = append(plan.StepsAdded, s.ID)
		}
	}
	for _, s := range item.Workflow.Steps {
		if _, gone := old[s.ID]; gone {
			plan.StepsDropped = append(plan.StepsDropped, s.ID)
		}
	}
	return plan, fields, steps
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

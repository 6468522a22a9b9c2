package assent

import "fmt"

// StepVisible reports whether a step shows for the given field values: a
// step without a condition always does.
func StepVisible(s *StepDef, fields map[string]any) bool {
	if s.VisibleWhen == nil {
		return true
	}
	v := fields[s.VisibleWhen.Field]
	for _, want := range s.VisibleWhen.In {
		if fmt.Sprint(want) == fmt.Sprint(v) {
			return true
		}
		if list, ok := v.([]any); ok {
			for _, x := range list {
				if fmt.Sprint(want) == fmt.Sprint(x) {
					return true
				}
			}
		}
	}
	return false
}

// StepGuard says whether a step may take a status; the sign-off and
// deployment-lock rules plug in here, in one place.
type StepGuard func(stepID string, to StepStatus) error

// SetStepStatus applies DESIGN §2's workflow rules and returns the new
// steps: setting a step FINISHED makes the next visible NOT_STARTED step
// ONGOING; steps may be reopened or finished out of order; SKIPPED is only
// for steps that are not visible; guard may refuse.
func SetStepStatus(t *Template, steps []StepState, fields map[string]any, stepID string, to StepStatus, guard StepGuard) ([]StepState, error) {
	switch to {
	case StepNotStarted, StepOngoing, StepFinished, StepSkipped:
	default:
		return nil, Invalid("status", "must be NOT_STARTED, ONGOING, FINISHED or SKIPPED")
	}
	i := -1
	for j, s := range steps {
		if s.ID == stepID {
			i = j
		}
	}
	if i < 0 {
		return nil, Errorf(ENOTFOUND, "No step %q in template %s.", stepID, t.ID)
	}
	def := t.step(stepID)
	visible := def == nil || StepVisible(def, fields)
	if to == StepSkipped && visible {
		return nil, Errorf(ECONFLICT, "Step %s is visible; only a hidden step can be skipped.", stepID)
	}
	if guard != nil {
		if err := guard(stepID, to); err != nil {
			return nil, err
		}
	}
	out := append([]StepState(nil), steps...)
	out[i].Status = to
	if to == StepFinished {
		for j := i + 1; j < len(out); j++ {
			next := t.step(out[j].ID)
			if out[j].Status == StepNotStarted && (next == nil || StepVisible(next, fields)) {
				// A locked workflow finishes the step but does not start
				// the next one.
				if guard == nil || guard(out[j].ID, StepOngoing) == nil {
					out[j].Status = StepOngoing
				}
				break
			}
		}
	}
	return out, nil
}

// StartCurrentStep returns steps with the current step made ONGOING when it
// is NOT_STARTED and one of changed belongs to it: saving a step's fields
// starts it.
func StartCurrentStep(t *Template, steps []StepState, changed []string) []StepState {
	cur := CurrentStep(steps)
	def := t.step(cur)
	if def == nil {
		return steps
	}
	for i, s := range steps {
		if s.ID != cur || s.Status != StepNotStarted {
			continue
		}
		for _, f := range changed {
			for _, own := range def.Fields {
				if f == own {
					out := append([]StepState(nil), steps...)
					out[i].Status = StepOngoing
					return out
				}
			}
		}
	}
	return steps
}

func (t *Template) step(id string) *StepDef {
	for i := range t.Steps {
		if t.Steps[i].ID == id {
			return &t.Steps[i]
		}
	}
	return nil
}

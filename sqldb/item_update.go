package sqldb

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"assent"
)

// changeItem loads an item under a per-item lock, checks the revision the
// caller saw, lets change modify it, and writes it back with its revision
// one higher. change returns the event to record, or "" when nothing changed.
func (s *ItemService) changeItem(ctx context.Context, id string, revision *int64, allowArchived bool,
	change func(tx *Tx, it *assent.Item, t *assent.Template) (action string, before, after map[string]any, err error)) (*assent.Item, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleMember); err != nil {
		return nil, err
	}
	var it *assent.Item
	err := s.db.inTx(ctx, func(tx *Tx) error {
		if err := tx.lock(ctx, "item:"+id); err != nil {
			return err
		}
		var err error
		if it, err = findItem(ctx, tx, id); err != nil {
			return err
		}
		if revision != nil && *revision != it.Revision {
			return assent.Errorf(assent.ESTALE, "Item %s is at revision %d, not %d: someone changed it since you read it. Nothing was written; reload and try again.", id, it.Revision, *revision)
		}
		if it.Archived && !allowArchived {
			return assent.Errorf(assent.ECONFLICT, "Item %s is archived; restore it to change it.", id)
		}
		t, err := s.db.templateDefinition(ctx, tx, it.Template.ID, it.Template.Version)
		if err != nil {
			return err
		}
		action, before, after, err := change(tx, it, t)
		if err != nil || action == "" {
			return err
		}
		fields, _ := json.Marshal(it.Fields)
		steps, _ := json.Marshal(it.Workflow.Steps)
		it.Workflow.CurrentStep = assent.CurrentStep(it.Workflow.Steps)
		res, err := tx.ExecContext(ctx, `UPDATE items SET name = $1, fields = $2, steps = $3, current_step = $4, archived = $5,
			parent_id = $6, revision = revision + 1, updated_at = $7 WHERE id = $8 AND revision = $9`,
			it.Name, string(fields), string(steps), it.Workflow.CurrentStep, it.Archived, it.Parent, ms(tx.now), id, it.Revision)
		if err != nil {
			return fmt.Errorf("update item: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return assent.Errorf(assent.ESTALE, "Item %s changed at the same moment; nothing was written. Reload and try again.", id)
		}
		it.Revision++
		it.UpdatedAt = tx.now
		tx.record("item", id, action, before, after)
		return autoSubscribe(ctx, tx, id)
	})
	return it, err
}

// UpdateItem changes an item's name and fields.
func (s *ItemService) UpdateItem(ctx context.Context, id string, upd assent.ItemUpdate) (*assent.Item, error) {
	return s.changeItem(ctx, id, upd.Revision, false, func(tx *Tx, it *assent.Item, t *assent.Template) (string, map[string]any, map[string]any, error) {
		var p assent.Problems
		before, after := map[string]any{}, map[string]any{}
		if upd.Name != nil {
			name := strings.TrimSpace(*upd.Name)
			if name == "" || len(name) > 300 {
				p.Add("name", "must be 1 to 300 characters")
			} else if name != it.Name {
				before["name"], after["name"] = it.Name, name
				it.Name = name
			}
		}
		if err := t.CheckFields(upd.Fields, false); err != nil {
			p = append(p, err.(*assent.Error).Details...)
		}
		merged := make(map[string]any, len(it.Fields)+len(upd.Fields))
		for k, v := range it.Fields {
			merged[k] = v
		}
		var changed []string
		bf, af := map[string]any{}, map[string]any{}
		for k, v := range upd.Fields {
			if f := t.Field(k); f != nil && f.ReadOnly {
				p.Add("fields."+k, "is read-only")
				continue
			}
			old, had := it.Fields[k]
			// Empty to empty is no change: a form that shows "—" sends it back.
			if had && jsonEqual(old, v) || (!had || assent.IsEmptyValue(old)) && assent.IsEmptyValue(v) {
				continue
			}
			bf[k], af[k] = old, v
			changed = append(changed, k)
			if v == nil {
				delete(merged, k)
			} else {
				merged[k] = v
			}
		}
		for _, f := range t.Fields {
			if f.Required && assent.IsEmptyValue(merged[f.ID]) && len(upd.Fields) > 0 {
				if _, touched := upd.Fields[f.ID]; touched {
					p.Add("fields."+f.ID, "is required")
				}
			}
		}
		// When the parent is chosen through a field, the field decides: a
		// new value moves the item, a cleared one detaches it.
		parent := it.Parent
		if t.Parent != nil && t.Parent.Field != "" {
			if _, touched := af[t.Parent.Field]; touched {
				parent = nil
			}
		}
		if err := s.checkValues(ctx, tx, t, it.Template.Version, it.ID, af, &parent, &p); err != nil {
			return "", nil, nil, err
		}
		if err := checkParent(ctx, tx, t, parent, &p); err != nil {
			return "", nil, nil, err
		}
		if !sameParent(parent, it.Parent) {
			before["parent"], after["parent"] = it.Parent, parent
			it.Parent = parent
		}
		if err := p.Err(); err != nil {
			return "", nil, nil, err
		}
		if len(changed) > 0 {
			before["fields"], after["fields"] = bf, af
			it.Fields = merged
			if err := startCurrentStep(ctx, tx, it, t, changed); err != nil {
				return "", nil, nil, err
			}
		}
		if len(after) == 0 {
			return "", nil, nil, nil
		}
		return "item.update", before, after, nil
	})
}

// SetItemStep sets one step's status by the workflow rules.
func (s *ItemService) SetItemStep(ctx context.Context, id, step string, status assent.StepStatus, revision *int64) (*assent.Item, error) {
	return s.changeItem(ctx, id, revision, false, func(tx *Tx, it *assent.Item, t *assent.Template) (string, map[string]any, map[string]any, error) {
		old := it.Workflow.Steps
		guard, err := stepGuard(ctx, tx, it, t)
		if err != nil {
			return "", nil, nil, err
		}
		steps, err := assent.SetStepStatus(t, old, it.Fields, step, status, guard)
		if err != nil {
			return "", nil, nil, err
		}
		before, after := map[string]any{}, map[string]any{}
		for i := range steps {
			if steps[i].Status != old[i].Status {
				before[steps[i].ID], after[steps[i].ID] = old[i].Status, steps[i].Status
			}
		}
		if len(after) == 0 {
			return "", nil, nil, nil
		}
		it.Workflow.Steps = steps
		return "item.workflow", map[string]any{"steps": before}, map[string]any{"steps": after}, nil
	})
}

// startCurrentStep starts the current step when changed holds one of its
// fields, unless the step guard refuses: a locked workflow keeps the edit
// but does not start the step.
func startCurrentStep(ctx context.Context, tx *Tx, it *assent.Item, t *assent.Template, changed []string) error {
	started := assent.StartCurrentStep(t, it.Workflow.Steps, changed)
	if slices.Equal(started, it.Workflow.Steps) {
		return nil
	}
	guard, err := stepGuard(ctx, tx, it, t)
	if err != nil {
		return err
	}
	if guard(assent.CurrentStep(it.Workflow.Steps), assent.StepOngoing) == nil {
		it.Workflow.Steps = started
	}
	return nil
}

// stepGuard holds the rules that can refuse a step change: a step whose
// sign-off is mandatory cannot be finished before its final approval is
// APPROVED, and a locked workflow cannot move past its gating step.
func stepGuard(ctx context.Context, tx *Tx, it *assent.Item, t *assent.Template) (assent.StepGuard, error) {
	states, cycles := map[string]assent.SignoffState{}, map[string]int64{}
	rows, err := tx.QueryContext(ctx, `SELECT step_id, state, cycle FROM signoffs WHERE item_id = $1`, it.ID)
	if err != nil {
		return nil, fmt.Errorf("read sign-offs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var step string
		var state assent.SignoffState
		var cycle int64
		if err := rows.Scan(&step, &state, &cycle); err != nil {
			return nil, fmt.Errorf("read sign-offs: %w", err)
		}
		states[step], cycles[step] = state, cycle
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read sign-offs: %w", err)
	}
	gating, gatingAt := t.GatingStep(), -1
	var lockedBy string
	if gating != "" {
		gatingAt = slices.IndexFunc(t.Steps, func(st assent.StepDef) bool { return st.ID == gating })
		if lockedBy, err = lockingTarget(ctx, tx, it.ID, states[gating], cycles[gating]); err != nil {
			return nil, err
		}
	}
	return func(stepID string, to assent.StepStatus) error {
		at := slices.IndexFunc(t.Steps, func(st assent.StepDef) bool { return st.ID == stepID })
		if lockedBy != "" && at > gatingAt && (to == assent.StepOngoing || to == assent.StepFinished) {
			return assent.Errorf(assent.ECONFLICT, "The workflow is locked: the %s sign-off is %s and the item was deployed to, or checked against, %s, whose policy is PREVENT. Reset the sign-off to unlock it.",
				t.Steps[gatingAt].Name, states[gating], lockedBy)
		}
		if to != assent.StepFinished || at < 0 {
			return nil
		}
		st := t.Steps[at]
		if st.Signoff == nil || !st.Signoff.Mandatory {
			return nil
		}
		state := states[stepID]
		if state == "" {
			state = assent.SignoffNotStarted
		}
		if state != assent.SignoffApproved {
			return assent.Errorf(assent.ECONFLICT, "The sign-off of %s is %s: its final approval must be APPROVED before the step can be finished.", st.Name, state)
		}
		return nil
	}, nil
}

// ArchiveItem archives or restores an item.
func (s *ItemService) ArchiveItem(ctx context.Context, id string, archived bool, revision *int64) (*assent.Item, error) {
	return s.changeItem(ctx, id, revision, true, func(tx *Tx, it *assent.Item, t *assent.Template) (string, map[string]any, map[string]any, error) {
		if it.Archived == archived {
			return "", nil, nil, nil
		}
		it.Archived = archived
		action := "item.restore"
		if archived {
			action = "item.archive"
		}
		return action, map[string]any{"archived": !archived}, map[string]any{"archived": archived}, nil
	})
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

func sameParent(a, b *string) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

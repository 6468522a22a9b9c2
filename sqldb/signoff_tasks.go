package sqldb

import (
	"context"
	"fmt"

	"assent"
)

// FindMyTasks lists the sign-offs waiting for the caller: feedback of a
// group they belong to that they have not given yet, or the approval when
// they are an approver. Members are resolved per sign-off, so it reads
// the waiting sign-offs, newest first, and keeps the caller's.
func (s *SignoffService) FindMyTasks(ctx context.Context) ([]*assent.SignoffTask, error) {
	u, err := assent.RequireRole(ctx, assent.RoleViewer)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT item_id, step_id FROM signoffs
		WHERE state IN ('WAITING_FOR_FEEDBACK', 'WAITING_FOR_APPROVAL') ORDER BY updated_at DESC LIMIT 500`)
	if err != nil {
		return nil, fmt.Errorf("find tasks: %w", err)
	}
	type key struct{ item, step string }
	var keys []key
	for rows.Next() {
		var k key
		if err := rows.Scan(&k.item, &k.step); err != nil {
			rows.Close()
			return nil, fmt.Errorf("find tasks: %w", err)
		}
		keys = append(keys, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find tasks: %w", err)
	}
	out := []*assent.SignoffTask{}
	for _, k := range keys {
		it, err := findItem(ctx, s.db.read, k.item)
		if err != nil || it.Archived {
			continue
		}
		sig, err := s.FindSignoff(ctx, k.item, k.step)
		if err != nil {
			return nil, err
		}
		task := func(role, group string) *assent.SignoffTask {
			t := &assent.SignoffTask{Item: it.ID, ItemName: it.Name, ItemType: it.Type, Step: k.step, StepName: k.step, State: sig.State, Role: role, Group: group, UpdatedAt: sig.UpdatedAt}
			if d, err := s.db.templateDefinition(ctx, s.db.read, it.Template.ID, it.Template.Version); err == nil {
				for _, st := range d.Steps {
					if st.ID == k.step {
						t.StepName = st.Name
					}
				}
			}
			return t
		}
		if sig.State == assent.SignoffWaitingForApproval && sig.IsApprover(u.Username) &&
			!(sig.NoSelfApproval && sig.ApprovalRequestedBy == u.Username) {
			out = append(out, task("approval", ""))
			continue
		}
		for _, g := range sig.ReviewGroups(u.Username) {
			given := false
			for _, f := range sig.Feedback {
				given = given || (f.Group == g && f.Author == u.Username)
			}
			if !given {
				t := task("feedback", g)
				for _, sg := range sig.Groups {
					if sg.ID == g {
						t.GroupName = sg.Name
					}
				}
				out = append(out, t)
				break
			}
		}
	}
	return out, nil
}

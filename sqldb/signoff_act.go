package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	"assent"
)

// Act applies one sign-off action: in one transaction under the
// sign-off's lock it loads the sign-off, resolves its members, checks the
// input, who acts and the state machine, then writes with an update
// guarded on the state and revision it read, and records the event.
func (s *SignoffService) Act(ctx context.Context, itemID, step string, req assent.SignoffActionRequest) (*assent.Signoff, error) {
	u, err := assent.RequireRole(ctx, assent.RoleMember) // viewers read sign-offs; members act on them
	if err != nil {
		return nil, err
	}
	if err := checkActionInput(req); err != nil {
		return nil, err
	}
	var out *assent.Signoff
	err = s.db.inTx(ctx, func(tx *Tx) error {
		if err := tx.lock(ctx, "signoff:"+itemID+":"+step); err != nil {
			return err
		}
		it, err := scanItem(tx.QueryRowContext(ctx, `SELECT `+itemColumns+` FROM items WHERE id = $1`, itemID))
		if errors.Is(err, sql.ErrNoRows) {
			return assent.Errorf(assent.ENOTFOUND, "Item %q not found.", itemID)
		} else if err != nil {
			return fmt.Errorf("find item: %w", err)
		}
		if it.Archived {
			return assent.Errorf(assent.ECONFLICT, "Item %s is archived; its sign-offs cannot change until it is restored.", itemID)
		}
		cfg, err := s.stepConfig(ctx, tx, it, step)
		if err != nil {
			return err
		}
		r, err := scanSignoff(tx.QueryRowContext(ctx, `SELECT `+signoffColumns+` FROM signoffs WHERE item_id = $1 AND step_id = $2`, itemID, step))
		if errors.Is(err, sql.ErrNoRows) { // an item from before sign-offs
			if err := createSignoffs(ctx, tx, it, &assent.Template{Steps: []assent.StepDef{{ID: step, Signoff: cfg}}}); err != nil {
				return err
			}
			r, err = scanSignoff(tx.QueryRowContext(ctx, `SELECT `+signoffColumns+` FROM signoffs WHERE item_id = $1 AND step_id = $2`, itemID, step))
		}
		if err != nil {
			return fmt.Errorf("find sign-off: %w", err)
		}
		if err := s.complete(ctx, tx, newMembers(tx, it), r); err != nil {
			return err
		}
		sig := &r.sig
		if req.Revision != nil && *req.Revision != sig.Revision {
			return assent.Errorf(assent.ESTALE, "The sign-off is at revision %d, not %d: someone acted on it since you read it. Nothing was written; reload and try again.", sig.Revision, *req.Revision)
		}
		next, err := assent.NextSignoffState(sig.State, req.Action, assent.ApprovalStatus(req.Status), sig.StateBeforeAbandon)
		if err != nil {
			return err
		}
		if err := sig.CanAct(u, req.Action, req.Group, req.Feedback); err != nil {
			return err
		}
		statusChanged := true // for the edits: did the verdict change?
		switch req.Action {
		case assent.ActEditFeedback:
			statusChanged = req.Status != "" && req.Status != string(feedbackByID(sig, req.Feedback).Status)
		case assent.ActEditApproval:
			statusChanged = sig.Approval == nil || req.Status != string(sig.Approval.Status)
		}
		if err := s.apply(ctx, tx, it, r, req, next); err != nil {
			return err
		}
		recipients, err := mailRecipients(ctx, tx, it, req, statusChanged)
		if err != nil {
			return err
		}
		if err := s.enqueueMail(ctx, tx, it, step, req, recipients); err != nil {
			return err
		}
		if err := autoSubscribe(ctx, tx, it.ID); err != nil {
			return err
		}
		out = sig
		switch req.Action { // the answer shows the feedback as written
		case assent.ActAddFeedback, assent.ActEditFeedback, assent.ActDeleteFeedback, assent.ActReset:
			sig.Feedback, err = findFeedback(ctx, tx, sig.Item, sig.Step, sig.Cycle)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	// The answer leaves out the earlier cycles (nil): they grow with every
	// reset and no action changes them; reading the sign-off gives them.
	out.History = nil
	return out, nil
}

// checkActionInput checks what needs no database.
func checkActionInput(req assent.SignoffActionRequest) error {
	var p assent.Problems
	if req.Comment != nil {
		if err := assent.CheckComment(*req.Comment); err != nil {
			p.Add("comment", "%s", err.(*assent.Error).Details[0].Message)
		}
	}
	switch req.Action {
	case assent.ActAddFeedback:
		if err := assent.CheckFeedbackStatus(req.Status); err != nil {
			p.Add("status", "must be APPROVED, MINOR_ISSUE or MAJOR_ISSUE")
		}
		if req.Group == "" {
			p.Add("group", "names the feedback group you review for")
		}
	case assent.ActEditFeedback:
		if req.Status != "" && assent.CheckFeedbackStatus(req.Status) != nil {
			p.Add("status", "must be APPROVED, MINOR_ISSUE or MAJOR_ISSUE")
		}
	case assent.ActApprove, assent.ActEditApproval:
		if req.Status != string(assent.ApprovalApproved) && req.Status != string(assent.ApprovalRejected) {
			p.Add("status", "must be APPROVED or REJECTED")
		}
	case assent.ActDelegate:
		if req.Group == "" {
			p.Add("group", "names the feedback group, or \"approval\", to delegate")
		}
		if req.To == "" {
			p.Add("to", "names the user who acts instead")
		}
	}
	return p.Err()
}

// apply writes the action's effect and its event.
func (s *SignoffService) apply(ctx context.Context, tx *Tx, it *assent.Item, r *signoffRow, req assent.SignoffActionRequest, next assent.SignoffState) error {
	sig := &r.sig
	before := map[string]any{"state": sig.State}
	after := map[string]any{"state": next}
	comment := ""
	if req.Comment != nil {
		comment = *req.Comment
	}
	switch req.Action {
	case assent.ActRequestFeedback, assent.ActRequestApproval:
		if err := checkNotify(sig, req.Notify); err != nil {
			return err
		}
		sig.Notified = append([]string{}, req.Notify...)
		if req.Action == assent.ActRequestFeedback {
			sig.FeedbackRequestedBy = tx.actor
		} else {
			sig.ApprovalRequestedBy = tx.actor
		}
		after["notify"] = sig.Notified
	case assent.ActAddFeedback:
		f := assent.Feedback{ID: sortableID("fb_", tx.now), Group: req.Group, Author: tx.actor, Status: assent.FeedbackStatus(req.Status), Comment: comment}
		_, err := tx.ExecContext(ctx, `INSERT INTO signoff_feedback (id, item_id, step_id, cycle, group_id, author, status, comment, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`, f.ID, sig.Item, sig.Step, sig.Cycle, f.Group, f.Author, f.Status, f.Comment, ms(tx.now))
		if isUniqueViolation(err) {
			return assent.Errorf(assent.ECONFLICT, "You have already given feedback for this group in this cycle; edit it instead.")
		} else if err != nil {
			return fmt.Errorf("add feedback: %w", err)
		}
		after["feedback"] = f
	case assent.ActEditFeedback:
		old := feedbackByID(sig, req.Feedback)
		status, text := old.Status, old.Comment
		if req.Status != "" {
			status = assent.FeedbackStatus(req.Status)
		}
		if req.Comment != nil {
			text = comment
		}
		if _, err := tx.ExecContext(ctx, `UPDATE signoff_feedback SET status = $1, comment = $2, updated_at = $3 WHERE id = $4`, status, text, ms(tx.now), old.ID); err != nil {
			return fmt.Errorf("edit feedback: %w", err)
		}
		before["feedback"] = old
		after["feedback"] = map[string]any{"id": old.ID, "status": status, "comment": text}
	case assent.ActDeleteFeedback:
		old := feedbackByID(sig, req.Feedback)
		if _, err := tx.ExecContext(ctx, `DELETE FROM signoff_feedback WHERE id = $1`, old.ID); err != nil {
			return fmt.Errorf("delete feedback: %w", err)
		}
		before["feedback"] = old
	case assent.ActApprove, assent.ActEditApproval:
		before["approval"] = sig.Approval
		sig.Approval = &assent.Approval{Author: tx.actor, Status: assent.ApprovalStatus(req.Status), Comment: comment, Time: tx.now}
		after["approval"] = sig.Approval
	case assent.ActDeleteApproval:
		before["approval"] = sig.Approval
		sig.Approval = nil
	case assent.ActAbandon:
		sig.StateBeforeAbandon = sig.State
	case assent.ActCancelAbandon:
		sig.StateBeforeAbandon = ""
	case assent.ActReset:
		var approval any
		if sig.Approval != nil {
			b, _ := json.Marshal(sig.Approval)
			approval = string(b)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO signoff_cycles (item_id, step_id, cycle, state, approval, reset_by, reset_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			sig.Item, sig.Step, sig.Cycle, sig.State, approval, tx.actor, ms(tx.now)); err != nil {
			return fmt.Errorf("close sign-off cycle: %w", err)
		}
		sig.Cycle++
		sig.Approval, sig.FeedbackRequestedBy, sig.ApprovalRequestedBy, sig.StateBeforeAbandon = nil, "", "", ""
		sig.Notified, sig.Delegates = []string{}, map[string]string{}
		if req.ReloadConfig {
			if err := s.reloadConfig(ctx, tx, it, r); err != nil {
				return err
			}
		}
		after["cycle"], after["reload_config"] = sig.Cycle, req.ReloadConfig
	case assent.ActDelegate:
		var disabled bool
		if err := tx.QueryRowContext(ctx, `SELECT disabled FROM users WHERE username = $1`, req.To).Scan(&disabled); err != nil || disabled {
			return assent.Invalid("to", "no enabled user %q", req.To)
		}
		before["delegates"] = maps.Clone(sig.Delegates)
		sig.Delegates[req.Group] = req.To
		after["delegates"] = sig.Delegates
	}
	return s.write(ctx, tx, r, next, string(req.Action), before, after)
}

// write stores the sign-off with an update guarded on the state and
// revision read; losing a race is a conflict, never an overwrite.
func (s *SignoffService) write(ctx context.Context, tx *Tx, r *signoffRow, next assent.SignoffState, action string, before, after map[string]any) error {
	sig := &r.sig
	cfg, _ := json.Marshal(r.config)
	notified, _ := json.Marshal(sig.Notified)
	delegates, _ := json.Marshal(sig.Delegates)
	var approval any
	if sig.Approval != nil {
		b, _ := json.Marshal(sig.Approval)
		approval = string(b)
	}
	res, err := tx.ExecContext(ctx, `UPDATE signoffs SET state = $1, cycle = $2, revision = revision + 1, config = $3, feedback_requested_by = $4,
		approval_requested_by = $5, notified = $6, approval = $7, delegates = $8, state_before_abandon = $9, updated_at = $10
		WHERE item_id = $11 AND step_id = $12 AND state = $13 AND revision = $14`,
		next, sig.Cycle, string(cfg), sig.FeedbackRequestedBy, sig.ApprovalRequestedBy, string(notified), approval, string(delegates),
		string(sig.StateBeforeAbandon), ms(tx.now), sig.Item, sig.Step, sig.State, sig.Revision)
	if err != nil {
		return fmt.Errorf("write sign-off: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return assent.Errorf(assent.ECONFLICT, "The sign-off changed at the same moment; nothing was written. Reload and try again.")
	}
	after["step"] = sig.Step
	tx.record("item", sig.Item, "signoff."+action, before, after)
	sig.State, sig.UpdatedAt = next, tx.now
	sig.Revision++
	return nil
}

// checkNotify requires everyone notified to be a resolved reviewer or approver.
func checkNotify(sig *assent.Signoff, notify []string) error {
	var p assent.Problems
	for i, u := range notify {
		ok := slices.Contains(sig.Approvers, u)
		for _, g := range sig.Groups {
			ok = ok || slices.Contains(g.Members, u)
		}
		if !ok {
			p.Add(fmt.Sprintf("notify[%d]", i), "%q is not a reviewer or approver of this sign-off", u)
		}
	}
	return p.Err()
}

func feedbackByID(sig *assent.Signoff, id string) assent.Feedback {
	for _, f := range sig.Feedback {
		if f.ID == id {
			return f
		}
	}
	return assent.Feedback{} // CanAct has checked it exists
}

// reloadConfig copies the step's configuration from the item's template
// version again.
func (s *SignoffService) reloadConfig(ctx context.Context, tx *Tx, it *assent.Item, r *signoffRow) error {
	cfg, err := s.stepConfig(ctx, tx, it, r.sig.Step)
	if err != nil {
		return err
	}
	r.config = *cfg
	return s.complete(ctx, tx, newMembers(tx, it), r)
}

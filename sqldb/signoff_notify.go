package sqldb

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"assent"
)

// signoffSummaries say what each action did, for the mail's subject.
var signoffSummaries = map[assent.SignoffAction]string{
	assent.ActRequestFeedback: "%s asks for your feedback",
	assent.ActRequestApproval: "%s asks for your final approval",
	assent.ActAddFeedback:     "%s gave feedback",
	assent.ActEditFeedback:    "%s changed their feedback",
	assent.ActDeleteFeedback:  "%s deleted their feedback",
	assent.ActApprove:         "%s gave the final approval",
	assent.ActEditApproval:    "%s changed the final approval",
	assent.ActDeleteApproval:  "%s deleted the final approval",
	assent.ActAbandon:         "%s abandoned the sign-off",
	assent.ActCancelAbandon:   "%s cancelled the abandon",
	assent.ActReset:           "%s reset the sign-off",
	assent.ActDelegate:        "%s delegated to you",
}

// mailRecipients says who hears of an action: the users chosen when
// requesting (nobody when none was chosen), the delegate, or else the
// item's subscribers but the actor. A feedback edit that keeps its status
// tells nobody.
func mailRecipients(ctx context.Context, tx *Tx, it *assent.Item, req assent.SignoffActionRequest, statusChanged bool) ([]string, error) {
	switch req.Action {
	case assent.ActRequestFeedback, assent.ActRequestApproval:
		return req.Notify, nil
	case assent.ActDelegate:
		return []string{req.To}, nil
	case assent.ActBackToFeedback:
		return nil, nil
	case assent.ActEditFeedback, assent.ActEditApproval:
		if !statusChanged {
			return nil, nil
		}
	}
	subs, err := subscribers(ctx, tx, it)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(subs, func(u string) bool { return u == tx.actor }), nil
}

// enqueueMail writes one outbox row per recipient with an address, in
// the transaction of the action.
func (s *SignoffService) enqueueMail(ctx context.Context, tx *Tx, it *assent.Item, step string, req assent.SignoffActionRequest, recipients []string) error {
	if len(recipients) == 0 {
		return nil
	}
	stepName := step
	if t, err := s.db.templateDefinition(ctx, tx, it.Template.ID, it.Template.Version); err == nil {
		for _, st := range t.Steps {
			if st.ID == step {
				stepName = st.Name
			}
		}
	}
	comment := ""
	if req.Comment != nil {
		comment = *req.Comment
	}
	base := strings.TrimRight(s.db.ExternalURL, "/")
	for _, name := range recipients {
		var email, display string
		var disabled bool
		err := tx.QueryRowContext(ctx, `SELECT email, display_name, disabled FROM users WHERE username = $1`, name).Scan(&email, &display, &disabled)
		if err != nil || disabled || email == "" {
			continue // nobody to write to
		}
		if display == "" {
			display = name
		}
		m := assent.EmailMessage{To: email, ToName: display, Action: "signoff." + string(req.Action), Actor: tx.actor,
			Summary: fmt.Sprintf(signoffSummaries[req.Action], tx.actor), ItemID: it.ID, ItemName: it.Name, Step: step, StepName: stepName,
			Comment: comment, Link: base + "/items/" + it.ID + "?step=" + step + "#signoff", Unsubscribe: base + "/items/" + it.ID + "/unsubscribe"}
		payload, _ := json.Marshal(m)
		if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (id, kind, target, event_type, payload, status, next_attempt_at, created_at)
			VALUES ($1, 'email', $2, $3, $4, 'pending', $5, $5)`, sortableID("msg_", tx.now), email, m.Action, string(payload), ms(tx.now)); err != nil {
			return fmt.Errorf("enqueue mail: %w", err)
		}
	}
	return nil
}

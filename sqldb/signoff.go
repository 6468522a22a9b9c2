package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"assent"
)

// SignoffService implements assent.SignoffService.
type SignoffService struct{ db *DB }

// NewSignoffService returns the sign-off service of db.
func NewSignoffService(db *DB) *SignoffService { return &SignoffService{db: db} }

var _ assent.SignoffService = (*SignoffService)(nil)

// signoffRow is a stored sign-off before its members are resolved.
type signoffRow struct {
	sig    assent.Signoff
	config assent.SignoffConfig
}

const signoffColumns = `item_id, step_id, state, cycle, revision, config, feedback_requested_by, approval_requested_by,
	notified, approval, delegates, state_before_abandon, updated_at`

func scanSignoff(row interface{ Scan(...any) error }) (*signoffRow, error) {
	r := &signoffRow{}
	s := &r.sig
	var config, notified, delegates string
	var approval sql.NullString
	var before string
	var updated int64
	if err := row.Scan(&s.Item, &s.Step, &s.State, &s.Cycle, &s.Revision, &config, &s.FeedbackRequestedBy, &s.ApprovalRequestedBy,
		&notified, &approval, &delegates, &before, &updated); err != nil {
		return nil, err
	}
	s.StateBeforeAbandon = assent.SignoffState(before)
	s.UpdatedAt = fromMS(updated)
	for _, part := range []struct {
		text string
		into any
	}{{config, &r.config}, {notified, &s.Notified}, {delegates, &s.Delegates}} {
		if err := json.Unmarshal([]byte(part.text), part.into); err != nil {
			return nil, fmt.Errorf("sign-off %s/%s: %w", s.Item, s.Step, err)
		}
	}
	if approval.Valid {
		s.Approval = &assent.Approval{}
		if err := json.Unmarshal([]byte(approval.String), s.Approval); err != nil {
			return nil, fmt.Errorf("sign-off %s/%s approval: %w", s.Item, s.Step, err)
		}
	}
	return r, nil
}

// newSignoffRow is a sign-off that has not started, with the step's configuration.
func newSignoffRow(item, step string, config *assent.SignoffConfig) *signoffRow {
	return &signoffRow{config: *config, sig: assent.Signoff{Item: item, Step: step, State: assent.SignoffNotStarted, Cycle: 1,
		Notified: []string{}, Delegates: map[string]string{}}}
}

// createSignoffs creates the missing sign-offs of an item's steps, with
// the configuration of its template version.
func createSignoffs(ctx context.Context, tx *Tx, it *assent.Item, t *assent.Template) error {
	for _, st := range t.Steps {
		if st.Signoff == nil {
			continue
		}
		cfg, _ := json.Marshal(st.Signoff)
		_, err := tx.ExecContext(ctx, `INSERT INTO signoffs (item_id, step_id, state, cycle, revision, config, gating, updated_at)
			VALUES ($1, $2, 'NOT_STARTED', 1, 1, $3, $4, $5) ON CONFLICT (item_id, step_id) DO NOTHING`, it.ID, st.ID, string(cfg), st.Signoff.GatesDeployment, ms(tx.now))
		if err != nil {
			return fmt.Errorf("create sign-off: %w", err)
		}
	}
	return nil
}

// FindSignoffs returns an item's sign-offs in step order.
func (s *SignoffService) FindSignoffs(ctx context.Context, itemID string) ([]*assent.Signoff, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleViewer); err != nil {
		return nil, err
	}
	it, err := findItem(ctx, s.db.read, itemID)
	if err != nil {
		return nil, err
	}
	t, err := s.db.templateDefinition(ctx, s.db.read, it.Template.ID, it.Template.Version)
	if err != nil {
		return nil, err
	}
	m := newMembers(s.db.read, it)
	out := []*assent.Signoff{}
	for _, st := range t.Steps {
		if st.Signoff == nil {
			continue
		}
		sig, err := s.load(ctx, s.db.read, m, it, st.ID, st.Signoff)
		if err != nil {
			return nil, err
		}
		out = append(out, sig)
	}
	return out, nil
}

// FindSignoff returns one sign-off with its members resolved.
func (s *SignoffService) FindSignoff(ctx context.Context, itemID, step string) (*assent.Signoff, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleViewer); err != nil {
		return nil, err
	}
	it, err := findItem(ctx, s.db.read, itemID)
	if err != nil {
		return nil, err
	}
	cfg, err := s.stepConfig(ctx, s.db.read, it, step)
	if err != nil {
		return nil, err
	}
	return s.load(ctx, s.db.read, newMembers(s.db.read, it), it, step, cfg)
}

// stepConfig is the template's sign-off configuration of a step. ENOTFOUND
// when the step has none.
func (s *SignoffService) stepConfig(ctx context.Context, q queryer, it *assent.Item, step string) (*assent.SignoffConfig, error) {
	t, err := s.db.templateDefinition(ctx, q, it.Template.ID, it.Template.Version)
	if err != nil {
		return nil, err
	}
	for _, st := range t.Steps {
		if st.ID == step && st.Signoff != nil {
			return st.Signoff, nil
		}
	}
	return nil, assent.Errorf(assent.ENOTFOUND, "Step %q of item %s has no sign-off.", step, it.ID)
}

// load reads a sign-off, a not-started one when none is stored yet (items
// from before sign-offs, steps added by a migration), with its members
// and the feedback of its current cycle.
func (s *SignoffService) load(ctx context.Context, q rowsQueryer, m *members, it *assent.Item, step string, cfg *assent.SignoffConfig) (*assent.Signoff, error) {
	r, err := scanSignoff(q.QueryRowContext(ctx, `SELECT `+signoffColumns+` FROM signoffs WHERE item_id = $1 AND step_id = $2`, it.ID, step))
	if errors.Is(err, sql.ErrNoRows) {
		r = newSignoffRow(it.ID, step, cfg)
	} else if err != nil {
		return nil, fmt.Errorf("find sign-off: %w", err)
	}
	if err := s.complete(ctx, q, m, r); err != nil {
		return nil, err
	}
	if r.sig.History, err = findHistory(ctx, q, it.ID, step); err != nil {
		return nil, err
	}
	return &r.sig, nil
}

// findHistory reads the cycles a reset closed, newest first, with their feedback.
func findHistory(ctx context.Context, q rowsQueryer, item, step string) ([]assent.SignoffCycle, error) {
	rows, err := q.QueryContext(ctx, `SELECT cycle, state, approval, reset_by, reset_at FROM signoff_cycles
		WHERE item_id = $1 AND step_id = $2 ORDER BY cycle DESC`, item, step)
	if err != nil {
		return nil, fmt.Errorf("find sign-off history: %w", err)
	}
	out := []assent.SignoffCycle{}
	for rows.Next() {
		var c assent.SignoffCycle
		var approval sql.NullString
		var at int64
		if err := rows.Scan(&c.Cycle, &c.State, &approval, &c.ResetBy, &at); err != nil {
			rows.Close()
			return nil, fmt.Errorf("find sign-off history: %w", err)
		}
		c.ResetAt = fromMS(at)
		if approval.Valid {
			c.Approval = &assent.Approval{}
			if err := json.Unmarshal([]byte(approval.String), c.Approval); err != nil {
				rows.Close()
				return nil, fmt.Errorf("sign-off history: %w", err)
			}
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find sign-off history: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	// The earlier cycles' feedback in one query.
	feedback, err := findFeedbackBefore(ctx, q, item, step, out[0].Cycle+1)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Feedback = feedback[out[i].Cycle]
		if out[i].Feedback == nil {
			out[i].Feedback = []assent.Feedback{}
		}
	}
	return out, nil
}

// complete resolves the members and reads the current cycle's feedback.
func (s *SignoffService) complete(ctx context.Context, q rowsQueryer, m *members, r *signoffRow) error {
	sig := &r.sig
	sig.Mandatory, sig.NoSelfApproval, sig.GatesDeployment = r.config.Mandatory, r.config.NoSelfApproval, r.config.GatesDeployment
	sig.Groups = make([]assent.SignoffGroup, 0, len(r.config.FeedbackGroups))
	for _, g := range r.config.FeedbackGroups {
		names, err := m.resolve(ctx, g.Members)
		if err != nil {
			return err
		}
		sig.Groups = append(sig.Groups, assent.SignoffGroup{ID: g.ID, Name: g.Name, Members: names})
	}
	var err error
	if sig.Approvers, err = m.resolve(ctx, r.config.Approvers); err != nil {
		return err
	}
	sig.Feedback, err = findFeedback(ctx, q, sig.Item, sig.Step, sig.Cycle)
	return err
}

func findFeedback(ctx context.Context, q rowsQueryer, item, step string, cycle int) ([]assent.Feedback, error) {
	byCycle, err := queryFeedback(ctx, q, `cycle = $3`, item, step, cycle)
	if err != nil {
		return nil, err
	}
	if byCycle[cycle] == nil {
		return []assent.Feedback{}, nil
	}
	return byCycle[cycle], nil
}

// findFeedbackBefore reads the feedback of the cycles before cycle, by cycle.
func findFeedbackBefore(ctx context.Context, q rowsQueryer, item, step string, cycle int) (map[int][]assent.Feedback, error) {
	return queryFeedback(ctx, q, `cycle < $3`, item, step, cycle)
}

func queryFeedback(ctx context.Context, q rowsQueryer, cond, item, step string, cycle int) (map[int][]assent.Feedback, error) {
	rows, err := q.QueryContext(ctx, `SELECT cycle, id, group_id, author, status, comment, created_at, updated_at FROM signoff_feedback
		WHERE item_id = $1 AND step_id = $2 AND `+cond+` ORDER BY created_at, id`, item, step, cycle)
	if err != nil {
		return nil, fmt.Errorf("find feedback: %w", err)
	}
	defer rows.Close()
	out := map[int][]assent.Feedback{}
	for rows.Next() {
		var f assent.Feedback
		var c int
		var created, updated int64
		if err := rows.Scan(&c, &f.ID, &f.Group, &f.Author, &f.Status, &f.Comment, &created, &updated); err != nil {
			return nil, fmt.Errorf("find feedback: %w", err)
		}
		f.Time, f.UpdatedAt = fromMS(created), fromMS(updated)
		out[c] = append(out[c], f)
	}
	return out, rows.Err()
}

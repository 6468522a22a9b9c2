package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"assent"
)

// CheckDeployment answers whether an item may deploy to a target, and
// records the check: an event, and the item's latest check on the target.
func (s *DeploymentService) CheckDeployment(ctx context.Context, req assent.DeploymentCheckRequest) (*assent.DeploymentCheck, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleViewer); err != nil {
		return nil, err
	}
	var p assent.Problems
	if req.Target == "" {
		p.Add("target", "is required")
	}
	switch {
	case req.Item == "" && (req.Source == "" || req.Key == ""):
		p.Add("item", "is required, or source and key")
	case req.Item != "" && (req.Source != "" || req.Key != ""):
		p.Add("item", "give the item, or its source and key, not both")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	// Reads go to the read pool; only the record waits for the writer,
	// and concurrent checks share its transactions.
	target, err := s.targets.find(ctx, s.db, req.Target)
	if err != nil {
		return nil, err
	}
	g, gate, cycle, err := s.readCheckSubject(ctx, req)
	if err != nil {
		return nil, err
	}
	now := s.db.Now().UTC().Truncate(time.Millisecond)
	check := &assent.DeploymentCheck{Target: target.Name, Stage: target.Stage, Policy: target.Policy, Item: g.id,
		GovernedItem: g.governed, SignoffState: string(gate.State), Time: now}
	check.Decision, check.Locked, check.Reasons = assent.DecideDeployment(target, gate)
	if !check.Locked && gate.Governed && assent.LockedState(gate.State) {
		// Locked already, by a deployment or an earlier check elsewhere.
		by, err := lockingTarget(ctx, s.db.read, *g.governed, gate.State, cycle)
		if err != nil {
			return nil, err
		}
		if by != "" {
			check.Locked = true
			check.Reasons = append(check.Reasons, assent.CheckReason{Severity: assent.SeverityError, Code: "WORKFLOW_LOCKED",
				Message: fmt.Sprintf("The workflow is locked after the %s step until its sign-off is reset (by target %s).", gate.GatingStep, by)})
		}
	}
	actor := "anonymous"
	if u := assent.UserFromContext(ctx); u != nil {
		actor = u.Username
	}
	rec := &checkRecord{item: g.id, target: target.Name, decision: check.Decision, policy: target.Policy, state: check.SignoffState, cycle: cycle,
		event: &assent.Event{Time: now, Actor: actor, RequestID: assent.RequestIDFromContext(ctx), ObjectType: "governable", ObjectID: g.id,
			Action: "deployment.check", After: mustJSON(map[string]any{"target": target.Name, "policy": target.Policy, "decision": check.Decision,
				"signoff_state": check.SignoffState, "locked": check.Locked})}}
	if err := s.recorder.record(ctx, s.db, rec); err != nil {
		return nil, err
	}
	return check, nil
}

// checkSubjectQuery reads what a check needs of an item in one statement:
// the item, its governed item and that one's gating sign-off.
const checkSubjectQuery = `SELECT g.id, g.kind, g.governed_item_id, i.template_id, i.template_version, i.archived, s.step_id, s.state, s.cycle
	FROM governable_items g
	LEFT JOIN items i ON i.id = g.governed_item_id
	LEFT JOIN signoffs s ON s.item_id = i.id AND s.gating
	WHERE `

// readCheckSubject reads the item of a check and its governance, with a
// statement prepared once: checks come by the thousand.
func (s *DeploymentService) readCheckSubject(ctx context.Context, req assent.DeploymentCheckRequest) (*checkItem, assent.GateState, int64, error) {
	var gate assent.GateState
	q, args := checkSubjectQuery+`g.id = $1`, []any{req.Item}
	if req.Item == "" {
		q, args = checkSubjectQuery+`g.source_id = $1 AND g.key = $2`, []any{req.Source, req.Key}
	}
	st, err := s.db.readStmt(ctx, q)
	if err != nil {
		return nil, gate, 0, err
	}
	var g checkItem
	var kind string
	var governed, templateID, step, state sql.NullString
	var version, cycle sql.NullInt64
	var archived sql.NullBool
	err = st.QueryRowContext(ctx, args...).Scan(&g.id, &kind, &governed, &templateID, &version, &archived, &step, &state, &cycle)
	switch {
	case errors.Is(err, sql.ErrNoRows) && req.Item != "":
		return nil, gate, 0, assent.Errorf(assent.ENOTFOUND, "No governable item %q.", req.Item)
	case errors.Is(err, sql.ErrNoRows):
		return nil, gate, 0, assent.Errorf(assent.ENOTFOUND, "Source %s has no item with key %q.", req.Source, req.Key)
	case err != nil:
		return nil, gate, 0, fmt.Errorf("read governable item: %w", err)
	case kind != assent.KindModelVersion && kind != assent.KindBundle:
		return nil, gate, 0, assent.Invalid("item", "is a %s; deployment checks are for model versions and bundles", kind)
	}
	g.governed = nullString(governed)
	if g.governed == nil || !templateID.Valid {
		return &g, gate, 0, nil
	}
	gate, c, err := s.db.gateFrom(ctx, templateID.String, int(version.Int64), archived.Bool, step, state, cycle)
	return &g, gate, c, err
}

// gateFrom completes what a check knows of a governed item from its
// template (which step gates deployment, and its name) and the row of its
// gating sign-off (step, state and cycle; NULL when it has none yet).
func (db *DB) gateFrom(ctx context.Context, templateID string, version int, archived bool, step, state sql.NullString, cycle sql.NullInt64) (assent.GateState, int64, error) {
	gate := assent.GateState{Governed: true, Archived: archived}
	t, err := db.templateDefinition(ctx, db.read, templateID, version)
	if err != nil {
		return gate, 0, err
	}
	gating := t.GatingStep()
	if gating == "" {
		return gate, 0, nil
	}
	for _, st := range t.Steps {
		if st.ID == gating {
			gate.GatingStep = st.Name
		}
	}
	gate.State = assent.SignoffNotStarted // an item older than sign-offs has no row yet
	if step.String != gating || !state.Valid {
		return gate, 0, nil
	}
	gate.State = assent.SignoffState(state.String)
	return gate, cycle.Int64, nil
}

type checkItem struct {
	id       string
	governed *string
}

// gateState reads what a check needs of a governed item: whether it is
// archived, its gating step and that step's sign-off state and cycle.
func gateState(ctx context.Context, db *DB, q queryer, governed *string) (assent.GateState, int64, error) {
	if governed == nil {
		return assent.GateState{}, 0, nil
	}
	var templateID string
	var version int
	var archived bool
	var step, state sql.NullString
	var cycle sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT i.template_id, i.template_version, i.archived, s.step_id, s.state, s.cycle
		FROM items i LEFT JOIN signoffs s ON s.item_id = i.id AND s.gating WHERE i.id = $1`, *governed).Scan(&templateID, &version, &archived, &step, &state, &cycle)
	if err != nil {
		return assent.GateState{}, 0, fmt.Errorf("read governed item: %w", err)
	}
	return db.gateFrom(ctx, templateID, version, archived, step, state, cycle)
}

package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"assent"
)

// lockingTarget says why a governed item's workflow is locked: the name of
// a target, PREVENT now, that one of its source objects is deployed to
// (its latest deployed or undeployed record says deployed; a failed
// deployment leaves the one before in place) or was checked against in the
// gating sign-off's current cycle; "" when it is not locked. state and
// cycle are the gating sign-off's: only REJECTED and ABANDONED lock.
func lockingTarget(ctx context.Context, q queryer, item string, state assent.SignoffState, cycle int64) (string, error) {
	if !assent.LockedState(state) {
		return "", nil
	}
	var target string
	err := q.QueryRowContext(ctx, `SELECT t.name FROM governable_items g
		JOIN deployments d ON d.item_id = g.id AND d.status = 'deployed'
		JOIN deployment_targets t ON t.name = d.target AND t.policy = 'PREVENT'
		WHERE g.governed_item_id = $1
		  AND NOT EXISTS (SELECT 1 FROM deployments n WHERE n.item_id = d.item_id AND n.target = d.target
		                  AND n.status = 'undeployed' AND n.time > d.time)
		UNION ALL
		SELECT t.name FROM governable_items g
		JOIN deployment_checks c ON c.item_id = g.id AND c.cycle = $2
		JOIN deployment_targets t ON t.name = c.target AND t.policy = 'PREVENT'
		WHERE g.governed_item_id = $1
		LIMIT 1`, item, cycle).Scan(&target)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	} else if err != nil {
		return "", fmt.Errorf("read workflow lock: %w", err)
	}
	return target, nil
}

// FindWorkflowLock names the target that locks a governed item's workflow.
func (s *DeploymentService) FindWorkflowLock(ctx context.Context, item string) (string, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleViewer); err != nil {
		return "", err
	}
	gate, cycle, err := gateState(ctx, s.db, s.db.read, &item)
	if errors.Is(err, sql.ErrNoRows) {
		return "", assent.Errorf(assent.ENOTFOUND, "No item %q.", item)
	} else if err != nil || gate.GatingStep == "" {
		return "", err
	}
	return lockingTarget(ctx, s.db.read, item, gate.State, cycle)
}

// FindTargetStatuses says where an item stands on each target it was
// deployed to or checked against.
func (s *DeploymentService) FindTargetStatuses(ctx context.Context, item string) ([]*assent.TargetStatus, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleViewer); err != nil {
		return nil, err
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+prefixed("t.", targetColumns)+`,
		(SELECT count(*) FROM deployments d WHERE d.item_id = $1 AND d.target = t.name),
		c.decision, c.policy, c.signoff_state, c.time, c.actor
		FROM deployment_targets t LEFT JOIN deployment_checks c ON c.item_id = $1 AND c.target = t.name
		WHERE c.item_id IS NOT NULL OR EXISTS (SELECT 1 FROM deployments d WHERE d.item_id = $1 AND d.target = t.name)
		ORDER BY t.name`, item)
	if err != nil {
		return nil, fmt.Errorf("read target statuses: %w", err)
	}
	defer rows.Close()
	out := []*assent.TargetStatus{}
	for rows.Next() {
		var st assent.TargetStatus
		var created, updated int64
		var decision, policy, state, actor sql.NullString
		var checked sql.NullInt64
		t := &st.Target
		if err := rows.Scan(&t.Name, &t.Stage, &t.Policy, &t.Description, &created, &updated, &t.UpdatedBy, &st.Count,
			&decision, &policy, &state, &checked, &actor); err != nil {
			return nil, fmt.Errorf("read target statuses: %w", err)
		}
		t.CreatedAt, t.UpdatedAt = fromMS(created), fromMS(updated)
		if decision.Valid {
			st.LastCheck = &assent.CheckRecord{Decision: decision.String, Policy: policy.String, SignoffState: state.String, Time: fromMS(checked.Int64), Actor: actor.String}
		}
		out = append(out, &st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read target statuses: %w", err)
	}
	for _, st := range out {
		d, err := scanDeployment(s.db.read.QueryRowContext(ctx, `SELECT `+deploymentColumns+` FROM deployments WHERE item_id = $1 AND target = $2 ORDER BY time DESC, id DESC LIMIT 1`,
			item, st.Target.Name))
		if err == nil {
			st.Latest = d
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("read latest deployment: %w", err)
		}
	}
	return out, nil
}

// prefixed qualifies each column of a comma-separated list with prefix.
func prefixed(prefix, columns string) string {
	parts := strings.Split(columns, ",")
	for i, c := range parts {
		parts[i] = prefix + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

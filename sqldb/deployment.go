package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"assent"
)

// DeploymentService implements assent.DeploymentService.
type DeploymentService struct {
	db       *DB
	recorder checkRecorder
	targets  targetCache
}

// NewDeploymentService returns the deployment service of db.
func NewDeploymentService(db *DB) *DeploymentService { return &DeploymentService{db: db} }

var _ assent.DeploymentService = (*DeploymentService)(nil)

const targetColumns = `name, stage, policy, description, created_at, updated_at, updated_by`

func scanTarget(row interface{ Scan(...any) error }) (*assent.DeploymentTarget, error) {
	var t assent.DeploymentTarget
	var created, updated int64
	if err := row.Scan(&t.Name, &t.Stage, &t.Policy, &t.Description, &created, &updated, &t.UpdatedBy); err != nil {
		return nil, err
	}
	t.CreatedAt, t.UpdatedAt = fromMS(created), fromMS(updated)
	return &t, nil
}

func findTarget(ctx context.Context, q queryer, name string) (*assent.DeploymentTarget, error) {
	t, err := scanTarget(q.QueryRowContext(ctx, `SELECT `+targetColumns+` FROM deployment_targets WHERE name = $1`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, assent.Errorf(assent.ENOTFOUND, "No deployment target %q.", name)
	} else if err != nil {
		return nil, fmt.Errorf("read deployment target: %w", err)
	}
	return t, nil
}

// PutTarget creates or replaces a target.
func (s *DeploymentService) PutTarget(ctx context.Context, name string, u assent.DeploymentTargetUpdate) (*assent.DeploymentTarget, bool, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleAdmin); err != nil {
		return nil, false, err
	}
	if err := u.Validate(name); err != nil {
		return nil, false, err
	}
	var t *assent.DeploymentTarget
	var created bool
	err := s.db.inTx(ctx, func(tx *Tx) error {
		old, err := findTarget(ctx, tx, name)
		if assent.ErrorCode(err) == assent.ENOTFOUND {
			created = true
			t = &assent.DeploymentTarget{Name: name, Stage: u.Stage, Policy: u.Policy, Description: u.Description, CreatedAt: tx.now, UpdatedAt: tx.now, UpdatedBy: tx.actor}
			if _, err := tx.ExecContext(ctx, `INSERT INTO deployment_targets (`+targetColumns+`) VALUES ($1, $2, $3, $4, $5, $5, $6)`,
				name, u.Stage, u.Policy, u.Description, ms(tx.now), tx.actor); err != nil {
				return fmt.Errorf("insert deployment target: %w", err)
			}
			tx.record("deployment_target", name, "deployment_target.create", nil, u)
			return nil
		} else if err != nil {
			return err
		}
		t = old
		before, after := map[string]any{}, map[string]any{}
		for _, f := range []struct{ name, was, now string }{{"stage", old.Stage, u.Stage}, {"policy", old.Policy, u.Policy}, {"description", old.Description, u.Description}} {
			if f.was != f.now {
				before[f.name], after[f.name] = f.was, f.now
			}
		}
		if len(after) == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE deployment_targets SET stage = $1, policy = $2, description = $3, updated_at = $4, updated_by = $5 WHERE name = $6`,
			u.Stage, u.Policy, u.Description, ms(tx.now), tx.actor, name); err != nil {
			return fmt.Errorf("update deployment target: %w", err)
		}
		t.Stage, t.Policy, t.Description, t.UpdatedAt, t.UpdatedBy = u.Stage, u.Policy, u.Description, tx.now, tx.actor
		tx.record("deployment_target", name, "deployment_target.update", before, after)
		return nil
	})
	s.targets.forget()
	return t, created, err
}

// FindTarget reads one target.
func (s *DeploymentService) FindTarget(ctx context.Context, name string) (*assent.DeploymentTarget, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleViewer); err != nil {
		return nil, err
	}
	return findTarget(ctx, s.db.read, name)
}

// FindTargets lists every target by name.
func (s *DeploymentService) FindTargets(ctx context.Context) ([]*assent.DeploymentTarget, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleViewer); err != nil {
		return nil, err
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+targetColumns+` FROM deployment_targets ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list deployment targets: %w", err)
	}
	defer rows.Close()
	out := []*assent.DeploymentTarget{}
	for rows.Next() {
		t, err := scanTarget(rows)
		if err != nil {
			return nil, fmt.Errorf("list deployment targets: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RecordDeployments stores records in one transaction.
func (s *DeploymentService) RecordDeployments(ctx context.Context, records []assent.Deployment, at string) ([]*assent.Deployment, int, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleMember); err != nil {
		return nil, 0, err
	}
	if err := checkDeploymentCount(len(records), "deployments"); err != nil {
		return nil, 0, err
	}
	var out []*assent.Deployment
	var added int
	err := s.db.inTx(ctx, func(tx *Tx) error {
		ids := make([]string, len(records))
		for i, r := range records {
			ids[i] = r.Item
		}
		kinds, err := governableKinds(ctx, tx, ids)
		if err != nil {
			return err
		}
		out, added, err = recordDeployments(ctx, tx, records, at, func(r *assent.Deployment) (string, string) { return r.Item, kinds[r.Item] })
		return err
	})
	return out, added, err
}

func checkDeploymentCount(n int, at string) error {
	if n > assent.MaxSyncItems {
		return &assent.Error{Code: assent.ETOOLARGE, Message: fmt.Sprintf("A call records at most %d deployments; this one has %d.", assent.MaxSyncItems, n),
			Details: []assent.ErrorDetail{{Location: at, Message: fmt.Sprintf("has %d deployments; at most %d", n, assent.MaxSyncItems)}}}
	}
	return nil
}

// recordDeployments checks and writes records; resolve gives each record's
// governable id and kind ("" when unknown). It returns every record, the
// ones already there as they were, and how many it added.
func recordDeployments(ctx context.Context, tx *Tx, records []assent.Deployment, at string,
	resolve func(*assent.Deployment) (id, kind string)) ([]*assent.Deployment, int, error) {
	var p assent.Problems
	loc := func(i int, field string) string {
		if at == "" {
			return field
		}
		return fmt.Sprintf("%s[%d].%s", at, i, field)
	}
	targets := map[string]bool{}
	latest := tx.now.Add(assent.MetricFutureLimit)
	out := make([]*assent.Deployment, len(records))
	for i := range records {
		r := records[i]
		id, kind := resolve(&r)
		if r.Status == "" {
			r.Status = assent.DeploymentDeployed
		}
		if r.Time.IsZero() {
			r.Time = tx.now
		}
		r.Time = r.Time.UTC().Truncate(1e6)
		switch {
		case r.Target == "":
			p.Add(loc(i, "target"), "is required: the name of a deployment target")
		case kind == "" && r.Key != "":
			p.Add(loc(i, "key"), "no model version or bundle with key %q in this source", r.Key)
		case kind == "" && r.Item == "":
			p.Add(loc(i, "item"), "is required: the governable id of a model version or bundle")
		case kind == "":
			p.Add(loc(i, "item"), "no governable item %q", r.Item)
		case kind != assent.KindModelVersion && kind != assent.KindBundle:
			p.Add(loc(i, "item"), "is a %s; only model versions and bundles are deployed", kind)
		case r.Status != assent.DeploymentDeployed && r.Status != assent.DeploymentUndeployed && r.Status != assent.DeploymentFailed:
			p.Add(loc(i, "status"), "must be deployed, undeployed or failed")
		case r.Time.After(latest):
			p.Add(loc(i, "time"), "is more than a day ahead of the server's clock")
		case len(r.Reference) > 200:
			p.Add(loc(i, "reference"), "must be at most 200 characters")
		default:
			known, seen := targets[r.Target]
			if !seen {
				_, err := findTarget(ctx, tx, r.Target)
				if err != nil && assent.ErrorCode(err) != assent.ENOTFOUND {
					return nil, 0, err
				}
				known = err == nil
				targets[r.Target] = known
			}
			if !known {
				p.Add(loc(i, "target"), "no deployment target %q; an admin creates it with PUT /api/v1/deployment-targets/%s", r.Target, r.Target)
				continue
			}
			r.Item, r.Key, r.RecordedBy, r.RecordedAt = id, "", tx.actor, tx.now
			out[i] = &r
		}
	}
	if err := p.Err(); err != nil {
		return nil, 0, err
	}
	added := 0
	for _, r := range out {
		old, err := scanDeployment(tx.QueryRowContext(ctx, `SELECT `+deploymentColumns+` FROM deployments WHERE item_id = $1 AND target = $2 AND time = $3 AND status = $4`,
			r.Item, r.Target, ms(r.Time), r.Status))
		if err == nil {
			*r = *old
			continue
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, 0, fmt.Errorf("read deployment: %w", err)
		}
		r.ID = sortableID("dep_", tx.now)
		// The same record sent twice at once: the second finds the first.
		res, err := tx.ExecContext(ctx, `INSERT INTO deployments (`+deploymentColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (item_id, target, time, status) DO NOTHING`,
			r.ID, r.Item, r.Target, r.Status, ms(r.Time), r.Reference, r.RecordedBy, ms(r.RecordedAt))
		if err != nil {
			return nil, 0, fmt.Errorf("insert deployment: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return nil, 0, fmt.Errorf("insert deployment: %w", err)
		} else if n == 0 {
			old, err := scanDeployment(tx.QueryRowContext(ctx, `SELECT `+deploymentColumns+` FROM deployments WHERE item_id = $1 AND target = $2 AND time = $3 AND status = $4`,
				r.Item, r.Target, ms(r.Time), r.Status))
			if err != nil {
				return nil, 0, fmt.Errorf("read deployment: %w", err)
			}
			*r = *old
			continue
		}
		tx.record("governable", r.Item, "deployment.record", nil, map[string]any{
			"id": r.ID, "target": r.Target, "status": r.Status, "time": r.Time, "reference": r.Reference})
		added++
	}
	return out, added, nil
}

const deploymentColumns = `id, item_id, target, status, time, reference, recorded_by, recorded_at`

func scanDeployment(row interface{ Scan(...any) error }) (*assent.Deployment, error) {
	var d assent.Deployment
	var t, recorded int64
	if err := row.Scan(&d.ID, &d.Item, &d.Target, &d.Status, &t, &d.Reference, &d.RecordedBy, &recorded); err != nil {
		return nil, err
	}
	d.Time, d.RecordedAt = fromMS(t), fromMS(recorded)
	return &d, nil
}

// FindDeployments lists records newest first.
func (s *DeploymentService) FindDeployments(ctx context.Context, f assent.DeploymentFilter) ([]*assent.Deployment, string, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleViewer); err != nil {
		return nil, "", err
	}
	var c conditions
	if f.Item != "" {
		c.add("item_id = ?", f.Item)
	}
	if f.Target != "" {
		c.add("target = ?", f.Target)
	}
	if f.Cursor != "" {
		key, err := decodeCursor(f.Cursor)
		parts := strings.Split(key, "\x00")
		var t int64
		if _, serr := fmt.Sscan(parts[0], &t); err != nil || len(parts) != 2 || serr != nil {
			return nil, "", assent.Invalid("cursor", "is not a cursor this server gave out")
		}
		c.add("(time < ? OR (time = ? AND id < ?))", t, t, parts[1])
	}
	limit := assent.PageSize(f.Limit)
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+deploymentColumns+` FROM deployments WHERE `+c.sql()+fmt.Sprintf(` ORDER BY time DESC, id DESC LIMIT %d`, limit+1), c.args...)
	if err != nil {
		return nil, "", fmt.Errorf("list deployments: %w", err)
	}
	defer rows.Close()
	out := []*assent.Deployment{}
	for rows.Next() {
		d, err := scanDeployment(rows)
		if err != nil {
			return nil, "", fmt.Errorf("list deployments: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("list deployments: %w", err)
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		last := out[limit-1]
		next = encodeCursor(fmt.Sprint(ms(last.Time)) + "\x00" + last.ID)
	}
	return out, next, nil
}

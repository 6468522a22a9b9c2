package web

import (
	"context"

	"assent"
)

// deploymentHistorySize is how many deployment records the tab lists.
const deploymentHistorySize = 50

// deploymentsView is the Deployments tab of a model version or bundle:
// where it stands on each target, and its deployment history.
type deploymentsView struct {
	Item    *assent.GovernableItem
	Targets []targetRow
	History []*assent.Deployment
	// More says the history holds older records than those listed.
	More bool
	Lock *workflowLock
}

// workflowLock says why the governed item's workflow cannot move past its
// gating step (DESIGN §2): its sign-off is REJECTED or ABANDONED and the
// item is deployed to, or was checked against, a PREVENT target.
type workflowLock struct {
	Target string
	Step   string // the gating step's name
	State  signoffState
}

// targetRow is where the item stands on one target, with its last check's
// sign-off state as a badge shows it.
type targetRow struct {
	*assent.TargetStatus
	CheckState signoffState
}

// loadDeploymentsView reads the tab of g, governed by it (nil when not
// governed) with its template t.
func (s *Server) loadDeploymentsView(ctx context.Context, g *assent.GovernableItem, it *assent.Item, t *assent.Template) (*deploymentsView, error) {
	v := &deploymentsView{Item: g}
	statuses, err := s.Deployments.FindTargetStatuses(ctx, g.ID)
	if err != nil {
		return nil, err
	}
	for _, st := range statuses {
		row := targetRow{TargetStatus: st}
		if st.LastCheck != nil {
			row.CheckState = signoffState(st.LastCheck.SignoffState)
		}
		v.Targets = append(v.Targets, row)
	}
	var next string
	if v.History, next, err = s.Deployments.FindDeployments(ctx, assent.DeploymentFilter{Item: g.ID, Limit: deploymentHistorySize}); err != nil {
		return nil, err
	}
	v.More = next != ""
	if it != nil && t != nil {
		v.Lock, err = s.workflowLock(ctx, it, t)
	}
	return v, err
}

// workflowLock says whether the item's workflow is locked, and by which
// target; nil when it is not.
func (s *Server) workflowLock(ctx context.Context, it *assent.Item, t *assent.Template) (*workflowLock, error) {
	step := t.GatingStep()
	if step == "" || it.Archived {
		return nil, nil
	}
	so, err := s.Signoffs.FindSignoff(ctx, it.ID, step)
	if assent.ErrorCode(err) == assent.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if !assent.LockedState(so.State) {
		return nil, nil
	}
	lock := &workflowLock{Step: step, State: signoffState(so.State)}
	for _, st := range t.Steps {
		if st.ID == step {
			lock.Step = st.Name
		}
	}
	if lock.Target, err = s.Deployments.FindWorkflowLock(ctx, it.ID); err != nil || lock.Target == "" {
		return nil, err
	}
	return lock, nil
}

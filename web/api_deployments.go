package web

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"assent"
)

func (s *Server) deploymentRoutes(api huma.API) {
	register(api, "GET", "/deployment-targets", "listDeploymentTargets", "List deployment targets", 0, s.handleTargetList)
	register(api, "GET", "/deployment-targets/{name}", "getDeploymentTarget", "Get a deployment target", 0, s.handleTargetGet)
	register(api, "PUT", "/deployment-targets/{name}", "putDeploymentTarget", "Create or change a deployment target (admin)", 0, s.handleTargetPut)
	register(api, "POST", "/deployments", "recordDeployment", "Record that a model version or bundle was deployed to a target (or taken off it)", http.StatusCreated, s.handleDeploymentRecord)
	register(api, "GET", "/deployments", "listDeployments", "Deployment history, newest first", 0, s.handleDeploymentList)
	register(api, "GET", "/governable-items/{id}/deployments", "itemDeployments", "Where a model version or bundle stands on each target", 0, s.handleItemDeployments)
	register(api, "POST", "/deployment-checks", "checkDeployment", "May this item deploy to this target? The answer is recorded (viewers may ask)", 0, s.handleDeploymentCheck)
}

type targetOutput struct {
	Status int
	Body   *assent.DeploymentTarget
}

type targetNameInput struct {
	Name string `path:"name" maxLength:"100" example:"automation-prod"`
}

type targetPutInput struct {
	Name string `path:"name" maxLength:"100" example:"automation-prod"`
	Body struct {
		Stage       string `json:"stage" maxLength:"40" example:"prod" doc:"Such as dev, test or prod."`
		Policy      string `json:"policy" doc:"PREVENT blocks an item whose deployment sign-off is not approved, WARN warns, NO_CHECK allows."`
		Description string `json:"description,omitempty" maxLength:"2000"`
	}
}

// handleTargetPut creates (201) or changes (200) a target.
func (s *Server) handleTargetPut(ctx context.Context, in *targetPutInput) (*targetOutput, error) {
	t, created, err := s.Deployments.PutTarget(ctx, in.Name, assent.DeploymentTargetUpdate{Stage: in.Body.Stage, Policy: in.Body.Policy, Description: in.Body.Description})
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return &targetOutput{Status: status, Body: t}, nil
}

// handleTargetGet returns one target.
func (s *Server) handleTargetGet(ctx context.Context, in *targetNameInput) (*targetOutput, error) {
	t, err := s.Deployments.FindTarget(ctx, in.Name)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	return &targetOutput{Status: http.StatusOK, Body: t}, nil
}

type targetListOutput struct {
	Body struct {
		Items      []*assent.DeploymentTarget `json:"items"`
		NextCursor string                     `json:"next_cursor"`
	}
}

// handleTargetList lists every target; there are few, so one page.
func (s *Server) handleTargetList(ctx context.Context, _ *struct{}) (*targetListOutput, error) {
	list, err := s.Deployments.FindTargets(ctx)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	out := &targetListOutput{}
	out.Body.Items = list
	return out, nil
}

type deploymentRecordInput struct {
	Body struct {
		Item      string `json:"item,omitempty" doc:"Governable id of a model version or bundle (required)."`
		Target    string `json:"target,omitempty" doc:"Name of the deployment target (required)."`
		Status    string `json:"status,omitempty" enum:"deployed,undeployed,failed," doc:"deployed when empty."`
		Time      string `json:"time,omitempty" format:"date-time" doc:"When it happened; now when empty."`
		Reference string `json:"reference,omitempty" maxLength:"200" doc:"The platform's own id of the deployment."`
	}
}

type deploymentOutput struct {
	Status int
	Body   *assent.Deployment
}

// handleDeploymentRecord records one deployment (201); the same record
// again answers the one stored (200).
func (s *Server) handleDeploymentRecord(ctx context.Context, in *deploymentRecordInput) (*deploymentOutput, error) {
	d := assent.Deployment{Item: in.Body.Item, Target: in.Body.Target, Status: in.Body.Status, Reference: in.Body.Reference}
	if in.Body.Time != "" {
		t, err := time.Parse(time.RFC3339, in.Body.Time)
		if err != nil {
			return nil, s.apiError(ctx, assent.Invalid("time", "must be an RFC 3339 time such as 2026-11-01T12:00:00Z"))
		}
		d.Time = t
	}
	if d.Item == "" {
		return nil, s.apiError(ctx, assent.Invalid("item", "is required: the governable id of a model version or bundle"))
	}
	list, added, err := s.Deployments.RecordDeployments(ctx, []assent.Deployment{d}, "")
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	status := http.StatusOK
	if added == 1 {
		status = http.StatusCreated
	}
	return &deploymentOutput{Status: status, Body: list[0]}, nil
}

type deploymentListInput struct {
	Item   string `query:"item" doc:"Governable id."`
	Target string `query:"target"`
	Limit  int    `query:"limit" minimum:"0" maximum:"500"`
	Cursor string `query:"cursor"`
}

type deploymentListOutput struct {
	Body struct {
		Items      []*assent.Deployment `json:"items"`
		NextCursor string               `json:"next_cursor"`
	}
}

// handleDeploymentList lists deployment records newest first.
func (s *Server) handleDeploymentList(ctx context.Context, in *deploymentListInput) (*deploymentListOutput, error) {
	list, next, err := s.Deployments.FindDeployments(ctx, assent.DeploymentFilter{Item: in.Item, Target: in.Target, Limit: in.Limit, Cursor: in.Cursor})
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	out := &deploymentListOutput{}
	out.Body.Items, out.Body.NextCursor = list, next
	return out, nil
}

type itemDeploymentsOutput struct {
	Body struct {
		Items []*assent.TargetStatus `json:"items"`
	}
}

// handleItemDeployments says where an item stands on each target.
func (s *Server) handleItemDeployments(ctx context.Context, in *itemIDInput) (*itemDeploymentsOutput, error) {
	if _, err := s.Governables.FindGovernableItem(ctx, in.ID); err != nil {
		return nil, s.apiError(ctx, err)
	}
	list, err := s.Deployments.FindTargetStatuses(ctx, in.ID)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	out := &itemDeploymentsOutput{}
	out.Body.Items = list
	return out, nil
}

type deploymentCheckInput struct {
	Body assent.DeploymentCheckRequest
}

type deploymentCheckOutput struct {
	Body *assent.DeploymentCheck
}

// handleDeploymentCheck answers a deployment check.
func (s *Server) handleDeploymentCheck(ctx context.Context, in *deploymentCheckInput) (*deploymentCheckOutput, error) {
	c, err := s.Deployments.CheckDeployment(ctx, in.Body)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	return &deploymentCheckOutput{Body: c}, nil
}

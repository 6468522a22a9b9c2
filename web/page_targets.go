package web

import (
	"net/http"

	"assent"
)

// targetsData is the admin's page of deployment targets.
type targetsData struct {
	Targets  []*assent.DeploymentTarget
	Policies []nameValue
	// Editing names the target whose values fill the form; "" for a new one.
	Editing string
}

// targetPolicies are the policies the form offers, strictest first.
var targetPolicies = []nameValue{
	{assent.PolicyPrevent, "PREVENT: block a version whose deployment sign-off is not approved"},
	{assent.PolicyWarn, "WARN: warn, and let the platform ask for a confirmation"},
	{assent.PolicyNoCheck, "NO_CHECK: deploy without a governance check"},
}

// renderAdminTargets draws the list and the form with p's values and errors.
func (s *Server) renderAdminTargets(w http.ResponseWriter, r *http.Request, status int, p *page, editing string) {
	list, err := s.Deployments.FindTargets(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	p.Title, p.Section = "Deployment targets", "admin"
	p.Data = &targetsData{Targets: list, Policies: targetPolicies, Editing: editing}
	s.render(w, r, status, "admin_targets", p)
}

// handleAdminTargets lists the targets; ?edit=<name> fills the form with
// one of them to change it.
func (s *Server) handleAdminTargets(w http.ResponseWriter, r *http.Request) {
	form := map[string]string{"policy": assent.PolicyPrevent}
	editing := ""
	if name := r.URL.Query().Get("edit"); name != "" {
		t, err := s.Deployments.FindTarget(r.Context(), name)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		editing = t.Name
		form = map[string]string{"name": t.Name, "stage": t.Stage, "policy": t.Policy, "description": t.Description}
	}
	s.renderAdminTargets(w, r, http.StatusOK, &page{Form: form}, editing)
}

// handleAdminTargetSave creates or replaces the target the form names, as
// PUT /api/v1/deployment-targets/{name} does.
func (s *Server) handleAdminTargetSave(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r) {
		return
	}
	form := formValues(r, "name", "stage", "policy", "description", "editing")
	t, created, err := s.Deployments.PutTarget(r.Context(), form["name"],
		assent.DeploymentTargetUpdate{Stage: form["stage"], Policy: form["policy"], Description: form["description"]})
	if assent.ErrorCode(err) == assent.EINVALID {
		s.renderAdminTargets(w, r, http.StatusUnprocessableEntity, &page{Form: form, Errors: fieldErrors(err, nil)}, form["editing"])
		return
	} else if err != nil {
		s.pageError(w, r, err)
		return
	}
	what := "changed"
	if created {
		what = "created"
	}
	s.redirect(w, r, "/admin/deployment-targets", "ok", "Deployment target "+t.Name+" "+what+".")
}

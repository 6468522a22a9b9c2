package web

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"assent"
)

type signoffOutput struct {
	Status int
	Body   *assent.Signoff
}

type signoffListOutput struct {
	Body struct {
		Items []*assent.Signoff `json:"items"`
	}
}

// handleSignoffList returns an item's sign-offs in step order.
func (s *Server) handleSignoffList(ctx context.Context, in *itemIDInput) (*signoffListOutput, error) {
	list, err := s.Signoffs.FindSignoffs(ctx, in.ID)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	out := &signoffListOutput{}
	out.Body.Items = list
	return out, nil
}

type signoffPath struct {
	ID      string `path:"id" maxLength:"64"`
	Step    string `path:"step" maxLength:"63"`
	IfMatch string `header:"If-Match" doc:"The sign-off's revision, as \"7\"; a stale one gets 412."`
}

// handleSignoffGet returns one sign-off.
func (s *Server) handleSignoffGet(ctx context.Context, in *signoffPath) (*signoffOutput, error) {
	sig, err := s.Signoffs.FindSignoff(ctx, in.ID, in.Step)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	return &signoffOutput{Status: http.StatusOK, Body: sig}, nil
}

// signoffBody is what the actions take; each uses its own fields.
type signoffBody struct {
	Notify       []string `json:"notify,omitempty" doc:"Users to notify of a request; none is fine." maxItems:"200"`
	Group        string   `json:"group,omitempty" maxLength:"63" doc:"Feedback group; for delegate, a group or \"approval\"."`
	Status       string   `json:"status,omitempty" doc:"Feedback: APPROVED, MINOR_ISSUE, MAJOR_ISSUE; approval: APPROVED, REJECTED."`
	Comment      *string  `json:"comment,omitempty"`
	To           string   `json:"to,omitempty" maxLength:"64" doc:"Delegate: the user who acts instead."`
	ReloadConfig bool     `json:"reload_config,omitempty" doc:"Reset: copy the configuration from the template again."`
	Revision     *int64   `json:"revision,omitempty" doc:"Same as If-Match."`
}

type signoffActionInput struct {
	ID      string `path:"id" maxLength:"64"`
	Step    string `path:"step" maxLength:"63"`
	IfMatch string `header:"If-Match" doc:"The sign-off's revision, as \"7\"; a stale one gets 412."`
	Body    *signoffBody
}

type feedbackInput struct {
	ID       string `path:"id" maxLength:"64"`
	Step     string `path:"step" maxLength:"63"`
	Feedback string `path:"fid" maxLength:"64"`
	IfMatch  string `header:"If-Match" doc:"The sign-off's revision, as \"7\"; a stale one gets 412."`
	Body     *signoffBody
}

// signoffRoutes registers every sign-off operation.
func (s *Server) signoffRoutes(api huma.API) {
	base := "/items/{id}/signoffs/{step}"
	register(api, "GET", "/items/{id}/signoffs", "listSignoffs", "An item's sign-offs", 0, s.handleSignoffList)
	register(api, "GET", base, "getSignoff", "One sign-off with its resolved members, feedback, approval and history", 0, s.handleSignoffGet)
	for _, a := range []struct {
		path, id, summary string
		action            assent.SignoffAction
	}{
		{"/request-feedback", "requestFeedback", "Request feedback from the reviewer groups", assent.ActRequestFeedback},
		{"/request-approval", "requestApproval", "Request the final approval", assent.ActRequestApproval},
		{"/back-to-feedback", "backToFeedback", "Go back from the approval to the feedback stage", assent.ActBackToFeedback},
		{"/abandon", "abandonSignoff", "Abandon the sign-off", assent.ActAbandon},
		{"/cancel-abandon", "cancelAbandonSignoff", "Cancel the abandon: everything comes back", assent.ActCancelAbandon},
		{"/reset", "resetSignoff", "Start a new cycle (optionally reloading the configuration)", assent.ActReset},
		{"/delegate", "delegateSignoff", "Delegate a group's feedback or the approval to a user", assent.ActDelegate},
		{"/approval", "editApproval", "Edit one's final approval", assent.ActEditApproval},
	} {
		method := "POST"
		if a.action == assent.ActEditApproval {
			method = "PATCH"
		}
		register(api, method, base+a.path, a.id, a.summary, 0, s.signoffAction(a.action, http.StatusOK))
	}
	register(api, "POST", base+"/approval", "giveApproval", "Give the final approval: APPROVED or REJECTED", http.StatusCreated, s.signoffAction(assent.ActApprove, http.StatusCreated))
	register(api, "DELETE", base+"/approval", "deleteApproval", "Delete one's final approval", 0, s.signoffAction(assent.ActDeleteApproval, http.StatusOK))
	register(api, "POST", base+"/feedback", "addFeedback", "Give feedback for a group", http.StatusCreated, s.signoffAction(assent.ActAddFeedback, http.StatusCreated))
	register(api, "PATCH", base+"/feedback/{fid}", "editFeedback", "Edit one's feedback", 0, s.feedbackAction(assent.ActEditFeedback))
	register(api, "DELETE", base+"/feedback/{fid}", "deleteFeedback", "Delete one's feedback", 0, s.feedbackAction(assent.ActDeleteFeedback))
	register(api, "GET", "/me/tasks", "myTasks", "Sign-offs waiting for my feedback or approval, newest first", 0, s.handleMyTasks)
}

func (s *Server) signoffAction(a assent.SignoffAction, status int) func(context.Context, *signoffActionInput) (*signoffOutput, error) {
	return func(ctx context.Context, in *signoffActionInput) (*signoffOutput, error) {
		return s.act(ctx, signoffPath{ID: in.ID, Step: in.Step, IfMatch: in.IfMatch}, a, "", in.Body, status)
	}
}

func (s *Server) feedbackAction(a assent.SignoffAction) func(context.Context, *feedbackInput) (*signoffOutput, error) {
	return func(ctx context.Context, in *feedbackInput) (*signoffOutput, error) {
		return s.act(ctx, signoffPath{ID: in.ID, Step: in.Step, IfMatch: in.IfMatch}, a, in.Feedback, in.Body, http.StatusOK)
	}
}

func (s *Server) act(ctx context.Context, p signoffPath, a assent.SignoffAction, feedback string, body *signoffBody, status int) (*signoffOutput, error) {
	if body == nil {
		body = &signoffBody{}
	}
	revision, err := revisionOf(p.IfMatch, body.Revision)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	sig, err := s.Signoffs.Act(ctx, p.ID, p.Step, assent.SignoffActionRequest{Action: a, Notify: body.Notify, Group: body.Group, Feedback: feedback,
		Status: body.Status, Comment: body.Comment, To: body.To, ReloadConfig: body.ReloadConfig, Revision: revision})
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	return &signoffOutput{Status: status, Body: sig}, nil
}

type taskListOutput struct {
	Body struct {
		Items []*assent.SignoffTask `json:"items"`
	}
}

// handleMyTasks lists what waits for the caller.
func (s *Server) handleMyTasks(ctx context.Context, _ *struct{}) (*taskListOutput, error) {
	tasks, err := s.Signoffs.FindMyTasks(ctx)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	out := &taskListOutput{}
	out.Body.Items = tasks
	return out, nil
}

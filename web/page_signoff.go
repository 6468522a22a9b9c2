package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"assent"
)

// signoffDone is the message after each action succeeds.
var signoffDone = map[assent.SignoffAction]string{
	assent.ActRequestFeedback: "Feedback requested.",
	assent.ActRequestApproval: "Final approval requested.",
	assent.ActAddFeedback:     "Your review is submitted.",
	assent.ActEditFeedback:    "Your feedback is changed.",
	assent.ActDeleteFeedback:  "Your feedback is deleted.",
	assent.ActApprove:         "Your final approval is submitted.",
	assent.ActEditApproval:    "Your final approval is changed.",
	assent.ActDeleteApproval:  "Your final approval is deleted: the sign-off waits for a final approval again.",
	assent.ActBackToFeedback:  "Back to the feedback stage.",
	assent.ActAbandon:         "The sign-off is abandoned: nothing in it can change until the abandon is cancelled.",
	assent.ActCancelAbandon:   "The abandon is cancelled: the sign-off is back where it was.",
	assent.ActReset:           "The sign-off is reset: a new cycle starts, and the previous one is kept in its history.",
	assent.ActDelegate:        "Delegated.",
}

// signoffDialogs are the actions that ask for input first, in a dialog
// that the address opens (?so=action), so that it works without scripts.
var signoffDialogs = []assent.SignoffAction{assent.ActRequestFeedback, assent.ActRequestApproval, assent.ActAddFeedback,
	assent.ActEditFeedback, assent.ActApprove, assent.ActEditApproval, assent.ActAbandon, assent.ActReset, assent.ActDelegate}

// loadSignoffPanel reads the sign-off of the step the page shows, with
// what the signed-in user may do on it and the dialog the address opens.
// A step without a stored sign-off (or a server without the service)
// shows no panel.
func (s *Server) loadSignoffPanel(r *http.Request, view *itemView) (*signoffPanel, error) {
	if s.Signoffs == nil || view.Step == nil || view.Step.Signoff == nil {
		return nil, nil
	}
	ctx := r.Context()
	sig, err := s.Signoffs.FindSignoff(ctx, view.Item.ID, view.Step.ID)
	if assent.ErrorCode(err) == assent.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	u := assent.UserFromContext(ctx)
	p := &signoffPanel{Signoff: sig, ItemID: view.Item.ID, user: u, Form: map[string]string{}, Errors: map[string]string{}}
	if !view.Item.Archived {
		p.actions = sig.ActionsFor(u)
	}
	q := r.URL.Query()
	p.open(assent.SignoffAction(q.Get("so")), q.Get("fid"))
	return p, s.loadDialogChoices(r, p)
}

// loadDialogChoices reads what the open dialog offers beyond the
// sign-off: the users a delegation may name.
func (s *Server) loadDialogChoices(r *http.Request, p *signoffPanel) error {
	if p.Open != string(assent.ActDelegate) {
		return nil
	}
	active := false
	var err error
	p.Users, _, err = s.Users.FindUsers(r.Context(), assent.UserFilter{Disabled: &active, Limit: assent.MaxPageSize})
	return err
}

// open shows the dialog of action a when the user may take it, filled
// with what it changes.
func (p *signoffPanel) open(a assent.SignoffAction, fid string) {
	if !slices.Contains(signoffDialogs, a) || !p.Can(string(a)) {
		return
	}
	switch a {
	case assent.ActAddFeedback:
		if len(p.Pending()) == 0 {
			return
		}
	case assent.ActEditFeedback:
		f := p.mine(fid)
		if f == nil {
			return
		}
		p.Editing = f
		p.Form["status"], p.Form["comment"] = string(f.Status), f.Comment
	case assent.ActEditApproval:
		p.Form["status"], p.Form["comment"] = string(p.Approval.Status), p.Approval.Comment
	}
	p.Open = string(a)
}

// handleSignoffAction applies one action from the sign-off panel's forms,
// then goes back to the step. A refused action shows the step again: the
// dialog with the errors at its fields when the input is invalid, else
// the reason above the panel, with the status that says why.
func (s *Server) handleSignoffAction(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if _, err := assent.RequireRole(ctx, assent.RoleMember); err != nil {
		s.pageError(w, r, err)
		return
	}
	if !s.readForm(w, r) {
		return
	}
	id, step, action := r.PathValue("id"), r.PathValue("step"), assent.SignoffAction(r.PathValue("action"))
	if !slices.Contains(assent.SignoffActions, action) {
		s.pageError(w, r, assent.Errorf(assent.ENOTFOUND, "There is no sign-off action %q.", action))
		return
	}
	if s.Signoffs == nil {
		s.pageError(w, r, assent.Errorf(assent.ENOTFOUND, "Sign-offs are not available on this server."))
		return
	}
	req := signoffRequest(r, action)
	sig, err := s.Signoffs.Act(ctx, id, step, req)
	if err == nil {
		msg := signoffDone[action]
		if action == assent.ActDelegate {
			msg = "Delegated to " + req.To + "."
		}
		if action == assent.ActApprove && sig != nil && sig.State == assent.SignoffRejected {
			msg = "Your final approval is submitted: the sign-off is rejected."
		}
		s.redirect(w, r, itemURL(id, step)+"#signoff", "ok", msg)
		return
	}
	code := assent.ErrorCode(err)
	if code == assent.EINTERNAL {
		s.logger.Error("internal error", "request_id", assent.RequestIDFromContext(ctx), "err", err)
	}
	// Draw the step's page again, as the address of the step would.
	page := r.Clone(ctx)
	page.URL.RawQuery = url.Values{"step": {step}}.Encode()
	view, lerr := s.loadItemView(page)
	if lerr != nil || view.Signoff == nil {
		s.pageError(w, r, err)
		return
	}
	p := view.Signoff
	if code == assent.EINVALID && slices.Contains(signoffDialogs, action) {
		p.Open = string(action)
		if action == assent.ActEditFeedback {
			p.Editing = p.mine(req.Feedback)
		}
		for _, k := range []string{"group", "status", "comment", "to", "reload_config"} {
			p.Form[k] = r.PostFormValue(k)
		}
		p.Form["notify"] = strings.Join(req.Notify, ",")
		for loc, msg := range fieldErrors(err, nil) {
			loc, _, _ = strings.Cut(loc, "[") // notify[2] is the notify list
			p.Errors[loc] = msg
		}
		if p.Errors[""] == "" {
			delete(p.Errors, "")
		}
		if lerr := s.loadDialogChoices(page, p); lerr != nil {
			s.pageError(w, r, lerr)
			return
		}
	} else {
		p.Error = assent.ErrorMessage(err)
	}
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	s.renderItem(w, page, status, view, nil, nil)
}

// signoffRequest reads an action's input from its form.
func signoffRequest(r *http.Request, action assent.SignoffAction) assent.SignoffActionRequest {
	req := assent.SignoffActionRequest{Action: action, Revision: formRevision(r),
		Group:    strings.TrimSpace(r.PostFormValue("group")),
		Feedback: r.PostFormValue("feedback"),
		Status:   r.PostFormValue("status"),
		To:       strings.TrimSpace(r.PostFormValue("to")),
	}
	switch action {
	case assent.ActRequestFeedback, assent.ActRequestApproval:
		req.Notify = []string{}
		for _, u := range r.PostForm["notify"] {
			if u = strings.TrimSpace(u); u != "" && !slices.Contains(req.Notify, u) {
				req.Notify = append(req.Notify, u)
			}
		}
	case assent.ActAddFeedback, assent.ActEditFeedback, assent.ActApprove, assent.ActEditApproval:
		// Browsers send line breaks as CRLF; count and keep them as LF.
		c := strings.ReplaceAll(r.PostFormValue("comment"), "\r\n", "\n")
		c = strings.TrimSpace(c)
		req.Comment = &c
	case assent.ActReset:
		req.ReloadConfig = r.PostFormValue("reload_config") == "true"
	}
	return req
}

package web

import (
	"net/url"
	"slices"
	"strings"

	"assent"
)

// signoffPanel is what the sign-off panel of a step shows: the sign-off,
// what the signed-in user may do now, and the dialog that is open.
type signoffPanel struct {
	*assent.Signoff
	ItemID  string
	user    *assent.User
	actions []assent.SignoffAction
	// Open is the action whose dialog shows ("" for none); Editing the
	// feedback an edit-feedback dialog changes.
	Open    string
	Editing *assent.Feedback
	// Form and Errors fill a dialog again after a refusal; Error is a
	// refusal that names no field.
	Form   map[string]string
	Errors map[string]string
	Error  string
	// Users are who a delegation may name, read for that dialog only.
	Users []*assent.User
}

// signoffStateLabels name the states for people.
var signoffStateLabels = map[assent.SignoffState]string{
	assent.SignoffNotStarted:         "Not started",
	assent.SignoffWaitingForFeedback: "Waiting for feedback",
	assent.SignoffWaitingForApproval: "Waiting for final approval",
	assent.SignoffApproved:           "Approved",
	assent.SignoffRejected:           "Rejected",
	assent.SignoffAbandoned:          "Abandoned",
}

// feedbackLabels name the reviewers' verdicts and the final decisions.
var feedbackLabels = map[string]string{
	string(assent.FeedbackApproved):   "Approved",
	string(assent.FeedbackMinorIssue): "Minor issue",
	string(assent.FeedbackMajorIssue): "Major issue",
	string(assent.ApprovalRejected):   "Rejected",
}

// signoffState is a state as its badge shows it, for the panel, the home
// page's tasks and the lists.
type signoffState string

// Label names the state: "Waiting for feedback".
func (s signoffState) Label() string {
	if l, ok := signoffStateLabels[assent.SignoffState(s)]; ok {
		return l
	}
	return string(s)
}

// Class is the badge's CSS class.
func (s signoffState) Class() string {
	return "signoff-state signoff-" + strings.ToLower(strings.ReplaceAll(string(s), "_", "-"))
}

// Badge is the state of the sign-off.
func (p *signoffPanel) Badge() signoffState { return signoffState(p.State) }

// Can reports whether the user may take action a now.
func (p *signoffPanel) Can(a string) bool { return slices.Contains(p.actions, assent.SignoffAction(a)) }

// HasMenu reports whether the panel's "More options" menu has entries.
func (p *signoffPanel) HasMenu() bool {
	for _, a := range []string{"back-to-feedback", "abandon", "cancel-abandon", "reset", "delegate"} {
		if p.Can(a) {
			return true
		}
	}
	return false
}

// Action is the address a form of the panel posts to.
func (p *signoffPanel) Action(a string) string {
	return "/items/" + url.PathEscape(p.ItemID) + "/signoffs/" + url.PathEscape(p.Step) + "/" + a
}

// Dialog is the address of the step with the dialog of action a open.
func (p *signoffPanel) Dialog(a string, fid ...string) string {
	q := url.Values{"step": {p.Step}, "so": {a}}
	if len(fid) > 0 {
		q.Set("fid", fid[0])
	}
	return "/items/" + url.PathEscape(p.ItemID) + "?" + q.Encode()
}

// Close is the address of the step with no dialog.
func (p *signoffPanel) Close() string { return itemURL(p.ItemID, p.Step) + "#signoff" }

// Value is what a dialog's field holds.
func (p *signoffPanel) Value(name string) string { return p.Form[name] }

// Checked reports whether a user is among those to notify.
func (p *signoffPanel) Checked(user string) bool {
	return slices.Contains(strings.Split(p.Form["notify"], ","), user)
}

// Recipients are the resolved reviewers and approvers, each once, who
// a request may notify.
func (p *signoffPanel) Recipients() []string {
	var out []string
	for _, g := range p.Groups {
		for _, m := range g.Members {
			if !slices.Contains(out, m) {
				out = append(out, m)
			}
		}
	}
	for _, m := range p.Approvers {
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}

// Pending are the groups the user reviews for and has not yet given
// feedback in, when feedback may be given now.
func (p *signoffPanel) Pending() []assent.SignoffGroup {
	if !p.Can(string(assent.ActAddFeedback)) {
		return nil
	}
	var out []assent.SignoffGroup
	for _, g := range p.Groups {
		if !slices.Contains(p.ReviewGroups(p.user.Username), g.ID) {
			continue
		}
		given := false
		for _, f := range p.Feedback {
			given = given || (f.Group == g.ID && f.Author == p.user.Username)
		}
		if !given {
			out = append(out, g)
		}
	}
	return out
}

// ApprovalAsked reports whether the user is asked for the final approval now.
func (p *signoffPanel) ApprovalAsked() bool { return p.Can(string(assent.ActApprove)) }

// mine is the user's own feedback of this cycle with that id.
func (p *signoffPanel) mine(id string) *assent.Feedback {
	for i := range p.Feedback {
		if f := &p.Feedback[i]; f.ID == id && f.Author == p.user.Username {
			return f
		}
	}
	return nil
}

// groupView is a feedback group with its members and feedback.
type groupView struct {
	assent.SignoffGroup
	Delegate string
	Feedback []feedbackView
}

// feedbackView is one feedback as the panel shows it.
type feedbackView struct {
	assent.Feedback
	Mine      bool // the user wrote it and may edit or delete it now
	GroupName string
}

// StatusLabel names the verdict.
func (f feedbackView) StatusLabel() string { return feedbackLabels[string(f.Status)] }

// StatusClass is the verdict's CSS class.
func (f feedbackView) StatusClass() string {
	return "verdict verdict-" + strings.ToLower(string(f.Status))
}

// Edited reports whether the feedback changed after it was given.
func (f feedbackView) Edited() bool { return f.UpdatedAt.Sub(f.Time) > 0 }

// GroupViews are the groups in order, each with its feedback.
func (p *signoffPanel) GroupViews() []groupView {
	out := make([]groupView, len(p.Groups))
	for i, g := range p.Groups {
		out[i] = groupView{SignoffGroup: g, Delegate: p.Delegates[g.ID]}
		for _, f := range p.Feedback {
			if f.Group == g.ID {
				mine := f.Author == p.user.Username && p.Can(string(assent.ActEditFeedback))
				out[i].Feedback = append(out[i].Feedback, feedbackView{Feedback: f, Mine: mine, GroupName: g.Name})
			}
		}
	}
	return out
}

// GroupName names a group of the sign-off, or "Final approval".
func (p *signoffPanel) GroupName(id string) string {
	if id == "approval" {
		return "Final approval"
	}
	for _, g := range p.Groups {
		if g.ID == id {
			return g.Name
		}
	}
	return id
}

// approvalView is a final approval as the panel shows it.
type approvalView struct {
	assent.Approval
	Mine bool
}

// StatusLabel names the decision.
func (a approvalView) StatusLabel() string { return feedbackLabels[string(a.Status)] }

// StatusClass is the decision's CSS class.
func (a approvalView) StatusClass() string {
	return "verdict verdict-" + strings.ToLower(string(a.Status))
}

// Edited is false: a changed approval is a new one, with its own time.
func (a approvalView) Edited() bool { return false }

// ApprovalView is the final approval, nil before there is one.
func (p *signoffPanel) ApprovalView() *approvalView {
	if p.Approval == nil {
		return nil
	}
	return &approvalView{Approval: *p.Approval, Mine: p.Can(string(assent.ActEditApproval))}
}

// cycleView is an earlier cycle as the history shows it.
type cycleView struct {
	assent.SignoffCycle
	Feedback []feedbackView
	Approval *approvalView
}

// Badge is the state the cycle ended in.
func (c cycleView) Badge() signoffState { return signoffState(c.State) }

// HistoryViews are the earlier cycles, newest first.
func (p *signoffPanel) HistoryViews() []cycleView {
	out := make([]cycleView, len(p.History))
	for i, c := range p.History {
		out[i] = cycleView{SignoffCycle: c}
		for _, f := range c.Feedback {
			out[i].Feedback = append(out[i].Feedback, feedbackView{Feedback: f, GroupName: p.GroupName(f.Group)})
		}
		if c.Approval != nil {
			out[i].Approval = &approvalView{Approval: *c.Approval}
		}
	}
	return out
}

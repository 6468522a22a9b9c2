package web

import (
	"strings"

	"assent"
)

// The links, buttons and dialogs of the sign-off panel.

// signoffLink opens the dialog of an action.
type signoffLink struct {
	Href, Label, ID string
	Button          bool
}

// ButtonLink is a button that opens the dialog of action a.
func (p *signoffPanel) ButtonLink(a, label string) signoffLink {
	return signoffLink{Href: p.Dialog(a), Label: label, ID: "signoff-" + a, Button: true}
}

// MenuLink is a menu entry that opens the dialog of action a, on the
// feedback fid when one is given.
func (p *signoffPanel) MenuLink(a, label, fid string) signoffLink {
	if fid == "" {
		return signoffLink{Href: p.Dialog(a), Label: label, ID: "menu-" + a}
	}
	return signoffLink{Href: p.Dialog(a, fid), Label: label, ID: "menu-" + a + "-" + fid}
}

// signoffButton takes an action that needs no input.
type signoffButton struct {
	Action, Label, ID, Feedback string
	Revision                    int64
}

// PostButton is a menu entry that takes action a at once, on the
// feedback fid when one is given.
func (p *signoffPanel) PostButton(a, label, fid string) signoffButton {
	b := signoffButton{Action: p.Action(a), Label: label, ID: "menu-" + a, Feedback: fid, Revision: p.Revision}
	if fid != "" {
		b.ID += "-" + fid
	}
	return b
}

// dialogText is the title and the submit button of each dialog.
var dialogText = map[string][2]string{
	"request-feedback": {"Request feedback", "Request feedback"},
	"request-approval": {"Request final approval", "Request final approval"},
	"add-feedback":     {"Review", "Submit review"},
	"edit-feedback":    {"Edit feedback", "Save changes"},
	"approval":         {"Final approval", "Submit review"},
	"edit-approval":    {"Edit final approval", "Save changes"},
	"abandon":          {"Abandon sign-off", "Abandon"},
	"reset":            {"Confirm reset", "Reset"},
	"delegate":         {"Delegate", "Delegate"},
}

// DialogTitle is the open dialog's title.
func (p *signoffPanel) DialogTitle() string { return dialogText[p.Open][0] }

// SubmitLabel is the open dialog's submit button.
func (p *signoffPanel) SubmitLabel() string { return dialogText[p.Open][1] }

// statusChoice is one radio button of a verdict.
type statusChoice struct{ Value, Label, Class string }

func choices(values ...string) []statusChoice {
	out := make([]statusChoice, len(values))
	for i, v := range values {
		out[i] = statusChoice{Value: v, Label: feedbackLabels[v], Class: "verdict verdict-" + strings.ToLower(v)}
	}
	return out
}

// FeedbackStatuses are a reviewer's choices.
func (p *signoffPanel) FeedbackStatuses() []statusChoice {
	return choices(string(assent.FeedbackApproved), string(assent.FeedbackMinorIssue), string(assent.FeedbackMajorIssue))
}

// ApprovalStatuses are the final approver's choices.
func (p *signoffPanel) ApprovalStatuses() []statusChoice {
	return choices(string(assent.ApprovalApproved), string(assent.ApprovalRejected))
}

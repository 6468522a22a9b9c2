package assent

import (
	"slices"
	"strings"
)

// SignoffAction names one action of the sign-off state machine.
type SignoffAction string

// The actions of a sign-off.
const (
	ActRequestFeedback SignoffAction = "request-feedback"
	ActRequestApproval SignoffAction = "request-approval"
	ActAddFeedback     SignoffAction = "add-feedback"
	ActEditFeedback    SignoffAction = "edit-feedback"
	ActDeleteFeedback  SignoffAction = "delete-feedback"
	ActApprove         SignoffAction = "approval" // give the final decision, APPROVED or REJECTED
	ActEditApproval    SignoffAction = "edit-approval"
	ActDeleteApproval  SignoffAction = "delete-approval"
	ActBackToFeedback  SignoffAction = "back-to-feedback"
	ActAbandon         SignoffAction = "abandon"
	ActCancelAbandon   SignoffAction = "cancel-abandon"
	ActReset           SignoffAction = "reset"
	ActDelegate        SignoffAction = "delegate"
)

// SignoffActions lists every action.
var SignoffActions = []SignoffAction{ActRequestFeedback, ActRequestApproval, ActAddFeedback, ActEditFeedback, ActDeleteFeedback,
	ActApprove, ActEditApproval, ActDeleteApproval, ActBackToFeedback, ActAbandon, ActCancelAbandon, ActReset, ActDelegate}

// signoffFrom lists the states each action may start from.
var signoffFrom = map[SignoffAction][]SignoffState{
	ActRequestFeedback: {SignoffNotStarted},
	ActRequestApproval: {SignoffNotStarted, SignoffWaitingForFeedback},
	ActAddFeedback:     {SignoffWaitingForFeedback, SignoffWaitingForApproval},
	ActEditFeedback:    {SignoffWaitingForFeedback, SignoffWaitingForApproval},
	ActDeleteFeedback:  {SignoffWaitingForFeedback, SignoffWaitingForApproval},
	ActApprove:         {SignoffWaitingForApproval},
	ActEditApproval:    {SignoffApproved, SignoffRejected},
	ActDeleteApproval:  {SignoffApproved, SignoffRejected},
	ActBackToFeedback:  {SignoffWaitingForApproval},
	ActAbandon:         {SignoffNotStarted, SignoffWaitingForFeedback, SignoffWaitingForApproval, SignoffApproved, SignoffRejected},
	ActCancelAbandon:   {SignoffAbandoned},
	ActReset:           {SignoffNotStarted, SignoffWaitingForFeedback, SignoffWaitingForApproval, SignoffApproved, SignoffRejected, SignoffAbandoned},
	ActDelegate:        {SignoffWaitingForFeedback, SignoffWaitingForApproval},
}

// AllowedSignoffActions lists the actions a state allows, in the order of
// SignoffActions.
func AllowedSignoffActions(s SignoffState) []SignoffAction {
	var out []SignoffAction
	for _, a := range SignoffActions {
		if slices.Contains(signoffFrom[a], s) {
			out = append(out, a)
		}
	}
	return out
}

// NextSignoffState is the state machine: the state after action a from
// state from. decision is the approval status of ActApprove and
// ActEditApproval; before is the state an abandon left, for
// ActCancelAbandon. An action the state does not allow is ECONFLICT
// naming the state and what it allows.
func NextSignoffState(from SignoffState, a SignoffAction, decision ApprovalStatus, before SignoffState) (SignoffState, error) {
	if !slices.Contains(signoffFrom[a], from) {
		allowed := AllowedSignoffActions(from)
		names := make([]string, len(allowed))
		for i, x := range allowed {
			names[i] = string(x)
		}
		if _, known := signoffFrom[a]; !known {
			return "", Errorf(EINVALID, "Unknown sign-off action %q.", a)
		}
		return "", Errorf(ECONFLICT, "The sign-off is %s: %s is not possible; it allows %s.", from, a, strings.Join(names, ", "))
	}
	switch a {
	case ActRequestFeedback, ActBackToFeedback:
		return SignoffWaitingForFeedback, nil
	case ActRequestApproval, ActDeleteApproval:
		return SignoffWaitingForApproval, nil
	case ActApprove, ActEditApproval:
		switch decision {
		case ApprovalApproved:
			return SignoffApproved, nil
		case ApprovalRejected:
			return SignoffRejected, nil
		}
		return "", Invalid("status", "must be APPROVED or REJECTED")
	case ActAbandon:
		return SignoffAbandoned, nil
	case ActCancelAbandon:
		if before == "" || before == SignoffAbandoned {
			return SignoffNotStarted, nil
		}
		return before, nil
	case ActReset:
		return SignoffNotStarted, nil
	}
	return from, nil // feedback and delegation keep the state
}

// CheckFeedbackStatus says whether s is one of the three verdicts.
func CheckFeedbackStatus(s string) error {
	switch FeedbackStatus(s) {
	case FeedbackApproved, FeedbackMinorIssue, FeedbackMajorIssue:
		return nil
	}
	return Invalid("status", "must be APPROVED, MINOR_ISSUE or MAJOR_ISSUE")
}

// CheckComment bounds a comment.
func CheckComment(c string) error {
	if len(c) > MaxCommentLength {
		return Invalid("comment", "must be at most %d characters; it has %d", MaxCommentLength, len(c))
	}
	return nil
}

// String names a state and action pair for messages and tests.
func (a SignoffAction) String() string { return string(a) }

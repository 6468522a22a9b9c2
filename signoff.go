package assent

import (
	"context"
	"time"
)

// SignoffState is where a step's sign-off stands.
type SignoffState string

// The states of a sign-off.
const (
	SignoffNotStarted         SignoffState = "NOT_STARTED"
	SignoffWaitingForFeedback SignoffState = "WAITING_FOR_FEEDBACK"
	SignoffWaitingForApproval SignoffState = "WAITING_FOR_APPROVAL"
	SignoffApproved           SignoffState = "APPROVED"
	SignoffRejected           SignoffState = "REJECTED"
	SignoffAbandoned          SignoffState = "ABANDONED"
)

// SignoffStates lists every state, in the order of a review.
var SignoffStates = []SignoffState{SignoffNotStarted, SignoffWaitingForFeedback, SignoffWaitingForApproval, SignoffApproved, SignoffRejected, SignoffAbandoned}

// FeedbackStatus is a reviewer's verdict.
type FeedbackStatus string

// The statuses of a feedback.
const (
	FeedbackApproved   FeedbackStatus = "APPROVED"
	FeedbackMinorIssue FeedbackStatus = "MINOR_ISSUE"
	FeedbackMajorIssue FeedbackStatus = "MAJOR_ISSUE"
)

// ApprovalStatus is the final approver's decision.
type ApprovalStatus string

// The statuses of a final approval.
const (
	ApprovalApproved ApprovalStatus = "APPROVED"
	ApprovalRejected ApprovalStatus = "REJECTED"
)

// MaxCommentLength bounds feedback and approval comments.
const MaxCommentLength = 10000

// Signoff is the review of one workflow step of one item: feedback from
// reviewer groups, then one final approval. Members are resolved when it
// is read or acted on; the configuration is copied from the template when
// the sign-off is created or reset with reload.
type Signoff struct {
	Item     string       `json:"item"`
	Step     string       `json:"step"`
	State    SignoffState `json:"state"`
	Cycle    int          `json:"cycle"`
	Revision int64        `json:"revision"`
	// Groups are the feedback groups with their resolved members.
	Groups []SignoffGroup `json:"groups"`
	// Approvers are the resolved final approvers.
	Approvers      []string `json:"approvers"`
	Mandatory      bool     `json:"mandatory"`
	NoSelfApproval bool     `json:"no_self_approval"`
	// GatesDeployment marks the sign-off deployment checks look at.
	GatesDeployment bool `json:"gates_deployment"`
	// FeedbackRequestedBy and ApprovalRequestedBy are who asked, and
	// Notified whom they chose to notify.
	FeedbackRequestedBy string     `json:"feedback_requested_by,omitempty"`
	ApprovalRequestedBy string     `json:"approval_requested_by,omitempty"`
	Notified            []string   `json:"notified"`
	Feedback            []Feedback `json:"feedback"`
	Approval            *Approval  `json:"approval"`
	// Delegates maps a group id, or "approval", to the user acting for it.
	Delegates map[string]string `json:"delegates"`
	// StateBeforeAbandon is where cancelling the abandon returns.
	StateBeforeAbandon SignoffState `json:"state_before_abandon,omitempty"`
	// History holds the earlier cycles, newest first; null in the answer
	// to an action, which never changes them.
	History   []SignoffCycle `json:"history"`
	UpdatedAt time.Time      `json:"updated_at"`
}

// SignoffGroup is a feedback group of a sign-off.
type SignoffGroup struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Members []string `json:"members"`
}

// Feedback is one reviewer's verdict in a group.
type Feedback struct {
	ID        string         `json:"id"`
	Group     string         `json:"group"`
	Author    string         `json:"author"`
	Status    FeedbackStatus `json:"status"`
	Comment   string         `json:"comment"`
	Time      time.Time      `json:"time"`
	UpdatedAt time.Time      `json:"updated_at"`
}

// Approval is the final decision.
type Approval struct {
	Author  string         `json:"author"`
	Status  ApprovalStatus `json:"status"`
	Comment string         `json:"comment"`
	Time    time.Time      `json:"time"`
}

// SignoffCycle is an earlier cycle, closed by a reset.
type SignoffCycle struct {
	Cycle    int          `json:"cycle"`
	State    SignoffState `json:"state"`
	Feedback []Feedback   `json:"feedback"`
	Approval *Approval    `json:"approval"`
	ResetBy  string       `json:"reset_by"`
	ResetAt  time.Time    `json:"reset_at"`
}

// SignoffService reads sign-offs and applies their actions. Every action
// is checked against the state machine (ECONFLICT naming the state and the
// actions it allows) and against who may act (EFORBIDDEN with the reason);
// ECONFLICT for an archived item; ENOTFOUND for a step without sign-off.
type SignoffService interface {
	// FindSignoffs returns an item's sign-offs in step order.
	FindSignoffs(ctx context.Context, item string) ([]*Signoff, error)

	// FindSignoff returns one sign-off.
	FindSignoff(ctx context.Context, item, step string) (*Signoff, error)

	// Act applies one action.
	Act(ctx context.Context, item, step string, a SignoffActionRequest) (*Signoff, error)

	// FindMyTasks lists the sign-offs waiting for the caller's feedback or
	// approval, newest first.
	FindMyTasks(ctx context.Context) ([]*SignoffTask, error)
}

// SignoffActionRequest is one action with what it takes.
type SignoffActionRequest struct {
	Action SignoffAction
	// Notify: users to tell of a request (possibly none).
	Notify []string
	// Group: the feedback group of new feedback, or the group (or
	// "approval") of a delegation.
	Group string
	// Feedback: the id of the feedback to edit or delete.
	Feedback string
	// Status: a FeedbackStatus or an ApprovalStatus.
	Status  string
	Comment *string
	// To: the user a delegation names.
	To string
	// ReloadConfig: a reset copies the configuration from the template again.
	ReloadConfig bool
	// Revision, when given, must be the sign-off's revision.
	Revision *int64
}

// SignoffTask is a sign-off waiting for the caller.
type SignoffTask struct {
	Item     string       `json:"item"`
	ItemName string       `json:"item_name"`
	ItemType string       `json:"item_type"`
	Step     string       `json:"step"`
	StepName string       `json:"step_name"`
	State    SignoffState `json:"state"`
	// Role is "feedback" (with Group) or "approval".
	Role      string    `json:"role"`
	Group     string    `json:"group,omitempty"`
	GroupName string    `json:"group_name,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

package assent_test

import (
	"fmt"
	"strings"
	"testing"

	"assent"
)

// TestSignoffStateMachine covers every state × action pair: the state it
// leads to, or "conflict".
func TestSignoffStateMachine(t *testing.T) {
	const (
		NS = assent.SignoffNotStarted
		WF = assent.SignoffWaitingForFeedback
		WA = assent.SignoffWaitingForApproval
		AP = assent.SignoffApproved
		RE = assent.SignoffRejected
		AB = assent.SignoffAbandoned
		no = assent.SignoffState("conflict")
	)
	// Columns in the order of assent.SignoffStates: NS, WF, WA, AP, RE, AB.
	// Decisions are APPROVED for approval and edit-approval; an abandon
	// from WA is cancelled.
	want := map[assent.SignoffAction][6]assent.SignoffState{
		assent.ActRequestFeedback: {WF, no, no, no, no, no},
		assent.ActRequestApproval: {WA, WA, no, no, no, no},
		assent.ActAddFeedback:     {no, WF, WA, no, no, no},
		assent.ActEditFeedback:    {no, WF, WA, no, no, no},
		assent.ActDeleteFeedback:  {no, WF, WA, no, no, no},
		assent.ActApprove:         {no, no, AP, no, no, no},
		assent.ActEditApproval:    {no, no, no, AP, AP, no},
		assent.ActDeleteApproval:  {no, no, no, WA, WA, no},
		assent.ActBackToFeedback:  {no, no, WF, no, no, no},
		assent.ActAbandon:         {AB, AB, AB, AB, AB, no},
		assent.ActCancelAbandon:   {no, no, no, no, no, WA},
		assent.ActReset:           {NS, NS, NS, NS, NS, NS},
		assent.ActDelegate:        {no, WF, WA, no, no, no},
	}
	if len(want) != len(assent.SignoffActions) {
		t.Fatalf("the table has %d actions, the machine %d", len(want), len(assent.SignoffActions))
	}
	for _, a := range assent.SignoffActions {
		for i, from := range assent.SignoffStates {
			t.Run(fmt.Sprintf("%s/%s", from, a), func(t *testing.T) {
				got, err := assent.NextSignoffState(from, a, assent.ApprovalApproved, WA)
				if want[a][i] == no {
					if assent.ErrorCode(err) != assent.ECONFLICT || !strings.Contains(err.Error(), string(from)) {
						t.Fatalf("got %s, %v; want a conflict naming the state", got, err)
					}
					return
				}
				if err != nil || got != want[a][i] {
					t.Fatalf("got %s, %v; want %s", got, err, want[a][i])
				}
			})
		}
	}
}

func TestSignoffDecisions(t *testing.T) {
	if s, _ := assent.NextSignoffState(assent.SignoffWaitingForApproval, assent.ActApprove, assent.ApprovalRejected, ""); s != assent.SignoffRejected {
		t.Fatalf("reject: %s", s)
	}
	if s, _ := assent.NextSignoffState(assent.SignoffApproved, assent.ActEditApproval, assent.ApprovalRejected, ""); s != assent.SignoffRejected {
		t.Fatalf("edit to rejected: %s", s)
	}
	if _, err := assent.NextSignoffState(assent.SignoffWaitingForApproval, assent.ActApprove, "MAYBE", ""); assent.ErrorCode(err) != assent.EINVALID {
		t.Fatalf("bad decision: %v", err)
	}
	if s, _ := assent.NextSignoffState(assent.SignoffAbandoned, assent.ActCancelAbandon, "", ""); s != assent.SignoffNotStarted {
		t.Fatalf("cancel abandon without a state before: %s", s)
	}
	_, err := assent.NextSignoffState(assent.SignoffAbandoned, assent.ActAddFeedback, "", "")
	if msg := assent.ErrorMessage(err); !strings.Contains(msg, "it allows cancel-abandon, reset") {
		t.Fatalf("message %q must say what an abandoned sign-off allows", msg)
	}
}

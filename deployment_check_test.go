package assent

import (
	"strings"
	"testing"
)

// TestDecideDeployment covers each policy against each governance state.
func TestDecideDeployment(t *testing.T) {
	gated := func(s SignoffState) GateState { return GateState{Governed: true, GatingStep: "Review", State: s} }
	states := map[string]GateState{
		"ungoverned":  {},
		"archived":    {Governed: true, Archived: true, GatingStep: "Review", State: SignoffApproved},
		"no gate":     {Governed: true},
		"not started": gated(SignoffNotStarted), "feedback": gated(SignoffWaitingForFeedback),
		"approval": gated(SignoffWaitingForApproval), "approved": gated(SignoffApproved),
		"rejected": gated(SignoffRejected), "abandoned": gated(SignoffAbandoned),
	}
	// want: decision and first reason code per policy; locked only where marked.
	tests := []struct {
		state, policy, decision, code string
		locked                        bool
	}{
		{"ungoverned", PolicyNoCheck, DecisionAllow, "NO_CHECK", false},
		{"rejected", PolicyNoCheck, DecisionAllow, "NO_CHECK", false},
		{"ungoverned", PolicyWarn, DecisionWarn, "NOT_GOVERNED", false},
		{"ungoverned", PolicyPrevent, DecisionBlock, "NOT_GOVERNED", false},
		{"archived", PolicyPrevent, DecisionBlock, "ITEM_ARCHIVED", false},
		{"no gate", PolicyWarn, DecisionWarn, "NO_GATING_SIGNOFF", false},
		{"not started", PolicyWarn, DecisionWarn, "SIGNOFF_NOT_APPROVED", false},
		{"feedback", PolicyPrevent, DecisionBlock, "SIGNOFF_NOT_APPROVED", false},
		{"approval", PolicyPrevent, DecisionBlock, "SIGNOFF_NOT_APPROVED", false},
		{"approved", PolicyWarn, DecisionAllow, "SIGNOFF_APPROVED", false},
		{"approved", PolicyPrevent, DecisionAllow, "SIGNOFF_APPROVED", false},
		{"rejected", PolicyWarn, DecisionWarn, "SIGNOFF_NOT_APPROVED", false},
		{"rejected", PolicyPrevent, DecisionBlock, "SIGNOFF_NOT_APPROVED", true},
		{"abandoned", PolicyPrevent, DecisionBlock, "SIGNOFF_NOT_APPROVED", true},
		{"abandoned", PolicyWarn, DecisionWarn, "SIGNOFF_NOT_APPROVED", false},
	}
	for _, tt := range tests {
		target := &DeploymentTarget{Name: "prod", Stage: "prod", Policy: tt.policy}
		decision, locked, reasons := DecideDeployment(target, states[tt.state])
		if decision != tt.decision || locked != tt.locked || len(reasons) == 0 || reasons[0].Code != tt.code {
			t.Errorf("%s under %s: got %s locked=%v %+v; want %s locked=%v %s", tt.state, tt.policy, decision, locked, reasons, tt.decision, tt.locked, tt.code)
			continue
		}
		if tt.locked && reasons[len(reasons)-1].Code != "WORKFLOW_LOCKED" {
			t.Errorf("%s under %s: the lock is not among the reasons: %+v", tt.state, tt.policy, reasons)
		}
		if tt.decision == DecisionWarn && !strings.Contains(reasons[0].Severity, SeverityWarning) {
			t.Errorf("%s under %s: a warning has severity %s", tt.state, tt.policy, reasons[0].Severity)
		}
	}
}

func TestDeploymentTargetValidate(t *testing.T) {
	u := DeploymentTargetUpdate{Stage: "prod", Policy: PolicyWarn}
	if err := u.Validate("automation-prod"); err != nil {
		t.Fatal(err)
	}
	if err := (&DeploymentTargetUpdate{Stage: "prod"}).Validate("automation-prod"); err == nil {
		t.Fatal("a target without a policy: no error")
	}
	bad := DeploymentTargetUpdate{Stage: "", Policy: "MAYBE"}
	err := bad.Validate("no spaces allowed")
	var locs []string
	for _, d := range err.(*Error).Details {
		locs = append(locs, d.Location)
	}
	if strings.Join(locs, ",") != "name,stage,policy" {
		t.Fatalf("locations %v; want name, stage, policy", locs)
	}
}

package assent

import (
	"fmt"
	"time"
)

// The decisions of a deployment check.
const (
	DecisionAllow = "allow"
	DecisionWarn  = "warn"
	DecisionBlock = "block"
)

// The severities of a check's reasons.
const (
	SeverityInfo    = "info"
	SeverityWarning = "warning"
	SeverityError   = "error"
)

// DeploymentCheckRequest names a target and an item: by governable id, or
// by source and key.
type DeploymentCheckRequest struct {
	Target string `json:"target"`
	Item   string `json:"item,omitempty"`
	Source string `json:"source,omitempty"`
	Key    string `json:"key,omitempty"`
}

// DeploymentCheck is the answer of a deployment check.
type DeploymentCheck struct {
	Decision     string  `json:"decision"`
	Target       string  `json:"target"`
	Stage        string  `json:"stage"`
	Policy       string  `json:"policy"`
	Item         string  `json:"item"`          // governable id
	GovernedItem *string `json:"governed_item"` // nil when not governed
	// SignoffState is the gating sign-off's state, "" when there is none.
	SignoffState string `json:"signoff_state"`
	// Locked says the item's workflow cannot move past its gating step
	// until the sign-off is reset.
	Locked  bool          `json:"locked"`
	Reasons []CheckReason `json:"reasons"`
	Time    time.Time     `json:"time"`
}

// CheckReason is one reason of a decision. Code is stable for scripts.
type CheckReason struct {
	Severity string `json:"severity"`
	Code     string `json:"code"`
	Message  string `json:"message"`
}

// GateState is what a deployment check knows of an item's governance.
type GateState struct {
	Governed bool
	Archived bool
	// GatingStep is the name of the step whose sign-off gates deployment;
	// "" when the template has none.
	GatingStep string
	State      SignoffState
}

// DecideDeployment applies DESIGN §2: NO_CHECK allows; WARN allows an
// approved item and warns otherwise; PREVENT allows an approved item and
// blocks otherwise. locked says whether the check leaves the workflow
// locked: PREVENT with a REJECTED or ABANDONED sign-off.
func DecideDeployment(target *DeploymentTarget, g GateState) (decision string, locked bool, reasons []CheckReason) {
	if target.Policy == PolicyNoCheck {
		return DecisionAllow, false, []CheckReason{{SeverityInfo, "NO_CHECK",
			fmt.Sprintf("Target %s (%s) deploys without a governance check.", target.Name, target.Stage)}}
	}
	severity, decision := SeverityWarning, DecisionWarn
	if target.Policy == PolicyPrevent {
		severity, decision = SeverityError, DecisionBlock
	}
	var why CheckReason
	switch {
	case !g.Governed:
		why = CheckReason{severity, "NOT_GOVERNED", "The item is not governed: govern it and get its deployment sign-off approved."}
	case g.Archived:
		why = CheckReason{severity, "ITEM_ARCHIVED", "The item's governance is archived; restore it and get its deployment sign-off approved."}
	case g.GatingStep == "":
		why = CheckReason{severity, "NO_GATING_SIGNOFF", "The item's template has no sign-off that gates deployment."}
	case g.State == SignoffApproved:
		return DecisionAllow, false, []CheckReason{{SeverityInfo, "SIGNOFF_APPROVED",
			fmt.Sprintf("The %s sign-off is approved.", g.GatingStep)}}
	default:
		why = CheckReason{severity, "SIGNOFF_NOT_APPROVED",
			fmt.Sprintf("The %s sign-off is %s; its final approval must be APPROVED.", g.GatingStep, g.State)}
	}
	reasons = []CheckReason{why}
	if target.Policy == PolicyPrevent && g.Governed && !g.Archived && g.GatingStep != "" && LockedState(g.State) {
		locked = true
		reasons = append(reasons, CheckReason{SeverityError, "WORKFLOW_LOCKED",
			fmt.Sprintf("The workflow is locked after the %s step until its sign-off is reset.", g.GatingStep)})
	}
	if target.Policy == PolicyWarn {
		reasons = append(reasons, CheckReason{SeverityInfo, "CONFIRM_TO_DEPLOY",
			fmt.Sprintf("Target %s warns: deploying needs a confirmation.", target.Name)})
	}
	return decision, locked, reasons
}

// LockedState says whether a gating sign-off in state s locks the workflow
// when the item is deployed to, or checked against, a PREVENT target.
func LockedState(s SignoffState) bool { return s == SignoffRejected || s == SignoffAbandoned }

package assent

import "context"

// The modes of an auto-governance rule.
const (
	RuleAutomated   = "automated"   // govern on sync with the rule's template
	RuleRecommended = "recommended" // pre-select the template in the govern dialog
	RuleNone        = "none"
)

// GovernanceRule says what happens to new governable items of a kind. A
// rule with a Parent (a governed item id) overrides the instance rule for
// the upcoming children of that item.
type GovernanceRule struct {
	Kind     string `json:"kind"`
	Parent   string `json:"parent,omitempty"`
	Mode     string `json:"mode"`
	Template string `json:"template,omitempty"`
}

// StandardTemplate is the built-in template of a kind.
func StandardTemplate(kind string) string {
	switch kind {
	case KindModelVersion:
		return "standard-model-version"
	case KindProject, KindBundle, KindModel:
		return "standard-" + kind
	}
	return ""
}

// GovernanceRuleService keeps the auto-governance rules.
type GovernanceRuleService interface {
	// FindGovernanceRules lists the rules: instance rules by kind, then
	// overrides by parent.
	FindGovernanceRules(ctx context.Context) ([]GovernanceRule, error)

	// PutGovernanceRules replaces every rule. Admins. EINVALID naming
	// rules[i] for an unknown kind, mode, template or parent.
	PutGovernanceRules(ctx context.Context, rules []GovernanceRule) ([]GovernanceRule, error)
}

package web

import (
	"context"

	"assent"
)

type rulesBody struct {
	Rules []assent.GovernanceRule `json:"rules"`
}

type rulesOutput struct {
	Body rulesBody
}

// handleRulesGet lists the auto-governance rules.
func (s *Server) handleRulesGet(ctx context.Context, _ *struct{}) (*rulesOutput, error) {
	rules, err := s.Rules.FindGovernanceRules(ctx)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	return &rulesOutput{Body: rulesBody{Rules: rules}}, nil
}

type rulesPutInput struct {
	Body rulesBody
}

// handleRulesPut replaces every auto-governance rule.
func (s *Server) handleRulesPut(ctx context.Context, in *rulesPutInput) (*rulesOutput, error) {
	rules, err := s.Rules.PutGovernanceRules(ctx, in.Body.Rules)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	return &rulesOutput{Body: rulesBody{Rules: rules}}, nil
}

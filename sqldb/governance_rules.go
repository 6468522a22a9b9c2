package sqldb

import (
	"context"
	"fmt"

	"assent"
)

// GovernanceRuleService implements assent.GovernanceRuleService.
type GovernanceRuleService struct{ db *DB }

// NewGovernanceRuleService returns the rule service of db.
func NewGovernanceRuleService(db *DB) *GovernanceRuleService { return &GovernanceRuleService{db: db} }

var _ assent.GovernanceRuleService = (*GovernanceRuleService)(nil)

// governanceRules are the rules by kind and parent ("" for the instance).
type governanceRules map[[2]string]assent.GovernanceRule

// rule returns the rule for a new child of parentItem: the parent's
// override, else the instance rule, else none.
func (r governanceRules) rule(kind string, parentItem *string) assent.GovernanceRule {
	if parentItem != nil {
		if rule, ok := r[[2]string{kind, *parentItem}]; ok {
			return rule
		}
	}
	if rule, ok := r[[2]string{kind, ""}]; ok {
		return rule
	}
	return assent.GovernanceRule{Kind: kind, Mode: assent.RuleNone}
}

// template is the template to pre-select: the rule's, else the standard one.
func (r governanceRules) template(kind string, parentItem *string) string {
	if rule := r.rule(kind, parentItem); rule.Mode != assent.RuleNone && rule.Template != "" {
		return rule.Template
	}
	return assent.StandardTemplate(kind)
}

func (r governanceRules) anyAutomated() bool {
	for _, rule := range r {
		if rule.Mode == assent.RuleAutomated {
			return true
		}
	}
	return false
}

func loadRules(ctx context.Context, q rowsQueryer) (governanceRules, error) {
	list, err := queryRules(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make(governanceRules, len(list))
	for _, r := range list {
		out[[2]string{r.Kind, r.Parent}] = r
	}
	return out, nil
}

func queryRules(ctx context.Context, q rowsQueryer) ([]assent.GovernanceRule, error) {
	rows, err := q.QueryContext(ctx, `SELECT kind, parent_id, mode, template_id FROM governance_rules ORDER BY parent_id, kind`)
	if err != nil {
		return nil, fmt.Errorf("find governance rules: %w", err)
	}
	defer rows.Close()
	out := []assent.GovernanceRule{}
	for rows.Next() {
		var r assent.GovernanceRule
		if err := rows.Scan(&r.Kind, &r.Parent, &r.Mode, &r.Template); err != nil {
			return nil, fmt.Errorf("find governance rules: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// FindGovernanceRules lists the rules.
func (s *GovernanceRuleService) FindGovernanceRules(ctx context.Context) ([]assent.GovernanceRule, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleViewer); err != nil {
		return nil, err
	}
	return queryRules(ctx, s.db.read)
}

// PutGovernanceRules replaces every rule after checking each.
func (s *GovernanceRuleService) PutGovernanceRules(ctx context.Context, rules []assent.GovernanceRule) ([]assent.GovernanceRule, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleAdmin); err != nil {
		return nil, err
	}
	var out []assent.GovernanceRule
	err := s.db.inTx(ctx, func(tx *Tx) error {
		if err := checkRules(ctx, tx, rules); err != nil {
			return err
		}
		old, err := queryRules(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM governance_rules`); err != nil {
			return fmt.Errorf("replace governance rules: %w", err)
		}
		for _, r := range rules {
			if _, err := tx.ExecContext(ctx, `INSERT INTO governance_rules (kind, parent_id, mode, template_id) VALUES ($1, $2, $3, $4)`,
				r.Kind, r.Parent, r.Mode, r.Template); err != nil {
				return fmt.Errorf("replace governance rules: %w", err)
			}
		}
		if out, err = queryRules(ctx, tx); err != nil {
			return err
		}
		if !jsonEqual(old, out) {
			tx.record("governance_rules", "instance", "governance_rules.update", map[string]any{"rules": old}, map[string]any{"rules": out})
		}
		return nil
	})
	return out, err
}

// checkRules names each bad rule: kind, mode, a template of the kind's
// type with an active version, and a parent of the right type.
func checkRules(ctx context.Context, tx *Tx, rules []assent.GovernanceRule) error {
	var p assent.Problems
	seen := map[[2]string]int{}
	for i := range rules {
		r := &rules[i]
		at := fmt.Sprintf("rules[%d]", i)
		if assent.KindDepth(r.Kind) < 0 {
			p.Add(at+".kind", "must be project, bundle, model or model_version")
			continue
		}
		switch r.Mode {
		case assent.RuleAutomated, assent.RuleRecommended, assent.RuleNone:
		default:
			p.Add(at+".mode", "must be automated, recommended or none")
		}
		if j, dup := seen[[2]string{r.Kind, r.Parent}]; dup {
			p.Add(at, "repeats rules[%d]: one rule per kind and parent", j)
		}
		seen[[2]string{r.Kind, r.Parent}] = i
		if r.Mode == assent.RuleAutomated && r.Template == "" {
			p.Add(at+".template", "an automated rule needs the template to govern with")
		}
		if r.Template != "" {
			v, err := findTemplateVersion(ctx, tx, r.Template, 0)
			switch {
			case assent.ErrorCode(err) == assent.ENOTFOUND:
				p.Add(at+".template", "template %q has no active version", r.Template)
			case err != nil:
				return err
			case v.Definition.ItemType != r.Kind:
				p.Add(at+".template", "template %q makes %s items, not %s items", r.Template, kindLabel(v.Definition.ItemType), kindLabel(r.Kind))
			}
		}
		if r.Parent != "" {
			want := assent.ParentKind(r.Kind)
			it, err := findItem(ctx, tx, r.Parent)
			switch {
			case want == "":
				p.Add(at+".parent", "a project has no parent to override its rule")
			case assent.ErrorCode(err) == assent.ENOTFOUND:
				p.Add(at+".parent", "no item %q", r.Parent)
			case err != nil:
				return err
			case it.Type != want:
				p.Add(at+".parent", "item %s is a %s; the parent of a %s is a %s", r.Parent, kindLabel(it.Type), kindLabel(r.Kind), want)
			}
		}
	}
	return p.Err()
}

// autoGovern governs the items a batch created when their rule is
// automated and their parent governed. A rule whose template can no
// longer govern (archived since) leaves the item governable.
func (s *GovernableService) autoGovern(ctx context.Context, tx *Tx, created []*govRow, byKey map[string]*govRow) (int, error) {
	if len(created) == 0 {
		return 0, nil
	}
	rules, err := loadRules(ctx, tx)
	if err != nil || !rules.anyAutomated() {
		return 0, err
	}
	byID := make(map[string]*govRow, len(byKey))
	for _, r := range byKey {
		byID[r.id] = r
	}
	governed := 0
	for _, g := range created { // parents come first
		if g.status != assent.StatusGovernable {
			continue
		}
		var parentItem *string
		if g.parent != nil {
			p := byID[*g.parent]
			if p == nil || p.governed == nil {
				continue
			}
			parentItem = p.governed
		}
		rule := rules.rule(g.kind, parentItem)
		if rule.Mode != assent.RuleAutomated {
			continue
		}
		_, err := s.governOne(ctx, tx, g, rule.Template, "template", parentItem, "")
		if assent.ErrorCode(err) == assent.EINVALID {
			continue
		} else if err != nil {
			return 0, err
		}
		governed++
	}
	return governed, nil
}

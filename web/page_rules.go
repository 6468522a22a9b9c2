package web

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"

	"assent"
)

// ruleRow is one row of the governance rules form: rows 0 to 3 are the
// instance rules of each kind, the others overrides for the children of a
// governed item, the last of them blank to add one.
type ruleRow struct {
	Index                  int
	Kind, Parent           string
	Mode, Template         string
	Remove                 bool
	Instance               bool
	Label                  string // "Projects"
	ParentName, ParentType string
}

// Name is the form name of one of the row's inputs: rules[3].mode.
func (r ruleRow) Name(input string) string { return fmt.Sprintf("rules[%d].%s", r.Index, input) }

type rulesData struct {
	Rows      []ruleRow
	Templates map[string][]templateChoice
	// OverrideKinds are the kinds an override may be for; Parents the
	// governed items that may carry one (projects and models).
	OverrideKinds []nameValue
	Parents       []*assent.Item
	Modes         []nameValue
}

var ruleModes = []nameValue{{assent.RuleNone, "None"}, {assent.RuleRecommended, "Recommended"}, {assent.RuleAutomated, "Automated"}}

var kindTitles = map[string]string{assent.KindProject: "Projects", assent.KindBundle: "Bundles", assent.KindModel: "Models", assent.KindModelVersion: "Model versions"}

// rulesRows lays rules out as the form's rows.
func rulesRows(rules []assent.GovernanceRule) []ruleRow {
	var rows []ruleRow
	for _, k := range assent.GovernableKinds {
		row := ruleRow{Index: len(rows), Kind: k, Mode: assent.RuleNone, Instance: true, Label: kindTitles[k]}
		for _, r := range rules {
			if r.Kind == k && r.Parent == "" {
				row.Mode, row.Template = r.Mode, r.Template
			}
		}
		rows = append(rows, row)
	}
	for _, r := range rules {
		if r.Parent != "" {
			rows = append(rows, ruleRow{Index: len(rows), Kind: r.Kind, Parent: r.Parent, Mode: r.Mode, Template: r.Template})
		}
	}
	return append(rows, ruleRow{Index: len(rows), Kind: assent.KindModelVersion, Mode: assent.RuleRecommended})
}

func (s *Server) renderAdminRules(w http.ResponseWriter, r *http.Request, status int, rows []ruleRow, errs map[string]string) {
	ctx := r.Context()
	d := &rulesData{Rows: rows, Modes: ruleModes, OverrideKinds: []nameValue{
		{assent.KindBundle, kindTitles[assent.KindBundle]}, {assent.KindModel, kindTitles[assent.KindModel]}, {assent.KindModelVersion, kindTitles[assent.KindModelVersion]}}}
	var err error
	if d.Templates, err = s.activeTemplates(ctx); err != nil {
		s.pageError(w, r, err)
		return
	}
	names := map[string]*assent.Item{}
	for _, typ := range []string{assent.KindProject, assent.KindModel} {
		items, _, err := s.Items.FindItems(ctx, assent.ItemFilter{Type: typ, Limit: assent.MaxPageSize})
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		for _, it := range items {
			d.Parents, names[it.ID] = append(d.Parents, it), it
		}
	}
	for i := range d.Rows {
		row := &d.Rows[i]
		if row.Parent == "" {
			continue
		}
		if it, ok := names[row.Parent]; ok {
			row.ParentName, row.ParentType = it.Name, it.Type
		} else if it, err := s.Items.FindItem(ctx, row.Parent); err == nil {
			// Past the first page, or archived: still offered, so saving keeps it.
			row.ParentName, row.ParentType = it.Name, it.Type
		}
	}
	s.render(w, r, status, "admin_rules", &page{Title: "Governance rules", Section: "admin", Data: d, Errors: errs})
}

// handleAdminRules shows the auto-governance rules.
func (s *Server) handleAdminRules(w http.ResponseWriter, r *http.Request) {
	rules, err := s.Rules.FindGovernanceRules(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.renderAdminRules(w, r, http.StatusOK, rulesRows(rules), nil)
}

var ruleLocation = regexp.MustCompile(`^rules\[(\d+)\]`)

// handleAdminRulesSave replaces every rule with the form's rows: instance
// rules that say nothing and overrides without a parent are left out, and
// rows marked for removal dropped.
func (s *Server) handleAdminRulesSave(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r) {
		return
	}
	var rows []ruleRow
	var rules []assent.GovernanceRule
	var sent []int // the form row of each rule sent
	errs := map[string]string{}
	for i := 0; i < 1000; i++ {
		row := ruleRow{Index: i, Instance: i < len(assent.GovernableKinds)}
		row.Kind, row.Parent = r.PostFormValue(row.Name("kind")), r.PostFormValue(row.Name("parent"))
		row.Mode, row.Template = r.PostFormValue(row.Name("mode")), r.PostFormValue(row.Name("template"))
		row.Remove = r.PostFormValue(row.Name("remove")) == "1"
		if row.Instance {
			row.Kind, row.Parent, row.Label = assent.GovernableKinds[i], "", kindTitles[assent.GovernableKinds[i]]
			if row.Mode == "" {
				row.Mode = assent.RuleNone
			}
		} else if row.Kind == "" && row.Mode == "" {
			break
		}
		rows = append(rows, row)
		switch {
		case row.Remove:
			continue
		case row.Instance && row.Mode == assent.RuleNone && row.Template == "":
			continue
		case !row.Instance && row.Parent == "":
			if row.Template != "" {
				errs[row.Name("parent")] = "Choose the governed item whose new children this rule is for."
			}
			continue
		}
		rules = append(rules, assent.GovernanceRule{Kind: row.Kind, Parent: row.Parent, Mode: row.Mode, Template: row.Template})
		sent = append(sent, i)
	}
	if len(errs) == 0 {
		_, err := s.Rules.PutGovernanceRules(r.Context(), rules)
		if err == nil {
			s.redirect(w, r, "/admin/governance-rules", "ok", "Governance rules saved.")
			return
		}
		if assent.ErrorCode(err) != assent.EINVALID {
			s.pageError(w, r, err)
			return
		}
		for loc, msg := range fieldErrors(err, nil) {
			// rules[j] of what was sent is the form's row sent[j].
			if m := ruleLocation.FindStringSubmatch(loc); m != nil {
				if j, _ := strconv.Atoi(m[1]); j < len(sent) {
					loc = fmt.Sprintf("rules[%d]", sent[j]) + loc[len(m[0]):]
				}
			}
			errs[loc] = msg
		}
	}
	// A row that was blank stays last, ready for another override.
	if len(rows) == 0 || rows[len(rows)-1].Instance || rows[len(rows)-1].Parent != "" {
		rows = append(rows, ruleRow{Index: len(rows), Kind: assent.KindModelVersion, Mode: assent.RuleRecommended})
	}
	s.renderAdminRules(w, r, http.StatusUnprocessableEntity, rows, errs)
}

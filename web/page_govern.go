package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"assent"
)

// templateChoice is a template offered by a select.
type templateChoice struct{ ID, Name string }

// childChoice is a kind of descendant the govern form can govern too.
type childChoice struct {
	Kind, Plural string
	Templates    []templateChoice
}

// governData is what the govern form shows.
type governData struct {
	G         gview
	Parent    *assent.GovernableItem // nil for a project
	Templates []templateChoice
	Children  []childChoice
	// Initiatives and Projects are the governed items a project may be
	// linked to or attached to.
	Initiatives, Projects []*assent.Item
	InDialog              bool   // drawn inside a <dialog> on the page that asked (htmx)
	Back                  string // where Cancel goes without a dialog
}

// ParentUngoverned reports whether the item's parent is not governed yet.
func (d *governData) ParentUngoverned() bool { return d.Parent != nil && d.Parent.GovernedItem == nil }

// ParentKind names the parent's kind in a sentence.
func (d *governData) ParentKind() string { return kindLabel(d.Parent.Kind) }

// activeTemplates lists the templates with an active version, by item type.
func (s *Server) activeTemplates(ctx context.Context) (map[string][]templateChoice, error) {
	list, err := s.Templates.FindTemplates(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string][]templateChoice{}
	for _, t := range list {
		if slices.ContainsFunc(t.Versions, func(v *assent.TemplateVersion) bool { return v.Status == assent.TemplateActive }) {
			out[t.ItemType] = append(out[t.ItemType], templateChoice{t.ID, t.Name})
		}
	}
	return out, nil
}

// recommendedTemplate is the template the govern form pre-selects: the
// rule's when it recommends or automates one (the parent's override
// first), else the standard one.
func recommendedTemplate(rules []assent.GovernanceRule, kind string, parentItem *string) string {
	var found *assent.GovernanceRule
	for i, r := range rules {
		if r.Kind != kind {
			continue
		}
		if r.Parent == "" && found == nil {
			found = &rules[i]
		} else if parentItem != nil && r.Parent == *parentItem {
			found = &rules[i]
			break
		}
	}
	if found != nil && found.Mode != assent.RuleNone && found.Template != "" {
		return found.Template
	}
	return assent.StandardTemplate(kind)
}

// loadGovernForm gathers what the govern form of the item in the path
// offers, and its default values.
func (s *Server) loadGovernForm(r *http.Request) (*governData, map[string]string, error) {
	ctx := r.Context()
	g, err := s.Governables.FindGovernableItem(ctx, r.PathValue("id"))
	if err != nil {
		return nil, nil, err
	}
	d := &governData{G: gview{g}, InDialog: r.Header.Get("HX-Request") == "true", Back: backURL(r, "/governable-items/"+g.ID)}
	var parentItem *string
	if g.Parent != nil {
		if d.Parent, err = s.Governables.FindGovernableItem(ctx, *g.Parent); err != nil {
			return nil, nil, err
		}
		parentItem = d.Parent.GovernedItem
	}
	templates, err := s.activeTemplates(ctx)
	if err != nil {
		return nil, nil, err
	}
	rules, err := s.Rules.FindGovernanceRules(ctx)
	if err != nil {
		return nil, nil, err
	}
	d.Templates = templates[g.Kind]
	form := map[string]string{"template": recommendedTemplate(rules, g.Kind, parentItem)}
	// The kinds below the item that it has: bundles and models of a
	// project, and versions when it has models.
	var kinds []string
	for _, k := range []string{assent.KindBundle, assent.KindModel} {
		if g.Kind != assent.KindProject {
			break
		}
		has, _, err := s.Governables.FindGovernableItems(ctx, assent.GovernableFilter{Parent: g.ID, Kind: k, Limit: 1})
		if err != nil {
			return nil, nil, err
		}
		if len(has) > 0 {
			kinds = append(kinds, k)
		}
	}
	switch {
	case slices.Contains(kinds, assent.KindModel): // a project's versions hang below its models
		kinds = append(kinds, assent.KindModelVersion)
	case g.Kind == assent.KindModel:
		has, _, err := s.Governables.FindGovernableItems(ctx, assent.GovernableFilter{Parent: g.ID, Kind: assent.KindModelVersion, Limit: 1})
		if err != nil {
			return nil, nil, err
		}
		if len(has) > 0 {
			kinds = append(kinds, assent.KindModelVersion)
		}
	}
	for _, k := range kinds {
		d.Children = append(d.Children, childChoice{Kind: k, Plural: kindPlural(k), Templates: templates[k]})
		form["children_templates."+k] = recommendedTemplate(rules, k, nil)
	}
	// Bundles of a project and versions of a model are governed with it
	// unless unchecked, as in the tutorial.
	if g.Kind == assent.KindProject && slices.Contains(kinds, assent.KindBundle) {
		form["children."+assent.KindBundle] = "1"
	}
	if g.Kind == assent.KindModel && len(kinds) > 0 {
		form["children."+assent.KindModelVersion] = "1"
	}
	if g.Kind == assent.KindProject {
		if d.Initiatives, _, err = s.Items.FindItems(ctx, assent.ItemFilter{Type: "business_initiative", Limit: assent.MaxPageSize}); err != nil {
			return nil, nil, err
		}
		if d.Projects, _, err = s.Items.FindItems(ctx, assent.ItemFilter{Type: assent.KindProject, Limit: assent.MaxPageSize}); err != nil {
			return nil, nil, err
		}
	}
	return d, form, nil
}

// handleGovernFormPage shows the govern form: inside a dialog when htmx asks
// for it from a list, as a page of its own otherwise.
func (s *Server) handleGovernFormPage(w http.ResponseWriter, r *http.Request) {
	if !assent.UserFromContext(r.Context()).HasRole(assent.RoleMember) {
		s.renderError(w, r, http.StatusForbidden, "Members only", "Governing needs the member role. Ask an admin if you need it.")
		return
	}
	d, form, err := s.loadGovernForm(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.renderGovernForm(w, r, http.StatusOK, d, form, nil)
}

func (s *Server) renderGovernForm(w http.ResponseWriter, r *http.Request, status int, d *governData, form, errs map[string]string) {
	section := map[string]string{assent.KindModel: "models", assent.KindModelVersion: "models", assent.KindBundle: "bundles"}[d.G.Kind]
	if section == "" {
		section = "governable"
	}
	s.render(w, r, status, "governable_govern", &page{Title: "Govern " + d.G.Name, Section: section, Data: d, Form: form, Errors: errs})
}

// handleGovernPage governs an item as the form asks and opens its governed
// item; a refusal comes back in the form, next to the field at fault.
func (s *Server) handleGovernPage(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r) {
		return
	}
	d, _, err := s.loadGovernForm(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d.InDialog = false
	names := []string{"template", "business_initiative", "attach_to", "govern_parents", "back"}
	for _, c := range d.Children {
		names = append(names, "children."+c.Kind, "children_templates."+c.Kind)
	}
	form := formValues(r, names...)
	req := assent.GovernRequest{Template: form["template"], GovernParents: form["govern_parents"] == "1",
		AttachTo: form["attach_to"], BusinessInitiative: form["business_initiative"]}
	if req.AttachTo != "" {
		req.Template = "" // an attached project joins an item that has its template
	}
	for _, c := range d.Children {
		if form["children."+c.Kind] == "1" {
			req.ChildrenKinds = append(req.ChildrenKinds, c.Kind)
			if t := form["children_templates."+c.Kind]; t != "" {
				if req.ChildrenTemplates == nil {
					req.ChildrenTemplates = map[string]string{}
				}
				req.ChildrenTemplates[c.Kind] = t
			}
		}
	}
	req.GovernChildren = len(req.ChildrenKinds) > 0
	res, err := s.Governables.GovernItem(r.Context(), d.G.ID, req)
	if err != nil {
		code := assent.ErrorCode(err)
		if code != assent.EINVALID && code != assent.ECONFLICT {
			s.pageError(w, r, err)
			return
		}
		errs := fieldErrors(err, nil)
		// What the form has no input for shows above it.
		for loc, msg := range errs {
			if _, ok := form[loc]; !ok && loc != "" {
				delete(errs, loc)
				errs[""] = strings.TrimSpace(errs[""] + " " + loc + ": " + msg)
			}
		}
		s.renderGovernForm(w, r, statusOf[code], d, form, errs)
		return
	}
	msg := fmt.Sprintf("The %s “%s” is governed", d.G.KindLabel(), d.G.Name)
	if n := len(res.Governed) - 1; n == 1 {
		msg += ", with 1 more item"
	} else if n > 1 {
		msg += fmt.Sprintf(", with %d more items", n)
	}
	s.redirect(w, r, "/items/"+res.Item.ID, "ok", msg+".")
}

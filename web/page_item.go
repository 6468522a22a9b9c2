package web

import (
	"context"
	"net/http"
	"strconv"

	"assent"
)

// itemView is what the item page shows.
type itemView struct {
	Item        *assent.Item
	Template    *assent.Template
	Parent      *assent.Item
	Step        *assent.StepDef  // the step shown, nil for the overview
	StepState   assent.StepState // its status
	Editing     bool
	Sections    []viewSection // what the main panel shows
	Attachments map[string]*assent.Attachment
	Events      []*assent.Event
	Choices     map[string][]*assent.Item // reference fields → items to choose from
	CanEdit     bool
	// SourceObjects are the governable items the item governs; Related the
	// governed models (with their versions) and bundles of a project, or
	// the versions of a model. The overview shows them.
	SourceObjects []*assent.GovernableItem
	Related       []relatedItem
	// Signoff is the sign-off panel of the step shown, nil when it has none.
	Signoff *signoffPanel
	// People are the users and groups the principals pickers offer.
	People *principalOptions
	// Subscribed: the user follows the item, directly or through its project.
	Subscribed bool
	// Tabs are the Model metrics and Deployments tabs of a model version or
	// bundle; Tab is the one shown ("" for none), with a panel per source
	// object.
	Tabs        []detailsTab
	Tab         string
	Metrics     []*metricsView
	Deployments []*deploymentsView
}

// relatedItem is a governed child of an item, with its own children.
type relatedItem struct {
	*assent.Item
	Children []relatedItem
}

// TypeLabel names the item's type in a sentence: "model version".
func (v *itemView) TypeLabel() string { return kindLabel(v.Item.Type) }

// StepName is the name of the item's current step, as its template says.
func (v *itemView) StepName() string {
	for _, st := range v.Template.Steps {
		if st.ID == v.Item.Workflow.CurrentStep {
			return st.Name
		}
	}
	return v.Item.Workflow.CurrentStep
}

// TypeLabel names the item's type in a sentence: "model version".
func (r relatedItem) TypeLabel() string { return kindLabel(r.Type) }

// StepName is the name of the item's current step.
func (r relatedItem) StepName() string {
	for _, st := range r.Workflow.Steps {
		if st.ID == r.Workflow.CurrentStep {
			return st.Name
		}
	}
	return r.Workflow.CurrentStep
}

// viewSection is a titled list of fields.
type viewSection struct {
	Title  string
	Fields []*assent.FieldDef
}

// loadItemView gathers the item, its template and what the page needs.
func (s *Server) loadItemView(r *http.Request) (*itemView, error) {
	ctx := r.Context()
	it, err := s.Items.FindItem(ctx, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	v, err := s.Templates.FindTemplateVersion(ctx, it.Template.ID, it.Template.Version)
	if err != nil {
		return nil, err
	}
	view := &itemView{Item: it, Template: v.Definition, Attachments: map[string]*assent.Attachment{}, Choices: map[string][]*assent.Item{},
		CanEdit: assent.UserFromContext(ctx).HasRole(assent.RoleMember) && !it.Archived}
	if s.Subscriptions != nil {
		if view.Subscribed, err = s.Subscriptions.IsSubscribed(ctx, it.ID); err != nil {
			return nil, err
		}
	}
	if it.Parent != nil {
		view.Parent, _ = s.Items.FindItem(ctx, *it.Parent)
	}
	t := view.Template
	if id := r.URL.Query().Get("step"); id != "" {
		for i := range t.Steps {
			if t.Steps[i].ID == id {
				view.Step = &t.Steps[i]
			}
		}
		for _, st := range it.Workflow.Steps {
			if st.ID == id {
				view.StepState = st
			}
		}
	}
	if view.Step != nil {
		sec := viewSection{Title: view.Step.Name}
		for _, f := range view.Step.Fields {
			sec.Fields = append(sec.Fields, t.Field(f))
		}
		view.Sections = []viewSection{sec}
	} else {
		for _, o := range t.Overview {
			sec := viewSection{Title: o.Title}
			for _, f := range o.Fields {
				sec.Fields = append(sec.Fields, t.Field(f))
			}
			view.Sections = append(view.Sections, sec)
		}
	}
	view.Tabs, view.Tab = itemTabs(it, view.Step == nil, r.URL.Query().Get("tab"))
	view.Editing = r.URL.Query().Get("edit") == "1" && view.CanEdit && view.Tab == ""
	if !view.Editing {
		var err error
		if view.Signoff, err = s.loadSignoffPanel(r, view); err != nil {
			return nil, err
		}
	}
	if view.Editing {
		if err := s.loadPrincipalOptions(ctx, view); err != nil {
			return nil, err
		}
		for _, sec := range view.Sections {
			for _, f := range sec.Fields {
				if f.Type == assent.FieldReference {
					// The current value is always offered, even archived or past
					// the first page, so that saving keeps it.
					if cur, ok := it.Fields[f.ID].(string); ok {
						if ref, err := s.Items.FindItem(ctx, cur); err == nil {
							view.Choices[f.ID] = append(view.Choices[f.ID], ref)
						}
					}
					for _, typ := range f.ReferenceTypes {
						items, _, err := s.Items.FindItems(ctx, assent.ItemFilter{Type: typ, Limit: assent.MaxPageSize})
						if err != nil {
							return nil, err
						}
						for _, ref := range items {
							if ref.ID != it.Fields[f.ID] {
								view.Choices[f.ID] = append(view.Choices[f.ID], ref)
							}
						}
					}
				}
			}
		}
	}
	atts, err := s.Attachments.FindItemAttachments(ctx, it.ID)
	if err != nil {
		return nil, err
	}
	for _, a := range atts {
		view.Attachments[a.ID] = a
	}
	view.Events, _, err = s.Events.FindEvents(ctx, assent.EventFilter{ObjectType: "item", ObjectID: it.ID, Limit: 50})
	if err != nil || view.Step != nil || view.Editing {
		return view, err
	}
	if view.Tab != "" {
		return view, s.loadItemTab(ctx, view, r.URL.Query().Get("focus"))
	}
	return view, s.loadRelated(ctx, view)
}

// itemTabs lists the tabs of a model version (Model metrics, Deployments)
// or a bundle (Deployments), and which of them the address asks for when
// no step is shown.
func itemTabs(it *assent.Item, overview bool, asked string) ([]detailsTab, string) {
	var tabs []detailsTab
	switch it.Type {
	case assent.KindModelVersion:
		tabs = append(tabs, detailsTab{ID: tabMetrics, Label: "Model metrics"}, detailsTab{ID: tabDeployments, Label: "Deployments"})
	case assent.KindBundle:
		tabs = append(tabs, detailsTab{ID: tabDeployments, Label: "Deployments"})
	}
	current := ""
	for i := range tabs {
		tabs[i].URL = "/items/" + it.ID + "?tab=" + tabs[i].ID
		if overview && tabs[i].ID == asked {
			tabs[i].Current, current = true, asked
		}
	}
	return tabs, current
}

// loadItemTab reads the tab shown for each source object of the item.
func (s *Server) loadItemTab(ctx context.Context, view *itemView, focus string) error {
	if focus == "" {
		focus = assent.DefaultFocusMetric
	}
	for _, id := range view.Item.GovernableItems {
		g, err := s.Governables.FindGovernableItem(ctx, id)
		if err != nil {
			return err
		}
		switch {
		case view.Tab == tabMetrics && g.Kind == assent.KindModelVersion:
			mv, err := s.loadMetricsView(ctx, g, focus)
			if err != nil {
				return err
			}
			view.Metrics = append(view.Metrics, mv)
		case view.Tab == tabDeployments:
			dv, err := s.loadDeploymentsView(ctx, g, view.Item, view.Template)
			if err != nil {
				return err
			}
			view.Deployments = append(view.Deployments, dv)
		}
	}
	return nil
}

// loadRelated reads what the overview lists beside the fields: the
// source objects, and the governed models and bundles of a project with
// the models' versions, or the versions of a model.
func (s *Server) loadRelated(ctx context.Context, view *itemView) error {
	var err error
	it := view.Item
	if view.SourceObjects, err = s.Governables.FindSourceObjects(ctx, it.ID); err != nil {
		return err
	}
	children := func(parent, typ string) ([]relatedItem, error) {
		items, _, err := s.Items.FindItems(ctx, assent.ItemFilter{Parent: parent, Type: typ, Limit: assent.MaxPageSize})
		out := make([]relatedItem, len(items))
		for i, it := range items {
			out[i] = relatedItem{Item: it}
		}
		return out, err
	}
	switch it.Type {
	case assent.KindProject:
		models, err := children(it.ID, assent.KindModel)
		if err != nil {
			return err
		}
		for _, m := range models {
			versions, err := children(m.ID, assent.KindModelVersion)
			if err != nil {
				return err
			}
			m.Children = versions
			view.Related = append(view.Related, m)
		}
		bundles, err := children(it.ID, assent.KindBundle)
		if err != nil {
			return err
		}
		view.Related = append(view.Related, bundles...)
	case assent.KindModel:
		view.Related, err = children(it.ID, assent.KindModelVersion)
		return err
	}
	return nil
}

// handleItemPage shows an item: overview or one step, reading or editing.
func (s *Server) handleItemPage(w http.ResponseWriter, r *http.Request) {
	view, err := s.loadItemView(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.renderItem(w, r, http.StatusOK, view, nil, nil)
}

func (s *Server) renderItem(w http.ResponseWriter, r *http.Request, status int, view *itemView, form map[string]string, errs map[string]string) {
	section := map[string]string{"project": "projects", "business_initiative": "initiatives", "model": "models", "model_version": "models", "bundle": "bundles"}[view.Item.Type]
	if form == nil {
		form = map[string]string{}
		for id, v := range view.Item.Fields {
			form[id] = formText(view.Template.Field(id), v)
		}
	}
	s.render(w, r, status, "item", &page{Title: view.Item.Name, Section: section, Data: view, Form: form, Errors: errs})
}

// itemURL is the page of an item, on a step when one is given.
func itemURL(id, step string) string {
	if step == "" {
		return "/items/" + id
	}
	return "/items/" + id + "?step=" + step
}

// formRevision reads the revision a form was drawn at.
func formRevision(r *http.Request) *int64 {
	n, err := strconv.ParseInt(r.PostFormValue("revision"), 10, 64)
	if err != nil {
		return nil
	}
	return &n
}

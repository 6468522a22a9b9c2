package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"assent"
)

// registry describes the model registry or the bundle registry: the same
// page over models with their versions, or over bundles.
type registry struct {
	Path, Title, Purpose, Section string
	Kind                          string // the rows' kind: model or bundle
	Param                         string // the parameter that selects the row whose details show
	Noun                          string
}

var (
	modelRegistry = &registry{Path: "/model-registry", Title: "Model registry", Section: "models", Kind: assent.KindModel, Param: "version", Noun: "model",
		Purpose: "Every model of every project with its versions, governed or not: where each stands in its workflow and its deployment sign-off."}
	bundleRegistry = &registry{Path: "/bundle-registry", Title: "Bundle registry", Section: "bundles", Kind: assent.KindBundle, Param: "bundle", Noun: "bundle",
		Purpose: "Every bundle of every project, governed or not: where each stands in its workflow and its deployment sign-off."}
)

// registryRow is one source object of a registry with its governance.
type registryRow struct {
	gview
	Gov          *assent.GovernedSummary
	TemplateName string
	Step         string // the current step's name
	Gating       string // the gating step, its status and its sign-off's state
	Depth        int
	// Within is the ids of the rows this row folds under (its project, and
	// a version's model); Folds says the row can fold the rows within it.
	Within string
	Folds  bool
	// MetricColumns says the table has the focus and data drift columns;
	// Metrics fills them for a model version.
	MetricColumns bool
	Metrics       *focusCells
	Select        string // the address that shows the row's details; "" for none
	Selected      bool
	CanAct        bool
	Back          string
}

type registryGroup struct {
	Project *registryRow
	Rows    []*registryRow
}

type registryData struct {
	*registry
	State listState
	// SignoffStates are the choices of the sign-off filter.
	SignoffStates []nameValue
	Groups        []*registryGroup
	Next          string
	First         string
	Details       *registryDetails
	// Focus is the metric to focus of the model registry, nil for bundles.
	Focus *focusChoice
	// Carry are the parameters the filter form keeps unseen: the selected
	// row and its tab.
	Carry []nameValue
}

// registryDetails is the panel of the selected version or bundle.
type registryDetails struct {
	Row        *registryRow
	Source     *assent.Source
	Item       *assent.Item // the governed item, nil when there is none
	Step       string       // its current step's name
	Attributes []attribute
	Close      string
	// Tabs are the panel's tabs; Tab the one shown ("" for Details) with
	// what it shows.
	Tabs        []detailsTab
	Tab         string
	Metrics     *metricsView
	Deployments *deploymentsView
}

// detailsTab is a link to one tab of the details panel.
type detailsTab struct {
	ID, Label, URL string
	Current        bool
}

// The tabs of the details panel besides Details.
const (
	tabMetrics     = "metrics"
	tabDeployments = "deployments"
)

// templateNames reads template versions once per page, for the names of
// templates and steps.
type templateNames struct {
	s     *Server
	ctx   context.Context
	cache map[assent.TemplateRef]*assent.Template
}

func (n *templateNames) get(ref assent.TemplateRef) *assent.Template {
	t, ok := n.cache[ref]
	if !ok {
		if v, err := n.s.Templates.FindTemplateVersion(n.ctx, ref.ID, ref.Version); err == nil {
			t = v.Definition
		}
		n.cache[ref] = t
	}
	return t
}

func (n *templateNames) step(ref assent.TemplateRef, id string) string {
	if t := n.get(ref); t != nil {
		for _, st := range t.Steps {
			if st.ID == id {
				return st.Name
			}
		}
	}
	return id
}

// row makes the registry row of an entry.
func (n *templateNames) row(e assent.RegistryEntry, depth int, canAct bool, back string) *registryRow {
	row := &registryRow{gview: gview{e.Governable}, Gov: e.Governed, Depth: depth, CanAct: canAct, Back: back}
	if sum := e.Governed; sum != nil {
		row.TemplateName = sum.Template.ID
		if t := n.get(sum.Template); t != nil {
			row.TemplateName = t.Name
		}
		row.Step = n.step(sum.Template, sum.CurrentStep)
		if sum.GatingStep != "" {
			row.Gating = n.step(sum.Template, sum.GatingStep) + ": " + stepName(sum.GatingStatus)
			if sum.SignoffState != "" {
				row.Gating += " · sign-off " + strings.ToLower(strings.ReplaceAll(sum.SignoffState, "_", " "))
			}
		}
	}
	return row
}

// handleRegistryPage shows a registry page, with the details of the row its
// address selects.
func (s *Server) handleRegistryPage(reg *registry) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		d, err := s.newRegistryData(r, reg)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		st := d.State
		canAct, back := assent.UserFromContext(ctx).HasRole(assent.RoleMember), r.URL.RequestURI()
		names := &templateNames{s: s, ctx: ctx, cache: map[assent.TemplateRef]*assent.Template{}}
		selected := st.Get(reg.Param)
		selectable := func(row *registryRow) *registryRow {
			row.Select = st.With("cursor", st.Get("cursor"), reg.Param, row.ID)
			row.Selected = row.ID == selected
			return row
		}
		group := func(project assent.RegistryEntry) *registryGroup {
			if n := len(d.Groups); n > 0 && d.Groups[n-1].Project.ID == project.Governable.ID {
				return d.Groups[n-1]
			}
			g := &registryGroup{Project: names.row(project, 0, canAct, back)}
			d.Groups = append(d.Groups, g)
			return g
		}
		f := assent.RegistryFilter{Q: st.Get("q"), Signoff: st.Get("signoff"), Limit: govPageSize, Cursor: st.Get("cursor")}
		withMetrics := func(row *registryRow, sum *assent.MetricSummary) *registryRow {
			row.MetricColumns = true
			if sum != nil {
				row.Metrics = newFocusCells(sum, d.Focus.MetricInfo)
			}
			return row
		}
		var next string
		if reg.Kind == assent.KindModel {
			var models []*assent.RegistryModel
			f.Focus = d.Focus.Name
			if models, next, err = s.Registries.FindModels(ctx, f); err != nil {
				s.pageError(w, r, err)
				return
			}
			for _, m := range models {
				g := group(m.Project)
				g.Project.MetricColumns = true
				g.Project.Folds = true
				model := withMetrics(names.row(m.Model, 1, canAct, back), nil)
				model.Within, model.Folds = g.Project.ID, len(m.Versions) > 0
				g.Rows = append(g.Rows, model)
				for _, v := range m.Versions {
					version := withMetrics(selectable(names.row(v, 2, canAct, back)), v.Focus)
					version.Within = g.Project.ID + " " + model.ID
					g.Rows = append(g.Rows, version)
				}
			}
		} else {
			var bundles []*assent.RegistryBundle
			if bundles, next, err = s.Registries.FindBundles(ctx, f); err != nil {
				s.pageError(w, r, err)
				return
			}
			for _, b := range bundles {
				g := group(b.Project)
				g.Project.Folds = true
				bundle := selectable(names.row(b.Bundle, 1, canAct, back))
				bundle.Within = g.Project.ID
				g.Rows = append(g.Rows, bundle)
			}
		}
		if next != "" {
			d.Next = st.With("cursor", next, reg.Param, "")
		}
		if st.Get("cursor") != "" {
			d.First = st.With(reg.Param, "")
		}
		if selected != "" {
			if d.Details, err = s.registryDetails(ctx, names, d, selected, canAct, back); err != nil {
				s.pageError(w, r, err)
				return
			}
		}
		s.render(w, r, http.StatusOK, "registry", &page{Title: reg.Title, Section: reg.Section, Data: d})
	}
}

// newRegistryData reads the page's address: the filters, the page, the
// selected row and its tab, and for models the metric to focus. What it
// does not know is dropped, so that links do not carry it along.
func (s *Server) newRegistryData(r *http.Request, reg *registry) (*registryData, error) {
	st := listState{path: reg.Path, values: url.Values{}}
	for _, k := range []string{"q", "signoff", "cursor", reg.Param, "focus", "tab"} {
		if v := strings.TrimSpace(r.URL.Query().Get(k)); v != "" && len(v) <= 4096 {
			st.values.Set(k, v)
		}
	}
	if !slices.Contains(assent.SignoffStates, assent.SignoffState(st.Get("signoff"))) {
		st.values.Del("signoff")
	}
	if tab := st.Get("tab"); tab != tabDeployments && (tab != tabMetrics || reg.Kind != assent.KindModel) {
		st.values.Del("tab")
	}
	d := &registryData{registry: reg, State: st, SignoffStates: registrySignoffStates}
	if reg.Kind == assent.KindModel {
		var err error
		if d.Focus, err = s.chooseFocus(r.Context(), st.Get("focus")); err != nil {
			return nil, err
		}
		if d.Focus.Name != st.Get("focus") {
			st.values.Del("focus") // unknown: the default
		}
	} else {
		st.values.Del("focus")
	}
	for _, k := range []string{reg.Param, "tab"} {
		if v := st.Get(k); v != "" {
			d.Carry = append(d.Carry, nameValue{k, v})
		}
	}
	return d, nil
}

// registryDetails reads the panel of the selected row.
func (s *Server) registryDetails(ctx context.Context, names *templateNames, data *registryData, id string, canAct bool, back string) (*registryDetails, error) {
	reg, st := data.registry, data.State
	g, err := s.Governables.FindGovernableItem(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &registryDetails{Row: &registryRow{gview: gview{g}, CanAct: canAct, Back: back, Selected: true},
		Attributes: attributeList(g.Attributes), Close: st.With("cursor", st.Get("cursor"), reg.Param, "", "tab", ""), Tab: st.Get("tab")}
	tabs := []detailsTab{{ID: "", Label: "Details"}, {ID: tabDeployments, Label: "Deployments"}}
	if g.Kind == assent.KindModelVersion {
		tabs = slices.Insert(tabs, 1, detailsTab{ID: tabMetrics, Label: "Model metrics"})
	} else if d.Tab == tabMetrics {
		d.Tab = ""
	}
	for _, t := range tabs {
		t.URL, t.Current = st.With("cursor", st.Get("cursor"), "tab", t.ID), t.ID == d.Tab
		d.Tabs = append(d.Tabs, t)
	}
	if d.Source, err = s.Sources.FindSource(ctx, g.Source); err != nil {
		return nil, err
	}
	if g.GovernedItem != nil {
		if d.Item, err = s.Items.FindItem(ctx, *g.GovernedItem); err != nil {
			return nil, err
		}
		d.Step = names.step(d.Item.Template, d.Item.Workflow.CurrentStep)
	}
	switch d.Tab {
	case tabMetrics:
		d.Metrics, err = s.loadMetricsView(ctx, g, data.Focus.Name)
	case tabDeployments:
		var t *assent.Template
		if d.Item != nil {
			t = names.get(d.Item.Template)
		}
		d.Deployments, err = s.loadDeploymentsView(ctx, g, d.Item, t)
	}
	return d, err
}

// registrySignoffStates are the choices of the registries' sign-off filter.
var registrySignoffStates = []nameValue{{"", "Any"}, {string(assent.SignoffNotStarted), "Not started"},
	{string(assent.SignoffWaitingForFeedback), "Waiting for feedback"}, {string(assent.SignoffWaitingForApproval), "Waiting for approval"},
	{string(assent.SignoffApproved), "Approved"}, {string(assent.SignoffRejected), "Rejected"}, {string(assent.SignoffAbandoned), "Abandoned"}}

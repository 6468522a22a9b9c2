package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"assent"
)

// govPageSize is how many projects of a source, or items of a flat list,
// one page of the governable items shows.
const govPageSize = 50

// gview is a governable item as the pages show it.
type gview struct{ *assent.GovernableItem }

// KindLabel names the item's kind in a sentence: "model version".
func (g gview) KindLabel() string { return kindLabel(g.Kind) }

// Active reports whether the source marks the item as its active one (the
// model version in production), with the attribute active: true.
func (g gview) Active() bool {
	switch v := g.Attributes["active"].(type) {
	case bool:
		return v
	case string:
		return strings.EqualFold(v, "true")
	}
	return false
}

// kindLabel names a kind in a sentence, kindPlural several of them.
func kindLabel(kind string) string  { return strings.ReplaceAll(kind, "_", " ") }
func kindPlural(kind string) string { return kindLabel(kind) + "s" }

// govRow is one row of a table of governable items.
type govRow struct {
	gview
	Depth int // 0 for a project, 1 for its bundles and models, 2 for versions
	// Toggle opens or closes the row's children, keeping the rest of the
	// page as it is; Block is the id of the project whose rows it redraws.
	Toggle, Block string
	Open          bool
	CanAct        bool   // the viewer may govern and hide
	Back          string // the page to come back to after hiding
	Note          string // a row that only says something, such as "No versions"
}

// sourceGroup is a source's projects on the governable items page.
type sourceGroup struct {
	Source      *assent.Source
	Projects    []*projectBlock
	More, First string // the next and first pages of this source's projects
}

// projectBlock is a project's row and, when open, its children's rows.
type projectBlock struct {
	Row  *govRow
	Rows []*govRow
}

type governableData struct {
	State    listState
	Flat     bool
	Sources  []*assent.Source
	Kinds    []nameValue
	Statuses []nameValue
	Groups   []*sourceGroup
	Rows     []*govRow // the flat list
	Next     string
	First    string
	CanAct   bool
}

// Filtered reports whether any filter is in force.
func (d *governableData) Filtered() bool {
	return d.State.Get("q") != "" || d.State.Get("kind") != "" || d.State.Get("status") != "" || d.State.Get("source") != ""
}

var govKinds = []nameValue{{assent.KindProject, "Project"}, {assent.KindBundle, "Bundle"}, {assent.KindModel, "Model"}, {assent.KindModelVersion, "Model version"}}

var govStatuses = []nameValue{{"", "Not hidden"}, {assent.StatusGovernable, "Governable"}, {assent.StatusGoverned, "Governed"}, {assent.StatusHidden, "Hidden"}, {"all", "All"}}

// parseGovernableState keeps the parameters the page knows.
func parseGovernableState(r *http.Request) listState {
	q := r.URL.Query()
	st := listState{path: "/governable-items", values: url.Values{}}
	for _, k := range []string{"q", "kind", "status", "source", "cursor", "open"} {
		if v := strings.TrimSpace(q.Get(k)); v != "" && len(v) <= 4096 {
			st.values.Set(k, v)
		}
	}
	if !slices.Contains(assent.GovernableKinds, st.Get("kind")) {
		st.values.Del("kind")
	}
	if !slices.ContainsFunc(govStatuses, func(s nameValue) bool { return s.Name == st.Get("status") }) {
		st.values.Del("status")
	}
	return st
}

// handleGovernableItemsPage shows the objects of the sources: a tree of
// projects by source, or a flat list when searching by name, kind or a
// status.
func (s *Server) handleGovernableItemsPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	st := parseGovernableState(r)
	status := st.Get("status")
	d := &governableData{State: st, Kinds: govKinds, Statuses: govStatuses,
		CanAct: assent.UserFromContext(ctx).HasRole(assent.RoleMember),
		Flat:   st.Get("q") != "" || st.Get("kind") != "" || (status != "" && status != "all")}
	var err error
	if d.Sources, err = s.Sources.FindSources(ctx); err != nil {
		s.pageError(w, r, err)
		return
	}
	back := r.URL.RequestURI()
	row := func(g *assent.GovernableItem, depth int) *govRow {
		return &govRow{gview: gview{g}, Depth: depth, CanAct: d.CanAct, Back: back}
	}
	if d.Flat {
		items, next, err := s.Governables.FindGovernableItems(ctx, assent.GovernableFilter{Q: st.Get("q"), Kind: st.Get("kind"),
			Status: status, Source: st.Get("source"), Limit: govPageSize, Cursor: st.Get("cursor")})
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		for _, g := range items {
			d.Rows = append(d.Rows, row(g, 0))
		}
		if next != "" {
			d.Next = st.With("cursor", next)
		}
		if st.Get("cursor") != "" {
			d.First = st.With()
		}
		s.render(w, r, http.StatusOK, "governable", &page{Title: "Governable items", Section: "governable", Data: d})
		return
	}
	open := openSet(st.Get("open"))
	toggle := func(id string) string {
		ids := slices.Clone(open)
		if i := slices.Index(ids, id); i >= 0 {
			ids = slices.Delete(ids, i, i+1)
		} else {
			ids = append(ids, id)
		}
		return st.With("cursor", st.Get("cursor"), "open", strings.Join(ids, ","))
	}
	for _, src := range d.Sources {
		if st.Get("source") != "" && st.Get("source") != src.ID {
			continue
		}
		cursor := ""
		if st.Get("source") == src.ID {
			cursor = st.Get("cursor")
		}
		projects, next, err := s.Governables.FindGovernableItems(ctx, assent.GovernableFilter{Kind: assent.KindProject, Status: status,
			Source: src.ID, Limit: govPageSize, Cursor: cursor})
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		g := &sourceGroup{Source: src}
		if next != "" {
			g.More = st.With("source", src.ID, "cursor", next)
		}
		if cursor != "" {
			g.First = st.With("source", src.ID)
		}
		for _, p := range projects {
			b := &projectBlock{Row: row(p, 0)}
			b.Row.Toggle, b.Row.Block, b.Row.Open = toggle(p.ID), p.ID, slices.Contains(open, p.ID)
			if b.Row.Open {
				if b.Rows, err = s.projectRows(r, p, status, open, toggle, row); err != nil {
					s.pageError(w, r, err)
					return
				}
			}
			g.Projects = append(g.Projects, b)
		}
		d.Groups = append(d.Groups, g)
	}
	s.render(w, r, http.StatusOK, "governable", &page{Title: "Governable items", Section: "governable", Data: d})
}

// openSet reads the ids of the open rows from the "open" parameter.
func openSet(v string) []string {
	var ids []string
	for id := range strings.SplitSeq(v, ",") {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(ids, id) && len(ids) < 100 {
			ids = append(ids, id)
		}
	}
	return ids
}

// projectRows lists an open project's bundles, then its models, each open
// model followed by its versions.
func (s *Server) projectRows(r *http.Request, p *assent.GovernableItem, status string, open []string, toggle func(string) string,
	row func(*assent.GovernableItem, int) *govRow) ([]*govRow, error) {
	ctx := r.Context()
	children := func(parent, kind string) ([]*assent.GovernableItem, bool, error) {
		items, next, err := s.Governables.FindGovernableItems(ctx, assent.GovernableFilter{Parent: parent, Kind: kind, Status: status, Limit: assent.MaxPageSize})
		return items, next != "", err
	}
	var rows []*govRow
	note := func(depth int, text string) {
		rows = append(rows, &govRow{gview: gview{&assent.GovernableItem{}}, Depth: depth, Note: text, Block: p.ID})
	}
	bundles, more, err := children(p.ID, assent.KindBundle)
	if err != nil {
		return nil, err
	}
	for _, b := range bundles {
		rows = append(rows, row(b, 1))
	}
	if more {
		note(1, "Only the first bundles are shown; search by name to find the others.")
	}
	models, more, err := children(p.ID, assent.KindModel)
	if err != nil {
		return nil, err
	}
	for _, m := range models {
		mr := row(m, 1)
		mr.Toggle, mr.Block, mr.Open = toggle(m.ID), p.ID, slices.Contains(open, m.ID)
		rows = append(rows, mr)
		if !mr.Open {
			continue
		}
		versions, moreVersions, err := children(m.ID, assent.KindModelVersion)
		if err != nil {
			return nil, err
		}
		for _, v := range versions {
			rows = append(rows, row(v, 2))
		}
		if len(versions) == 0 {
			note(2, "No versions.")
		} else if moreVersions {
			note(2, "Only the first versions are shown.")
		}
	}
	if more {
		note(1, "Only the first models are shown; search by name to find the others.")
	}
	if len(rows) == 0 {
		note(1, "No bundles or models.")
	}
	return rows, nil
}

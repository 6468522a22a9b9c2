package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"assent"
)

// itemList describes a page that lists the governed items of one type in
// views (a table, a Kanban board by step, a matrix): the projects page and
// the business initiatives page share everything but this.
type itemList struct {
	Path     string // "/projects"
	Page     string // its template under templates/pages
	Title    string
	Purpose  string
	Section  string
	Noun     string // "project", for buttons and messages
	Type     string // the item type listed
	Template string // the template whose steps and fields the page shows and new items use
	Views    []string
	// Ratings are category fields shown on rows and cards, sortable; the
	// first is also a filter of the table.
	Ratings []string
	// ParentType, when set, is the type of the items' parents: the table
	// shows the parent in a column titled ParentLabel and filters by it with
	// the parameter ParentParam ("initiative"), and the create form chooses
	// it with the field ParentField.
	ParentType, ParentLabel, ParentParam, ParentField string
	// ChildType, when set, counts each item's children of that type in a
	// column titled ChildLabel, linking to ChildPath?{ChildParam}={id}.
	ChildType, ChildLabel, ChildPath, ChildParam string
}

// listData is what a list page's template receives.
type listData struct {
	*itemList
	T         *assent.Template
	View      string
	Tabs      []listTab
	State     listState
	CanCreate bool
	// Parents are the choices of the create form's parent select.
	Parents []*assent.ItemRow
	// Chips are the filters in force that no input shows, each with a
	// link that removes it.
	Chips  []listChip
	Table  *listTable
	Board  *listBoard
	Matrix *listMatrix
}

type listChip struct{ Label, RemoveURL string }

type listTab struct {
	Label, URL string
	Current    bool
}

var viewLabels = map[string]string{"table": "Table", "kanban": "Kanban", "matrix": "Matrix"}

// Field returns a field of the page's template, or an empty one.
func (d *listData) Field(id string) assent.FieldDef {
	if f := d.T.Field(id); f != nil {
		return *f
	}
	return assent.FieldDef{ID: id, Label: id}
}

// StepName names a step of the page's template; unknown ids (from another
// template version) show as they are.
func (d *listData) StepName(id string) string {
	for _, s := range d.T.Steps {
		if s.ID == id {
			return s.Name
		}
	}
	return id
}

// StepIndex is a step's position, from 1, for the colour of its badge.
func (d *listData) StepIndex(id string) int {
	return slices.IndexFunc(d.T.Steps, func(s assent.StepDef) bool { return s.ID == id }) + 1
}

// RatingIndex is a value's position among its field's options, from 1, for
// the colour of its badge; 0 when unset or unknown.
func (d *listData) RatingIndex(field, value string) int {
	if f := d.T.Field(field); f != nil {
		return slices.Index(f.Options, value) + 1
	}
	return 0
}

// categoryFields are the fields a matrix may use as axes.
func categoryFields(t *assent.Template) []assent.FieldDef {
	var out []assent.FieldDef
	for _, f := range t.Fields {
		if f.Type == assent.FieldCategory && !f.List {
			out = append(out, f)
		}
	}
	return out
}

// listState is what a list page's address says: the view, the filters,
// the sort and the axes. Links to other views, sorts and pages are built
// from it so that nothing chosen is lost on the way.
type listState struct {
	path   string
	values url.Values
}

// parseListState keeps the query parameters the page knows, trimmed; the
// others are dropped so that links do not carry them along.
func (l *itemList) parseListState(r *http.Request, t *assent.Template) listState {
	q := r.URL.Query()
	st := listState{path: l.Path, values: url.Values{}}
	keep := func(k string) {
		if v := strings.TrimSpace(q.Get(k)); v != "" && len(v) <= 4096 { // cursors hold a name
			st.values.Set(k, v)
		}
	}
	for _, k := range []string{"view", "q", "step", "sort", "dir", "cursor", "x", "y"} {
		keep(k)
	}
	if l.ParentParam != "" {
		keep(l.ParentParam)
	}
	for _, f := range categoryFields(t) {
		keep("field." + f.ID)
	}
	if !slices.Contains(l.Views, st.values.Get("view")) {
		st.values.Del("view")
	}
	return st
}

// Get returns a parameter of the address.
func (st listState) Get(k string) string { return st.values.Get(k) }

// View is the chosen view, the first of views by default.
func (st listState) View(views []string) string {
	if v := st.Get("view"); v != "" {
		return v
	}
	return views[0]
}

// With returns the page's address with parameters set (pairs of name and
// value; an empty value removes one). Any change starts again at the first
// page, unless it sets the cursor.
func (st listState) With(kv ...string) string {
	v := url.Values{}
	for k, vs := range st.values {
		v[k] = slices.Clone(vs)
	}
	v.Del("cursor")
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			v.Del(kv[i])
		} else {
			v.Set(kv[i], kv[i+1])
		}
	}
	if enc := v.Encode(); enc != "" {
		return st.path + "?" + enc
	}
	return st.path
}

// fieldFilters are the field.<id> parameters, as the store takes them.
func (st listState) fieldFilters() map[string]string {
	m := map[string]string{}
	for k := range st.values {
		if id, ok := strings.CutPrefix(k, "field."); ok {
			m[id] = st.values.Get(k)
		}
	}
	return m
}

// Hidden lists the parameters of the address but the cursor and those a
// form shows as inputs, for the form to carry them along unseen.
func (d *listData) Hidden(shown ...string) []nameValue {
	var out []nameValue
	for _, k := range sortedKeys(d.State.values) {
		if k != "cursor" && !slices.Contains(shown, k) {
			out = append(out, nameValue{k, d.State.Get(k)})
		}
	}
	return out
}

type nameValue struct{ Name, Value string }

// listChips lists the filters in force, but those the page shows as
// inputs, for chips that say what the view holds and remove a filter.
func (s *Server) listChips(r *http.Request, d *listData, shown ...string) []listChip {
	st := d.State
	var chips []listChip
	add := func(param, label, value string) {
		if st.Get(param) != "" && !slices.Contains(shown, param) {
			chips = append(chips, listChip{label + ": " + value, st.With(param, "")})
		}
	}
	add("q", "Name contains", st.Get("q"))
	add("step", "Current step", d.StepName(st.Get("step")))
	if id := st.Get(d.ParentParam); d.ParentParam != "" && id != "" {
		name := id
		if it, err := s.Items.FindItem(r.Context(), id); err == nil {
			name = it.Name
		}
		add(d.ParentParam, d.ParentLabel, name)
	}
	for _, id := range sortedKeys(st.fieldFilters()) {
		add("field."+id, d.Field(id).Label, st.Get("field."+id))
	}
	return chips
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// filter is the store's filter for what the address asks.
func (l *itemList) filter(st listState) assent.ItemViewFilter {
	f := assent.ItemViewFilter{Type: l.Type, Q: st.Get("q"), Step: st.Get("step"), Fields: st.fieldFilters()}
	if l.ParentParam != "" {
		f.Parent = st.Get(l.ParentParam)
	}
	return f
}

// renderList draws a list page in the view its address asks for. A
// refused create form comes back through it with p's errors, open.
func (s *Server) renderList(w http.ResponseWriter, r *http.Request, l *itemList, status int, p *page) {
	ctx := r.Context()
	v, err := s.Templates.FindTemplateVersion(ctx, l.Template, 0)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	st := l.parseListState(r, v.Definition)
	d := &listData{itemList: l, T: v.Definition, State: st, View: st.View(l.Views),
		CanCreate: assent.UserFromContext(ctx).HasRole(assent.RoleMember)}
	for _, view := range l.Views {
		d.Tabs = append(d.Tabs, listTab{Label: viewLabels[view], URL: st.With("view", view, "sort", "", "dir", "", "x", "", "y", ""), Current: view == d.View})
	}
	switch d.View {
	case "kanban":
		err = s.listBoard(r, d)
	case "matrix":
		err = s.listMatrix(r, d)
	default:
		err = s.listTable(r, d, p)
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if d.CanCreate && l.ParentType != "" {
		d.Parents, _, err = s.Views.FindItemRows(ctx, assent.ItemTableQuery{ItemViewFilter: assent.ItemViewFilter{Type: l.ParentType}, Limit: assent.MaxPageSize})
		if err != nil {
			s.pageError(w, r, err)
			return
		}
	}
	p.Title, p.Section, p.Data = l.Title, l.Section, d
	s.render(w, r, status, l.Page, p)
}

// createItem creates an item of the list's template from the create form,
// then opens it. A viewer gets the service's 403 page; a refused value
// comes back in the form, next to its field.
func (s *Server) createItem(w http.ResponseWriter, r *http.Request, l *itemList, fields []string) {
	if !s.readForm(w, r) {
		return
	}
	form := formValues(r, append([]string{"name"}, fields...)...)
	n := assent.NewItem{Template: assent.TemplateRef{ID: l.Template}, Name: form["name"], Fields: map[string]any{}}
	for _, f := range fields {
		if form[f] != "" {
			n.Fields[f] = form[f]
		}
	}
	it, err := s.Items.CreateItem(r.Context(), n)
	if err != nil {
		if assent.ErrorCode(err) != assent.EINVALID {
			s.pageError(w, r, err)
			return
		}
		rename := map[string]string{"parent": l.ParentField}
		for _, f := range fields {
			rename["fields."+f] = f
		}
		errs := fieldErrors(err, rename)
		// What the form has no input for (the template, a required field
		// of a custom template) shows above it.
		for loc, msg := range errs {
			if _, ok := form[loc]; !ok && loc != "" {
				delete(errs, loc)
				errs[""] = strings.TrimSpace(errs[""] + " " + strings.TrimPrefix(loc, "fields.") + ": " + msg)
			}
		}
		s.renderList(w, r, l, http.StatusUnprocessableEntity, &page{Form: form, Errors: errs})
		return
	}
	s.redirect(w, r, "/items/"+it.ID, "ok", capitalize(l.Noun)+" “"+it.Name+"” created.")
}

package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"assent"
)

// attribute is one attribute of a governable item, as text.
type attribute struct{ Name, Value string }

// attributeList lists attributes by name, values that are not text as JSON.
func attributeList(attrs map[string]any) []attribute {
	out := make([]attribute, 0, len(attrs))
	for _, k := range sortedKeys(attrs) {
		v := ""
		switch x := attrs[k].(type) {
		case string:
			v = x
		case nil:
		default:
			b, err := json.Marshal(x)
			if err != nil {
				b = []byte(fmt.Sprint(x))
			}
			v = string(b)
		}
		out = append(out, attribute{k, v})
	}
	return out
}

type governableItemData struct {
	G          gview
	Source     *assent.Source
	Parent     *assent.GovernableItem
	Governed   *assent.Item // nil when not governed, or when it cannot be read
	Attributes []attribute
	Children   []*govRow
	More       bool // more children than shown
	Self       *govRow
}

// handleGovernableItemPage shows one object of a source: where it comes from,
// its attributes, its governed item and its children.
func (s *Server) handleGovernableItemPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	g, err := s.Governables.FindGovernableItem(ctx, r.PathValue("id"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	canAct, back := assent.UserFromContext(ctx).HasRole(assent.RoleMember), r.URL.RequestURI()
	d := &governableItemData{G: gview{g}, Attributes: attributeList(g.Attributes),
		Self: &govRow{gview: gview{g}, CanAct: canAct, Back: back}}
	if d.Source, err = s.Sources.FindSource(ctx, g.Source); err != nil {
		s.pageError(w, r, err)
		return
	}
	if g.Parent != nil {
		if d.Parent, err = s.Governables.FindGovernableItem(ctx, *g.Parent); err != nil {
			s.pageError(w, r, err)
			return
		}
	}
	if g.GovernedItem != nil {
		d.Governed, _ = s.Items.FindItem(ctx, *g.GovernedItem)
	}
	children, next, err := s.Governables.FindGovernableItems(ctx, assent.GovernableFilter{Parent: g.ID, Status: "all", Limit: assent.MaxPageSize})
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	for _, c := range children {
		c.ParentName = "" // this page is the parent
		d.Children = append(d.Children, &govRow{gview: gview{c}, CanAct: canAct, Back: back})
	}
	d.More = next != ""
	s.render(w, r, http.StatusOK, "governable_item", &page{Title: g.Name, Section: "governable", Data: d})
}

// handleGovernableHidePage hides an item with its descendants, or shows them
// again, then goes back to the page the form was on.
func (s *Server) handleGovernableHidePage(hidden bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.readForm(w, r) {
			return
		}
		id := r.PathValue("id")
		back := backURL(r, "/governable-items/"+id)
		g, err := s.Governables.HideItem(r.Context(), id, hidden)
		switch assent.ErrorCode(err) {
		case "":
		case assent.ECONFLICT, assent.EINVALID:
			s.redirect(w, r, back, "error", assent.ErrorMessage(err))
			return
		default:
			s.pageError(w, r, err)
			return
		}
		msg := fmt.Sprintf("The %s “%s” is governable again", kindLabel(g.Kind), g.Name)
		if hidden {
			msg = fmt.Sprintf("The %s “%s” is hidden", kindLabel(g.Kind), g.Name)
		}
		if g.Kind != assent.KindModelVersion && g.Kind != assent.KindBundle {
			msg += ", with everything under it"
		}
		s.redirect(w, r, back, "ok", msg+".")
	}
}

// backURL is the page a form came from: its "back" field or the Referer,
// when either is a path on this site, else fallback.
func backURL(r *http.Request, fallback string) string {
	referer := ""
	if u, err := url.Parse(r.Referer()); err == nil && u.Host == r.Host && u.Path != "" {
		referer = u.RequestURI()
	}
	for _, c := range []string{r.PostFormValue("back"), referer} {
		if c != "" && safeNext(c) == c {
			return c
		}
	}
	return fallback
}

package web

import (
	"cmp"
	"net/http"
	"slices"

	"assent"
)

// matrixPerCell bounds the names listed in a matrix cell.
const matrixPerCell = 20

// listMatrix is the matrix view: the items placed by the values of two
// category fields, the x axis from left to right and the y axis from
// bottom to top in the order of their options (Low → High), so that the
// top right cell holds what rates highest on both.
type listMatrix struct {
	Axes    []assent.FieldDef
	X, Y    assent.FieldDef
	Rows    []matrixRow // the y values, the highest first
	Unrated matrixCell  // the items that lack either value
	Total   int
}

type matrixRow struct {
	Y     string
	Index int // the y value's rank, from 1, for its colour
	Cells []matrixCell
}

type matrixCell struct {
	X, Y    string
	Count   int
	Items   []*assent.ItemRow
	More    int
	MoreURL string // the table filtered by the cell's values
}

// axis returns the field the address names as parameter k when it is a
// category field of the template, else the default.
func axis(axes []assent.FieldDef, st listState, k, def string) assent.FieldDef {
	for _, id := range []string{st.Get(k), def} {
		if i := slices.IndexFunc(axes, func(f assent.FieldDef) bool { return f.ID == id }); i >= 0 {
			return axes[i]
		}
	}
	return axes[0]
}

// listMatrix fills the matrix view.
func (s *Server) listMatrix(r *http.Request, d *listData) error {
	st := d.State
	m := &listMatrix{Axes: categoryFields(d.T)}
	if len(m.Axes) == 0 {
		return assent.Errorf(assent.ECONFLICT, "Template %s has no category field to place items by.", d.T.ID)
	}
	m.X = axis(m.Axes, st, "x", d.Ratings[len(d.Ratings)-1])
	m.Y = axis(m.Axes, st, "y", d.Ratings[0])
	cells, err := s.Views.ItemMatrix(r.Context(), d.filter(st), m.X.ID, m.Y.ID, matrixPerCell)
	if err != nil {
		return err
	}
	type key struct{ x, y string }
	grid := map[key]*assent.ItemCell{}
	var unrated []*assent.ItemRow
	for _, c := range cells {
		m.Total += c.Count
		if slices.Contains(m.X.Options, c.X) && slices.Contains(m.Y.Options, c.Y) {
			grid[key{c.X, c.Y}] = c
			continue
		}
		// Unset and unknown values (from an older template version) share
		// one list; each cell's names are its first by name, so the first
		// of them all are among them.
		m.Unrated.Count += c.Count
		unrated = append(unrated, c.Items...)
	}
	slices.SortFunc(unrated, func(a, b *assent.ItemRow) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) })
	m.Unrated.Items = unrated[:min(len(unrated), matrixPerCell)]
	m.Unrated.More = m.Unrated.Count - len(m.Unrated.Items)

	for yi := len(m.Y.Options) - 1; yi >= 0; yi-- {
		y := m.Y.Options[yi]
		row := matrixRow{Y: y, Index: yi + 1}
		for _, x := range m.X.Options {
			cell := matrixCell{X: x, Y: y, Items: []*assent.ItemRow{}}
			if c := grid[key{x, y}]; c != nil {
				cell.Count, cell.Items = c.Count, c.Items
			}
			if cell.More = cell.Count - len(cell.Items); cell.More > 0 {
				cell.MoreURL = st.With("view", "", "x", "", "y", "", "field."+m.X.ID, x, "field."+m.Y.ID, y)
			}
			row.Cells = append(row.Cells, cell)
		}
		m.Rows = append(m.Rows, row)
	}
	d.Matrix = m
	d.Chips = s.listChips(r, d)
	return nil
}

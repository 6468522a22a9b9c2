package web

import (
	"net/http"
	"slices"

	"assent"
)

// boardPerColumn bounds the cards of a Kanban column; the rest are a link
// to the table filtered by that step.
const boardPerColumn = 50

// listBoard is the Kanban view: a column per step of the template, in
// its order, then any step of another template version that items are at.
type listBoard struct {
	Columns []boardColumn
}

type boardColumn struct {
	Step, Name string
	Index      int // the step's position, for its colour
	Count      int
	Cards      []boardCard
	More       int
	MoreURL    string
}

// boardCard is one item on the board: its name, its parent and its ratings.
type boardCard struct {
	Name, URL string
	Parent    listCell
	Cells     []listCell
}

// listBoard fills the Kanban view.
func (s *Server) listBoard(r *http.Request, d *listData) error {
	st := d.State
	f := d.filter(st)
	cols, err := s.Views.ItemBoard(r.Context(), f, boardPerColumn, d.Ratings)
	if err != nil {
		return err
	}
	byStep := map[string]*assent.ItemColumn{}
	var extra []string
	for _, c := range cols {
		byStep[c.Step] = c
		if d.StepIndex(c.Step) == 0 {
			extra = append(extra, c.Step)
		}
	}
	slices.Sort(extra)
	steps := make([]string, 0, len(d.T.Steps)+len(extra))
	for _, def := range d.T.Steps {
		if f.Step == "" || f.Step == def.ID {
			steps = append(steps, def.ID)
		}
	}
	steps = append(steps, extra...)

	var rows []*assent.ItemRow
	for _, c := range cols {
		rows = append(rows, c.Items...)
	}
	counts, err := s.childCounts(r, d, rows)
	if err != nil {
		return err
	}
	b := &listBoard{}
	for _, step := range steps {
		col := boardColumn{Step: step, Name: d.StepName(step), Index: d.StepIndex(step)}
		if c := byStep[step]; c != nil {
			col.Count = c.Count
			for _, it := range c.Items {
				col.Cards = append(col.Cards, d.card(it, counts))
			}
		}
		if col.More = col.Count - len(col.Cards); col.More > 0 {
			col.MoreURL = st.With("view", "", "step", step)
		}
		b.Columns = append(b.Columns, col)
	}
	d.Board = b
	d.Chips = s.listChips(r, d)
	return nil
}

func (d *listData) card(it *assent.ItemRow, counts map[string]int) boardCard {
	c := boardCard{Name: it.Name, URL: "/items/" + it.ID}
	if d.ParentType != "" && it.Parent != nil {
		c.Parent = d.parentCell(it)
	}
	for _, f := range d.Ratings {
		c.Cells = append(c.Cells, d.ratingCell(f, it.Values[f], true))
	}
	if d.ChildType != "" {
		c.Cells = append(c.Cells, d.childCell(it.ID, counts[it.ID]))
	}
	return c
}

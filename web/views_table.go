package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"assent"
)

// tablePageSize is the number of rows of a table page.
const tablePageSize = 50

// listTable is the table view: a page of rows with its sortable headers,
// the state of its filter form and its pager.
type listTable struct {
	Headers []listHeader
	Rows    []listRow
	// Hidden are the parameters the filter form carries along unseen.
	Hidden      []nameValue
	Next, First string
	Error       string // a cursor or filter the store refused
}

type listHeader struct {
	Label, URL string
	Sort       string // "ascending", "descending" or "" (aria-sort)
}

type listRow struct {
	ID    string
	Cells []listCell
}

// listCell is one value in a row or on a card: a link, a badge or text.
type listCell struct {
	Text, URL, Badge, Title string
	Muted, Strong           bool
}

// tableSort reads the sort of the address: the key (name, step, updated or
// a rating field) and whether it is descending.
func (d *listData) tableSort() (key string, desc bool, sort assent.ItemSort) {
	key, desc = d.State.Get("sort"), d.State.Get("dir") == "desc"
	switch {
	case key == "step":
		ranks := make([]string, len(d.T.Steps))
		for i, s := range d.T.Steps {
			ranks[i] = s.ID
		}
		return key, desc, assent.ItemSort{By: assent.SortByStep, Ranks: ranks, Desc: desc}
	case key == "updated":
		return key, desc, assent.ItemSort{By: assent.SortByUpdated, Desc: desc}
	case slices.Contains(d.Ratings, key):
		return key, desc, assent.ItemSort{By: assent.SortByField, Field: key, Ranks: d.Field(key).Options, Desc: desc}
	}
	return "name", desc, assent.ItemSort{By: assent.SortByName, Desc: desc}
}

// header is a column title that sorts by key: a first click sorts the way
// people look first (the newest change, the highest rating), the next one
// reverses it.
func (d *listData) header(label, key, current string, desc bool) listHeader {
	h := listHeader{Label: label}
	if key == "" {
		return h
	}
	firstDesc := key == "updated" || slices.Contains(d.Ratings, key)
	dir := firstDesc
	if key == current {
		dir = !desc
		h.Sort = "ascending"
		if desc {
			h.Sort = "descending"
		}
	}
	h.URL = d.State.With("sort", key, "dir", map[bool]string{true: "desc", false: ""}[dir])
	return h
}

// listTable fills the table view.
func (s *Server) listTable(r *http.Request, d *listData, p *page) error {
	ctx, st := r.Context(), d.State
	key, desc, sort := d.tableSort()
	t := &listTable{}
	rows, next, err := s.Views.FindItemRows(ctx, assent.ItemTableQuery{ItemViewFilter: d.filter(st), Sort: sort,
		Values: d.Ratings, Limit: tablePageSize, Cursor: st.Get("cursor")})
	if assent.ErrorCode(err) == assent.EINVALID {
		t.Error, rows = assent.ErrorMessage(err), nil
	} else if err != nil {
		return err
	}
	counts, err := s.childCounts(r, d, rows)
	if err != nil {
		return err
	}

	t.Headers = append(t.Headers, d.header("Name", "name", key, desc))
	if d.ParentType != "" {
		t.Headers = append(t.Headers, d.header(d.ParentLabel, "", key, desc))
	}
	t.Headers = append(t.Headers, d.header("Current step", "step", key, desc))
	for _, f := range d.Ratings {
		t.Headers = append(t.Headers, d.header(d.Field(f).Label, f, key, desc))
	}
	if d.ChildType != "" {
		t.Headers = append(t.Headers, d.header(d.ChildLabel, "", key, desc))
	}
	t.Headers = append(t.Headers, d.header("Updated", "updated", key, desc))
	for _, row := range rows {
		cells := []listCell{{Text: row.Name, URL: "/items/" + row.ID, Strong: true}}
		if d.ParentType != "" {
			cells = append(cells, d.parentCell(row))
		}
		cells = append(cells, d.stepCell(row.CurrentStep))
		for _, f := range d.Ratings {
			cells = append(cells, d.ratingCell(f, row.Values[f], false))
		}
		if d.ChildType != "" {
			cells = append(cells, d.childCell(row.ID, counts[row.ID]))
		}
		cells = append(cells, listCell{Text: ago(row.UpdatedAt), Title: formatTime(row.UpdatedAt), Muted: true})
		t.Rows = append(t.Rows, listRow{ID: row.ID, Cells: cells})
	}
	if next != "" {
		t.Next = st.With("cursor", next)
	}
	if st.Get("cursor") != "" {
		t.First = st.With()
	}
	t.Hidden = d.Hidden("q", "step", "field."+d.Ratings[0])
	d.Chips = s.listChips(r, d, "q", "step", "field."+d.Ratings[0])
	d.Table = t
	return nil
}

// childCounts counts the children of the rows' items, when the list shows them.
func (s *Server) childCounts(r *http.Request, d *listData, rows []*assent.ItemRow) (map[string]int, error) {
	if d.ChildType == "" || len(rows) == 0 {
		return nil, nil
	}
	ids := make([]string, len(rows))
	for i, row := range rows {
		ids[i] = row.ID
	}
	return s.Views.CountChildren(r.Context(), assent.ItemViewFilter{Type: d.ChildType}, ids)
}

func (d *listData) parentCell(row *assent.ItemRow) listCell {
	if row.Parent == nil {
		return listCell{Text: "—", Muted: true}
	}
	name := row.ParentName
	if name == "" {
		name = *row.Parent
	}
	return listCell{Text: name, URL: "/items/" + *row.Parent}
}

func (d *listData) stepCell(step string) listCell {
	return listCell{Text: d.StepName(step), Badge: "step step-" + strconv.Itoa(d.StepIndex(step))}
}

// ratingCell shows a rating as a badge whose colour deepens with its rank;
// labelled puts the field's name before it, as on cards.
func (d *listData) ratingCell(field, value string, labelled bool) listCell {
	label := ""
	if labelled {
		label = d.Field(field).Label + " "
	}
	if value == "" {
		return listCell{Text: label + "—", Muted: true, Title: "Not rated"}
	}
	return listCell{Text: label + value, Badge: fmt.Sprintf("rating rating-%d", d.RatingIndex(field, value))}
}

func (d *listData) childCell(id string, n int) listCell {
	noun := strings.ToLower(d.ChildLabel)
	if n == 1 {
		noun = strings.TrimSuffix(noun, "s")
	}
	c := listCell{Text: fmt.Sprintf("%d %s", n, noun), URL: d.ChildPath + "?" + url.Values{d.ChildParam: {id}}.Encode()}
	if n == 0 {
		c.Muted = true
	}
	return c
}

package sqldb

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"assent"
)

// tableSort is an ItemSort turned into SQL. Pages follow each other by
// keyset (the sort key of the last row), never by offset, so that page 40
// costs what page 1 does and rows added meanwhile shift nothing.
//
// A ranked sort (by step or by a category field) is read as one run per
// rank, each in name order: "value = 'High' ORDER BY name LIMIT n", then
// the next rank while the page is not full. Each run walks an index on
// (type, archived, value, name) where there is one, so that the first page
// reads a page of rows, where "ORDER BY CASE … END" would rank every item.
type tableSort struct {
	by    assent.ItemSortKey
	desc  bool
	expr  string   // the SQL of the step or field, for ranked sorts
	ranks []string // the values in the order shown: reversed when descending
	sig   string   // names the sort in cursors, so that one sort's cursor is refused by another
}

func tableSortOf(s assent.ItemSort) (*tableSort, error) {
	ts := &tableSort{by: s.By, desc: s.Desc}
	if ts.by == "" {
		ts.by = assent.SortByName
	}
	ts.sig = string(ts.by)
	switch ts.by {
	case assent.SortByName, assent.SortByUpdated:
	case assent.SortByStep:
		ts.expr = "current_step"
	case assent.SortByField:
		v, err := fieldValue(s.Field)
		if err != nil {
			return nil, err
		}
		ts.expr, ts.sig = v, ts.sig+"."+s.Field
	default:
		return nil, assent.Invalid("sort", "must be name, updated, step or field")
	}
	if s.Desc {
		ts.sig += ".desc"
	}
	if ts.expr != "" {
		if len(s.Ranks) > maxRanks {
			return nil, assent.Invalid("sort", "ranks at most %d values", maxRanks)
		}
		seen := map[string]bool{}
		for _, v := range s.Ranks {
			if seen[v] { // its items would be listed twice
				return nil, assent.Invalid("sort", "ranks %q twice", v)
			}
			seen[v] = true
		}
		ts.ranks = slices.Clone(s.Ranks)
		if s.Desc {
			slices.Reverse(ts.ranks)
		}
	}
	return ts, nil
}

// tableCursor is the decoded key of the last row of a page.
type tableCursor struct {
	run      int   // ranked sorts: the index of the rank's run; len(ranks) for the unranked
	updated  int64 // SortByUpdated
	name, id string
}

func (ts *tableSort) decode(cursor string) (*tableCursor, error) {
	key, err := decodeCursor(cursor)
	if err != nil {
		return nil, err
	}
	bad := assent.Invalid("cursor", "is not a cursor of this sort; start again from the first page")
	parts := strings.Split(key, "\x00")
	if len(parts) != 4 || parts[0] != ts.sig {
		return nil, bad
	}
	n, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || ts.expr != "" && (n < 0 || n > int64(len(ts.ranks))) {
		return nil, bad
	}
	c := &tableCursor{name: parts[2], id: parts[3]}
	if ts.expr != "" {
		c.run = int(n)
	} else {
		c.updated = n
	}
	return c, nil
}

func (ts *tableSort) encode(r *assent.ItemRow, run int) string {
	n := int64(run)
	if ts.by == assent.SortByUpdated {
		n = ms(r.UpdatedAt)
	}
	return encodeCursor(ts.sig + "\x00" + strconv.FormatInt(n, 10) + "\x00" + r.Name + "\x00" + r.ID)
}

// FindItemRows returns one page of a sorted, filtered table of items.
func (s *ItemViewService) FindItemRows(ctx context.Context, tq assent.ItemTableQuery) ([]*assent.ItemRow, string, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleViewer); err != nil {
		return nil, "", err
	}
	q, err := s.filter(tq.ItemViewFilter)
	if err != nil {
		return nil, "", err
	}
	cols, err := rowColumns(tq.Values)
	if err != nil {
		return nil, "", err
	}
	ts, err := tableSortOf(tq.Sort)
	if err != nil {
		return nil, "", err
	}
	var cur *tableCursor
	if tq.Cursor != "" {
		if cur, err = ts.decode(tq.Cursor); err != nil {
			return nil, "", err
		}
	}
	limit := assent.PageSize(tq.Limit)
	tx, err := s.readSnapshot(ctx)
	if err != nil {
		return nil, "", err
	}
	defer tx.Rollback()
	list := []*assent.ItemRow{}
	var runs []int // the run of each row, for the cursor
	op, dir := ">", " ASC"
	if ts.desc {
		op, dir = "<", " DESC"
	}
	if ts.expr == "" {
		order := "name" + dir + ", id" + dir
		if ts.by == assent.SortByUpdated {
			order = "updated_at" + dir + ", id" + dir
			if cur != nil {
				q.and("(updated_at, id) " + op + " (" + q.arg(cur.updated) + ", " + q.arg(cur.id) + ")")
			}
		} else if cur != nil {
			q.and("(name, id) " + op + " (" + q.arg(cur.name) + ", " + q.arg(cur.id) + ")")
		}
		if list, err = queryRows(ctx, tx, `SELECT `+cols+` FROM items WHERE `+q.whereSQL()+` ORDER BY `+order+fmt.Sprintf(` LIMIT %d`, limit+1), q.args, tq.Values); err != nil {
			return nil, "", err
		}
		runs = make([]int, len(list))
	} else {
		first := 0
		if cur != nil {
			first = cur.run
		}
		for run := first; run <= len(ts.ranks) && len(list) <= limit; run++ {
			rq := &viewQuery{where: slices.Clone(q.where), args: slices.Clone(q.args)}
			ts.runCondition(rq, run)
			if cur != nil && run == cur.run {
				rq.and("(name, id) > (" + rq.arg(cur.name) + ", " + rq.arg(cur.id) + ")")
			}
			page, err := queryRows(ctx, tx, `SELECT `+cols+` FROM items WHERE `+rq.whereSQL()+
				fmt.Sprintf(` ORDER BY name, id LIMIT %d`, limit+1-len(list)), rq.args, tq.Values)
			if err != nil {
				return nil, "", err
			}
			list = append(list, page...)
			for range page {
				runs = append(runs, run)
			}
		}
	}
	next := ""
	if len(list) > limit {
		list = list[:limit]
		next = ts.encode(list[limit-1], runs[limit-1])
	}
	if err := fillParentNames(ctx, tx, list); err != nil {
		return nil, "", err
	}
	return list, next, nil
}

// runCondition selects the items of one rank; the last run holds the
// items whose value is missing or not among the ranks.
func (ts *tableSort) runCondition(q *viewQuery, run int) {
	if run < len(ts.ranks) {
		q.and(ts.expr + " = " + q.arg(ts.ranks[run]))
		return
	}
	if len(ts.ranks) == 0 {
		return
	}
	ph := make([]string, len(ts.ranks))
	for i, v := range ts.ranks {
		ph[i] = q.arg(v)
	}
	q.and("(" + ts.expr + " IS NULL OR " + ts.expr + " NOT IN (" + strings.Join(ph, ", ") + "))")
}

// queryRows runs a statement that selects rowColumns(values).
func queryRows(ctx context.Context, q rowsQueryer, query string, args []any, values []string) ([]*assent.ItemRow, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("item rows: %w", err)
	}
	defer rows.Close()
	list := []*assent.ItemRow{}
	for rows.Next() {
		r, err := scanRow(rows, values)
		if err != nil {
			return nil, fmt.Errorf("item rows: %w", err)
		}
		list = append(list, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("item rows: %w", err)
	}
	return list, nil
}

// fillParentNames names the parents of a page's rows in one query, rather
// than joining every row the sort looks at.
func fillParentNames(ctx context.Context, q rowsQueryer, list []*assent.ItemRow) error {
	args := []any{}
	var ph []string
	for _, r := range list {
		if r.Parent != nil && !slices.Contains(args, any(*r.Parent)) {
			args = append(args, *r.Parent)
			ph = append(ph, "$"+strconv.Itoa(len(args)))
		}
	}
	if len(args) == 0 {
		return nil
	}
	rows, err := q.QueryContext(ctx, `SELECT id, name FROM items WHERE id IN (`+strings.Join(ph, ", ")+`)`, args...)
	if err != nil {
		return fmt.Errorf("parent names: %w", err)
	}
	defer rows.Close()
	names := map[string]string{}
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return fmt.Errorf("parent names: %w", err)
		}
		names[id] = name
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("parent names: %w", err)
	}
	for _, r := range list {
		if r.Parent != nil {
			r.ParentName = names[*r.Parent]
		}
	}
	return nil
}

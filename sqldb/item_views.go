package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"assent"
)

// ItemViewService implements assent.ItemViewService: the tables, boards and
// matrices of items, sorted, counted and cut in SQL so that a view of
// 10,000 items reads a page of them.
type ItemViewService struct {
	db *DB
}

// NewItemViewService returns the item view service of db.
func NewItemViewService(db *DB) *ItemViewService { return &ItemViewService{db: db} }

var _ assent.ItemViewService = (*ItemViewService)(nil)

// maxRanks bounds the ranks of a sort: a page may read one run per rank.
const maxRanks = 100

// viewQuery builds the WHERE clause and arguments of a view's statement.
type viewQuery struct {
	where []string
	args  []any
}

// arg adds a parameter and returns its placeholder; a placeholder may be
// used more than once.
func (q *viewQuery) arg(v any) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

func (q *viewQuery) and(cond string) { q.where = append(q.where, cond) }

func (q *viewQuery) whereSQL() string { return strings.Join(q.where, " AND ") }

// fieldValue is the SQL of a field's value. The field id is written into
// the statement, not passed as a parameter, so that both databases can match
// it to an expression index such as items_value_rating; it is safe because
// only ids of the shape fieldFilterKey allows get here.
func fieldValue(id string) (string, error) {
	if !fieldFilterKey.MatchString(id) {
		return "", assent.Invalid("field."+id, "is not a field id")
	}
	return "(fields ->> '" + id + "')", nil
}

// filter starts a query with the conditions of f.
func (s *ItemViewService) filter(f assent.ItemViewFilter) (*viewQuery, error) {
	q := &viewQuery{}
	q.and("archived = " + q.arg(false))
	if f.Type != "" {
		q.and("type = " + q.arg(f.Type))
	}
	if f.Template != "" {
		q.and("template_id = " + q.arg(f.Template))
	}
	if f.Step != "" {
		q.and("current_step = " + q.arg(f.Step))
	}
	if f.Parent != "" {
		q.and("parent_id = " + q.arg(f.Parent))
	}
	if text := strings.TrimSpace(f.Q); text != "" {
		q.and("name " + s.db.dialect.ilike + " " + q.arg("%"+likeEscape(text)+"%") + ` ESCAPE '\'`)
	}
	keys := make([]string, 0, len(f.Fields))
	for k := range f.Fields {
		keys = append(keys, k)
	}
	slices.Sort(keys) // the same filter gives the same statement
	for _, k := range keys {
		v, err := fieldValue(k)
		if err != nil {
			return nil, err
		}
		q.and(v + " = " + q.arg(f.Fields[k]))
	}
	return q, nil
}

// rowColumns selects what an ItemRow holds, with the values of fields.
func rowColumns(values []string) (string, error) {
	cols := "id, name, parent_id, current_step, updated_at"
	for _, f := range values {
		v, err := fieldValue(f)
		if err != nil {
			return "", err
		}
		cols += ", " + v
	}
	return cols, nil
}

// scanRow reads rowColumns.
func scanRow(rows *sql.Rows, values []string) (*assent.ItemRow, error) {
	r := &assent.ItemRow{Values: make(map[string]string, len(values))}
	var parent sql.NullString
	var updated int64
	vals := make([]sql.NullString, len(values))
	dest := []any{&r.ID, &r.Name, &parent, &r.CurrentStep, &updated}
	for i := range vals {
		dest = append(dest, &vals[i])
	}
	if err := rows.Scan(dest...); err != nil {
		return nil, err
	}
	if parent.Valid {
		r.Parent = &parent.String
	}
	for i, f := range values {
		r.Values[f] = vals[i].String
	}
	r.UpdatedAt = fromMS(updated)
	return r, nil
}

// readSnapshot begins a read-only transaction on the read pool so that the
// statements of one view (counts, then lists) see the same data.
func (s *ItemViewService) readSnapshot(ctx context.Context) (*sql.Tx, error) {
	var opts *sql.TxOptions // SQLite: a deferred transaction is one snapshot in WAL mode
	if s.db.dialect.isPostgres() {
		opts = &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}
	}
	tx, err := s.db.read.BeginTx(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("begin read: %w", err)
	}
	return tx, nil
}

// ItemBoard counts the items per current step and lists the first of each.
// One short statement per step walks the index on (type, archived,
// current_step, name) instead of numbering every item with a window.
func (s *ItemViewService) ItemBoard(ctx context.Context, f assent.ItemViewFilter, perColumn int, values []string) ([]*assent.ItemColumn, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleViewer); err != nil {
		return nil, err
	}
	q, err := s.filter(f)
	if err != nil {
		return nil, err
	}
	cols, err := rowColumns(values)
	if err != nil {
		return nil, err
	}
	tx, err := s.readSnapshot(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT current_step, count(*) FROM items WHERE `+q.whereSQL()+` GROUP BY current_step`, q.args...)
	if err != nil {
		return nil, fmt.Errorf("item board: %w", err)
	}
	var board []*assent.ItemColumn
	for rows.Next() {
		c := &assent.ItemColumn{Items: []*assent.ItemRow{}}
		if err := rows.Scan(&c.Step, &c.Count); err != nil {
			rows.Close()
			return nil, fmt.Errorf("item board: %w", err)
		}
		board = append(board, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("item board: %w", err)
	}
	if perColumn <= 0 {
		return board, nil
	}
	limit := min(perColumn, assent.MaxPageSize)
	step := q.arg("")
	list := `SELECT ` + cols + ` FROM items WHERE ` + q.whereSQL() + ` AND current_step = ` + step + fmt.Sprintf(` ORDER BY name, id LIMIT %d`, limit)
	var all []*assent.ItemRow
	for _, c := range board {
		q.args[len(q.args)-1] = c.Step
		if c.Items, err = queryRows(ctx, tx, list, q.args, values); err != nil {
			return nil, err
		}
		all = append(all, c.Items...)
	}
	if err := fillParentNames(ctx, tx, all); err != nil {
		return nil, err
	}
	return board, nil
}

// ItemMatrix counts the items per pair of values and names the first of
// each pair in one ordered pass: with an index on (type, archived, x, y,
// name) such as the default axes have, the database reads it in order
// without sorting. (Counting with GROUP BY and then listing each cell with
// LIMIT is faster with that index and many times slower without it; a
// window numbering the items within their cell is slower in both.)
func (s *ItemViewService) ItemMatrix(ctx context.Context, f assent.ItemViewFilter, x, y string, perCell int) ([]*assent.ItemCell, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleViewer); err != nil {
		return nil, err
	}
	q, err := s.filter(f)
	if err != nil {
		return nil, err
	}
	xv, err := fieldValue(x)
	if err != nil {
		return nil, err
	}
	yv, err := fieldValue(y)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+xv+`, `+yv+`, id, name FROM items WHERE `+q.whereSQL()+
		` ORDER BY `+xv+`, `+yv+`, name, id`, q.args...)
	if err != nil {
		return nil, fmt.Errorf("item matrix: %w", err)
	}
	defer rows.Close()
	var cells []*assent.ItemCell
	var cur *assent.ItemCell
	for rows.Next() {
		var xs, ys sql.NullString
		var id, name string
		if err := rows.Scan(&xs, &ys, &id, &name); err != nil {
			return nil, fmt.Errorf("item matrix: %w", err)
		}
		if cur == nil || cur.X != xs.String || cur.Y != ys.String {
			cur = &assent.ItemCell{X: xs.String, Y: ys.String, Items: []*assent.ItemRow{}}
			cells = append(cells, cur)
		}
		cur.Count++
		if len(cur.Items) < perCell {
			cur.Items = append(cur.Items, &assent.ItemRow{ID: id, Name: name, Values: map[string]string{x: xs.String, y: ys.String}})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("item matrix: %w", err)
	}
	return cells, nil
}

// CountChildren counts the children of each parent in one grouped query
// per batch of parents.
func (s *ItemViewService) CountChildren(ctx context.Context, f assent.ItemViewFilter, parents []string) (map[string]int, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleViewer); err != nil {
		return nil, err
	}
	f.Parent = ""
	counts := map[string]int{}
	for batch := range slices.Chunk(parents, assent.MaxPageSize) {
		q, err := s.filter(f)
		if err != nil {
			return nil, err
		}
		ph := make([]string, len(batch))
		for i, p := range batch {
			ph[i] = q.arg(p)
		}
		q.and("parent_id IN (" + strings.Join(ph, ", ") + ")")
		rows, err := s.db.read.QueryContext(ctx, `SELECT parent_id, count(*) FROM items WHERE `+q.whereSQL()+` GROUP BY parent_id`, q.args...)
		if err != nil {
			return nil, fmt.Errorf("count children: %w", err)
		}
		for rows.Next() {
			var id string
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				rows.Close()
				return nil, fmt.Errorf("count children: %w", err)
			}
			counts[id] = n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("count children: %w", err)
		}
	}
	return counts, nil
}

package assent

import (
	"context"
	"time"
)

// ItemViewFilter selects the items a view shows. Archived items never
// appear in views; zero values select everything else.
type ItemViewFilter struct {
	Type     string
	Template string
	Q        string            // name contains, any case
	Step     string            // current step
	Parent   string            // parent item id
	Fields   map[string]string // field id → value of a text or category field
}

// ItemSortKey names what a table of items is ordered by.
type ItemSortKey string

// The sort keys. Step and field sorts follow the ranks given, not the
// alphabet: "Low" comes before "High", "Exploration" before "Delivered".
const (
	SortByName    ItemSortKey = "name"
	SortByUpdated ItemSortKey = "updated"
	SortByStep    ItemSortKey = "step"
	SortByField   ItemSortKey = "field"
)

// ItemSort orders a table of items. Ties go by name, then id.
type ItemSort struct {
	By    ItemSortKey // "" is SortByName
	Field string      // the field id, for SortByField
	// Ranks lists, for SortByStep and SortByField, the step ids or values in
	// their order (a template's steps, a category's options). Items whose
	// value is missing or not listed come last in both directions.
	Ranks []string
	Desc  bool
}

// ItemTableQuery asks for one page of a sorted table of items.
type ItemTableQuery struct {
	ItemViewFilter
	Sort ItemSort
	// Values names the fields whose values each row carries.
	Values []string
	Limit  int
	Cursor string // from the previous page, for the same filter and sort
}

// ItemRow is an item as views list it: what a row or a card shows,
// without the whole item.
type ItemRow struct {
	ID          string
	Name        string
	Parent      *string
	ParentName  string // "" without a parent; tables and boards fill it
	CurrentStep string
	// Values holds the fields the query named, as text; "" when unset.
	Values    map[string]string
	UpdatedAt time.Time
}

// ItemColumn is one column of a board: the items whose current step is
// Step, the first ones by name.
type ItemColumn struct {
	Step  string
	Count int
	Items []*ItemRow
}

// ItemCell is one cell of a matrix: the items whose field values are X and
// Y ("" when unset), the first ones by name.
type ItemCell struct {
	X, Y  string
	Count int
	Items []*ItemRow
}

// ItemViewService answers the questions of the list views (tables, boards,
// matrices) without loading every item: its methods sort, count and cut in
// the database. Viewers and above; the filters' field ids must be field
// ids (EINVALID otherwise).
type ItemViewService interface {
	// FindItemRows returns one page of a sorted table and the cursor of the
	// next page ("" on the last). EINVALID for a cursor of another sort.
	FindItemRows(ctx context.Context, q ItemTableQuery) ([]*ItemRow, string, error)

	// ItemBoard counts the items per current step and returns the first
	// perColumn of each by name, carrying the values of the fields named.
	// Columns come in no particular order; steps without items are absent.
	ItemBoard(ctx context.Context, f ItemViewFilter, perColumn int, values []string) ([]*ItemColumn, error)

	// ItemMatrix counts the items per pair of values of fields x and y and
	// returns the first perCell names of each. Cells come in no particular
	// order; empty ones are absent.
	ItemMatrix(ctx context.Context, f ItemViewFilter, x, y string, perCell int) ([]*ItemCell, error)

	// CountChildren counts, for each of parents, its children that f
	// selects (f.Parent is ignored). Parents without children are absent.
	CountChildren(ctx context.Context, f ItemViewFilter, parents []string) (map[string]int, error)
}

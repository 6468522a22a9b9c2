package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"assent"
)

// GovernableService implements assent.GovernableService and
// assent.SyncService: the copies of the sources' objects.
type GovernableService struct {
	db    *DB
	items *ItemService
}

// NewGovernableService returns the governable item service of db; it
// creates governed items through items.
func NewGovernableService(db *DB, items *ItemService) *GovernableService {
	return &GovernableService{db: db, items: items}
}

var (
	_ assent.GovernableService = (*GovernableService)(nil)
	_ assent.SyncService       = (*GovernableService)(nil)
)

// governableSelect reads an item with its parent's and grandparent's keys,
// which links to the platform need.
const governableSelect = `SELECT g.id, g.source_id, g.kind, g.key, g.parent_id, p.key, pp.key, COALESCE(p.name, ''), g.name, g.attributes, g.status,
	g.deleted_in_source, g.governed_item_id, g.created_at, g.updated_at, s.link_template
	FROM governable_items g
	JOIN sources s ON s.id = g.source_id
	LEFT JOIN governable_items p ON p.id = g.parent_id
	LEFT JOIN governable_items pp ON pp.id = p.parent_id`

func scanGovernable(row interface{ Scan(...any) error }) (*assent.GovernableItem, error) {
	var g assent.GovernableItem
	var parent, parentKey, grandKey, governed sql.NullString
	var attrs, link string
	var created, updated int64
	if err := row.Scan(&g.ID, &g.Source, &g.Kind, &g.Key, &parent, &parentKey, &grandKey, &g.ParentName, &g.Name, &attrs, &g.Status,
		&g.DeletedInSource, &governed, &created, &updated, &link); err != nil {
		return nil, err
	}
	g.Parent, g.ParentKey, g.GovernedItem = nullString(parent), nullString(parentKey), nullString(governed)
	if err := json.Unmarshal([]byte(attrs), &g.Attributes); err != nil {
		return nil, fmt.Errorf("governable %s attributes: %w", g.ID, err)
	}
	g.CreatedAt, g.UpdatedAt = fromMS(created), fromMS(updated)
	projectKey := g.Key
	switch {
	case grandKey.Valid:
		projectKey = grandKey.String
	case parentKey.Valid:
		projectKey = parentKey.String
	}
	g.URL = assent.ObjectURL(link, &g, projectKey)
	return &g, nil
}

func nullString(s sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	return &s.String
}

func findGovernable(ctx context.Context, q queryer, id string) (*assent.GovernableItem, error) {
	g, err := scanGovernable(q.QueryRowContext(ctx, governableSelect+` WHERE g.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, assent.Errorf(assent.ENOTFOUND, "Governable item %q not found.", id)
	} else if err != nil {
		return nil, fmt.Errorf("find governable item: %w", err)
	}
	return g, nil
}

func queryGovernables(ctx context.Context, q rowsQueryer, query string, args ...any) ([]*assent.GovernableItem, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("find governable items: %w", err)
	}
	defer rows.Close()
	out := []*assent.GovernableItem{}
	for rows.Next() {
		g, err := scanGovernable(rows)
		if err != nil {
			return nil, fmt.Errorf("find governable items: %w", err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// FindGovernableItem returns one governable item.
func (s *GovernableService) FindGovernableItem(ctx context.Context, id string) (*assent.GovernableItem, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleViewer); err != nil {
		return nil, err
	}
	return findGovernable(ctx, s.db.read, id)
}

// FindGovernableItems lists governable items by name.
func (s *GovernableService) FindGovernableItems(ctx context.Context, f assent.GovernableFilter) ([]*assent.GovernableItem, string, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleViewer); err != nil {
		return nil, "", err
	}
	var c conditions
	add := c.add
	switch f.Status {
	case "":
		add("g.status <> 'hidden'")
	case "all":
	case assent.StatusGovernable, assent.StatusGoverned, assent.StatusHidden:
		add("g.status = ?", f.Status)
	default:
		return nil, "", assent.Invalid("status", "must be governable, governed, hidden or all")
	}
	if f.Kind != "" {
		if assent.KindDepth(f.Kind) < 0 {
			return nil, "", assent.Invalid("kind", "must be one of %s", strings.Join(assent.GovernableKinds, ", "))
		}
		add("g.kind = ?", f.Kind)
	}
	if f.Source != "" {
		add("g.source_id = ?", f.Source)
	}
	if f.Parent != "" {
		add("g.parent_id = ?", f.Parent)
	}
	if f.Key != "" {
		add("g.key = ?", f.Key)
	}
	if f.Deleted != nil {
		add("g.deleted_in_source = ?", *f.Deleted)
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		pattern := "%" + likeEscape(q) + "%"
		if s.db.dialect.isPostgres() { // a trigram index answers it
			add("g.name ILIKE ? ESCAPE '\\'", pattern)
		} else { // scanning the narrow name index costs a third of scanning the rows
			add("g.id IN (SELECT id FROM governable_items WHERE name LIKE ? ESCAPE '\\')", pattern)
		}
	}
	if f.Cursor != "" {
		key, err := decodeCursor(f.Cursor)
		name, id, ok := strings.Cut(key, "\x00")
		if err != nil || !ok {
			return nil, "", assent.Invalid("cursor", "is not a cursor this server gave out")
		}
		add("(g.name, g.id) > (?, ?)", name, id)
	}
	limit := assent.PageSize(f.Limit)
	items, err := queryGovernables(ctx, s.db.read, governableSelect+` WHERE `+c.sql()+fmt.Sprintf(` ORDER BY g.name, g.id LIMIT %d`, limit+1), c.args...)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(items) > limit {
		items = items[:limit]
		last := items[limit-1]
		next = encodeCursor(last.Name + "\x00" + last.ID)
	}
	return items, next, nil
}

// FindSourceObjects lists the governable items a governed item governs.
func (s *GovernableService) FindSourceObjects(ctx context.Context, itemID string) ([]*assent.GovernableItem, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleViewer); err != nil {
		return nil, err
	}
	return queryGovernables(ctx, s.db.read, governableSelect+` WHERE g.governed_item_id = $1 ORDER BY g.name, g.id`, itemID)
}

package sqldb

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"assent"
)

var fieldFilterKey = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// FindItems lists items in name order, filtered, one page at a time.
func (s *ItemService) FindItems(ctx context.Context, f assent.ItemFilter) ([]*assent.Item, string, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleViewer); err != nil {
		return nil, "", err
	}
	var c conditions
	add := c.add
	add("archived = ?", f.Archived != nil && *f.Archived)
	if f.Type != "" {
		add("type = ?", f.Type)
	}
	if f.Template != "" {
		add("template_id = ?", f.Template)
	}
	if f.Step != "" {
		add("current_step = ?", f.Step)
	}
	if f.Parent != "" {
		add("parent_id = ?", f.Parent)
	}
	if f.Signoff != "" {
		if !slices.Contains(assent.SignoffStates, assent.SignoffState(f.Signoff)) {
			return nil, "", assent.Invalid("signoff", "must be one of NOT_STARTED, WAITING_FOR_FEEDBACK, WAITING_FOR_APPROVAL, APPROVED, REJECTED, ABANDONED")
		}
		add("EXISTS (SELECT 1 FROM signoffs s WHERE s.item_id = items.id AND s.gating AND s.state = ?)", f.Signoff)
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		add("name "+s.db.dialect.ilike+" ? ESCAPE '\\'", "%"+likeEscape(q)+"%")
	}
	keys := make([]string, 0, len(f.Fields))
	for k := range f.Fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !fieldFilterKey.MatchString(k) {
			return nil, "", assent.Invalid("field."+k, "is not a field id")
		}
		// k passed the pattern above, so it can be written into the SQL.
		add(s.db.dialect.fieldText(k)+" = ?", f.Fields[k])
	}
	if f.Cursor != "" {
		key, err := decodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		name, id, ok := strings.Cut(key, "\x00")
		if !ok {
			return nil, "", assent.Invalid("cursor", "is not a cursor this server gave out")
		}
		add("(name, id) > (?, ?)", name, id)
	}
	limit := assent.PageSize(f.Limit)
	q := `SELECT ` + itemColumns + ` FROM items WHERE ` + c.sql() + fmt.Sprintf(` ORDER BY name, id LIMIT %d`, limit+1)
	rows, err := s.db.read.QueryContext(ctx, q, c.args...)
	if err != nil {
		return nil, "", fmt.Errorf("find items: %w", err)
	}
	defer rows.Close()
	items := []*assent.Item{}
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, "", err
		}
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("find items: %w", err)
	}
	if err := fillGovernableIDs(ctx, s.db.dialect, s.db.read, items); err != nil {
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

// likeEscape makes % and _ in a search match themselves.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

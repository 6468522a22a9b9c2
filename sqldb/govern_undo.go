package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"assent"
)

// UngovernItem unlinks a governable item from its governed item and
// archives that item when it governs nothing else.
func (s *GovernableService) UngovernItem(ctx context.Context, id string) (*assent.GovernableItem, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleMember); err != nil {
		return nil, err
	}
	err := s.db.inTx(ctx, func(tx *Tx) error {
		g, err := loadRow(ctx, tx, id)
		if err != nil {
			return err
		}
		if g.governed == nil {
			return assent.Errorf(assent.ECONFLICT, "The %s %q is not governed.", kindLabel(g.kind), g.name)
		}
		var childKind, childName string
		err = tx.QueryRowContext(ctx, `SELECT kind, name FROM governable_items WHERE parent_id = $1 AND status = 'governed' ORDER BY name LIMIT 1`, id).Scan(&childKind, &childName)
		if err == nil {
			return assent.Errorf(assent.ECONFLICT, "Its %s %q is governed; ungovern the children of the %s %q first.", kindLabel(childKind), childName, kindLabel(g.kind), g.name)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("find governed children: %w", err)
		}
		item := *g.governed
		r, err := tx.ExecContext(ctx, `UPDATE governable_items SET status = 'governable', governed_item_id = NULL, updated_at = $1 WHERE id = $2 AND governed_item_id = $3`,
			ms(tx.now), id, item)
		if err != nil {
			return fmt.Errorf("ungovern: %w", err)
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return assent.Errorf(assent.ECONFLICT, "The %s %q changed at the same moment; reload and try again.", kindLabel(g.kind), g.name)
		}
		tx.record("governable", id, "governable.ungovern", map[string]any{"status": assent.StatusGoverned, "governed_item": item}, map[string]any{"status": assent.StatusGovernable})
		var others int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM governable_items WHERE governed_item_id = $1`, item).Scan(&others); err != nil {
			return fmt.Errorf("count source objects: %w", err)
		}
		if others > 0 { // another source project still shares this governed project
			return nil
		}
		r, err = tx.ExecContext(ctx, `UPDATE items SET archived = TRUE, revision = revision + 1, updated_at = $1 WHERE id = $2 AND NOT archived`, ms(tx.now), item)
		if err != nil {
			return fmt.Errorf("archive ungoverned item: %w", err)
		}
		if n, _ := r.RowsAffected(); n > 0 {
			tx.record("item", item, "item.archive", map[string]any{"archived": false}, map[string]any{"archived": true, "reason": "ungoverned"})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return findGovernable(ctx, s.db.read, id)
}

// HideItem hides or shows an item and its descendants. Governed
// descendants cannot exist under a hidden item: governing needs governed
// parents, and a governed item cannot be hidden.
func (s *GovernableService) HideItem(ctx context.Context, id string, hidden bool) (*assent.GovernableItem, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleMember); err != nil {
		return nil, err
	}
	from, to, action := assent.StatusGovernable, assent.StatusHidden, "governable.hide"
	if !hidden {
		from, to, action = assent.StatusHidden, assent.StatusGovernable, "governable.unhide"
	}
	err := s.db.inTx(ctx, func(tx *Tx) error {
		g, err := loadRow(ctx, tx, id)
		if err != nil {
			return err
		}
		switch {
		case hidden && g.status == assent.StatusGoverned:
			return assent.Errorf(assent.ECONFLICT, "The %s %q is governed by item %s; ungovern it before hiding it.", kindLabel(g.kind), g.name, *g.governed)
		case g.status != from:
			return nil // already as asked
		}
		if !hidden && g.parent != nil {
			p, err := loadRow(ctx, tx, *g.parent)
			if err != nil {
				return err
			}
			if p.status == assent.StatusHidden {
				return assent.Errorf(assent.ECONFLICT, "Its parent %s %q (%s) is hidden; unhide the parent, and its children follow.", kindLabel(p.kind), p.name, p.id)
			}
		}
		level := []*govRow{g}
		for len(level) > 0 {
			var next []*govRow
			for _, r := range level {
				if r.status != from {
					continue
				}
				if _, err := tx.ExecContext(ctx, `UPDATE governable_items SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4`, to, ms(tx.now), r.id, from); err != nil {
					return fmt.Errorf("hide: %w", err)
				}
				tx.record("governable", r.id, action, map[string]any{"status": from}, map[string]any{"status": to, "cascade_from": cascadeFrom(r, g)})
				children, err := loadChildren(ctx, tx, r.id)
				if err != nil {
					return err
				}
				next = append(next, children...)
			}
			level = next
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return findGovernable(ctx, s.db.read, id)
}

// cascadeFrom names the item whose hiding hid r, or nil for that item itself.
func cascadeFrom(r, top *govRow) any {
	if r == top {
		return nil
	}
	return top.id
}

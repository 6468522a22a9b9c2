package sqldb

import (
	"context"
	"fmt"

	"assent"
)

// fillGovernableIDs sets the source objects each item governs, with one
// query for the whole list.
func fillGovernableIDs(ctx context.Context, d dialect, q rowsQueryer, items []*assent.Item) error {
	if len(items) == 0 {
		return nil
	}
	byID := make(map[string]*assent.Item, len(items))
	ids := make([]string, 0, len(items))
	for _, it := range items {
		it.GovernableItems = []string{}
		byID[it.ID] = it
		ids = append(ids, it.ID)
	}
	query, arg := `SELECT governed_item_id, id FROM governable_items WHERE `+d.inList("governed_item_id", 1)+` ORDER BY id`, d.listArg(ids)
	if len(ids) == 1 {
		query, arg = `SELECT governed_item_id, id FROM governable_items WHERE governed_item_id = $1 ORDER BY id`, ids[0]
	}
	rows, err := q.QueryContext(ctx, query, arg)
	if err != nil {
		return fmt.Errorf("find source objects: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var item, id string
		if err := rows.Scan(&item, &id); err != nil {
			return fmt.Errorf("find source objects: %w", err)
		}
		byID[item].GovernableItems = append(byID[item].GovernableItems, id)
	}
	return rows.Err()
}

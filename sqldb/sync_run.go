package sqldb

import (
	"context"
	"fmt"
	"strings"

	"assent"
)

// trackRun remembers the items a batch of a full sync saw and, in the
// final batch, marks the source's items that no batch of the run saw as
// deleted in the source. They are kept, governed or not: a platform that
// loses an object does not erase its governance history.
func (s *GovernableService) trackRun(ctx context.Context, tx *Tx, source string, b assent.SyncBatch, seen []assent.SyncItemRef) (int, error) {
	run := b.Run
	if run == "" { // a final batch on its own is a full sync by itself
		run = "single:" + randomString(12)
	}
	if err := insertSeen(ctx, tx, source, run, seen); err != nil {
		return 0, err
	}
	if !b.Final {
		return 0, nil
	}
	rows, err := tx.QueryContext(ctx, `UPDATE governable_items SET deleted_in_source = TRUE, updated_at = $1
		WHERE source_id = $2 AND NOT deleted_in_source
		AND id NOT IN (SELECT item_id FROM sync_run_items WHERE source_id = $2 AND run = $3)
		RETURNING id`, ms(tx.now), source, run)
	if err != nil {
		return 0, fmt.Errorf("mark deleted in source: %w", err)
	}
	var deleted []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, fmt.Errorf("mark deleted in source: %w", err)
		}
		deleted = append(deleted, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("mark deleted in source: %w", err)
	}
	for _, id := range deleted {
		tx.record("governable", id, "governable.delete_in_source", map[string]any{"deleted_in_source": false}, map[string]any{"deleted_in_source": true, "run": b.Run})
	}
	// Forget this run, and runs abandoned long ago.
	if _, err := tx.ExecContext(ctx, `DELETE FROM sync_run_items WHERE source_id = $1 AND (run = $2 OR seen_at < $3)`,
		source, run, ms(tx.now.Add(-staleRunAge))); err != nil {
		return 0, fmt.Errorf("forget sync run: %w", err)
	}
	return len(deleted), nil
}

const seenColumns = 4

func insertSeen(ctx context.Context, tx *Tx, source, run string, seen []assent.SyncItemRef) error {
	perStmt := tx.db.dialect.maxParams / seenColumns
	for start := 0; start < len(seen); start += perStmt {
		chunk := seen[start:min(start+perStmt, len(seen))]
		var sb strings.Builder
		sb.WriteString(`INSERT INTO sync_run_items (source_id, run, item_id, seen_at) VALUES `)
		args := make([]any, 0, len(chunk)*seenColumns)
		for i, ref := range chunk {
			if i > 0 {
				sb.WriteByte(',')
			}
			tx.db.dialect.writePlaceholders(&sb, len(args), seenColumns)
			args = append(args, source, run, ref.ID, ms(tx.now))
		}
		sb.WriteString(` ON CONFLICT (source_id, run, item_id) DO UPDATE SET seen_at = excluded.seen_at`)
		if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
			return fmt.Errorf("remember synced items: %w", err)
		}
	}
	return nil
}

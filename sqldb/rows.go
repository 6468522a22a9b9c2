package sqldb

import (
	"context"
	"database/sql"
	"strings"
)

// rowsPerStatement is the rows of one multi-row statement on SQLite. SQLite
// spends more time parsing a long statement than running it, so the rows
// go in chunks of this size through one statement prepared once.
const rowsPerStatement = 256

// execRows runs "head VALUES (…), (…) tail" for n rows of columns values
// each on SQLite; appendRow appends row i's values to args.
func (tx *Tx) execRows(ctx context.Context, head, tail string, columns, n int, appendRow func(args []any, i int) []any) error {
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	args := make([]any, 0, min(n, rowsPerStatement)*columns)
	for start := 0; start < n; start += rowsPerStatement {
		size := min(rowsPerStatement, n-start)
		args = args[:0]
		for i := start; i < start+size; i++ {
			args = appendRow(args, i)
		}
		var err error
		switch {
		case size < rowsPerStatement:
			_, err = tx.ExecContext(ctx, tx.rowsSQL(head, tail, columns, size), args...)
		case full == nil:
			if full, err = tx.PrepareContext(ctx, tx.rowsSQL(head, tail, columns, size)); err == nil {
				_, err = full.ExecContext(ctx, args...)
			}
		default:
			_, err = full.ExecContext(ctx, args...)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (tx *Tx) rowsSQL(head, tail string, columns, rows int) string {
	var sb strings.Builder
	sb.WriteString(head)
	sb.WriteString(" VALUES ")
	for i := range rows {
		if i > 0 {
			sb.WriteByte(',')
		}
		tx.db.dialect.writePlaceholders(&sb, i*columns, columns)
	}
	sb.WriteString(tail)
	return sb.String()
}

package sqldb

import (
	"context"
	"database/sql"
	"fmt"
)

// readStmt returns a prepared statement on the read pool, prepared once per
// query text. Hot reads use it: on SQLite, parsing a query costs more than
// running a primary-key lookup.
func (db *DB) readStmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := db.stmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := db.read.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	if prev, loaded := db.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

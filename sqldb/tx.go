package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"assent"
)

// Tx is one write transaction. It carries the time, actor and request id of
// the change so that every event written in it agrees, and buffers the events
// so that a batch of changes appends them in a few statements.
type Tx struct {
	*sql.Tx
	db        *DB
	now       time.Time
	actor     string
	requestID string
	events    []*assent.Event
}

// inTx runs fn in a write transaction and commits it with its events. Any
// error rolls everything back.
func (db *DB) inTx(ctx context.Context, fn func(tx *Tx) error) error {
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	tx := &Tx{Tx: sqlTx, db: db, now: db.Now().UTC().Truncate(time.Millisecond), requestID: assent.RequestIDFromContext(ctx)}
	if u := assent.UserFromContext(ctx); u != nil {
		tx.actor = u.Username
	} else {
		tx.actor = "anonymous"
	}
	if err := fn(tx); err != nil {
		_ = sqlTx.Rollback()
		if isConcurrencyFailure(err) {
			return assent.Errorf(assent.ECONFLICT, "Someone changed this at the same moment; try again.")
		}
		return err
	}
	if err := tx.flushEvents(ctx); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// lock makes writers of one thing (a key such as "group:risk") wait for
// each other across replicas, for changes that read before they write.
// SQLite has a single writer, so its transactions are serial already;
// PostgreSQL takes a transaction-scoped advisory lock.
func (tx *Tx) lock(ctx context.Context, key string) error {
	if !tx.db.dialect.isPostgres() {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':' || $1))`, key); err != nil {
		return fmt.Errorf("lock %s: %w", key, err)
	}
	return nil
}

// record adds an event for one change. before and after hold only what
// changed; nil becomes SQL NULL. It cannot fail: values that do not encode
// are a programming error caught by tests.
func (tx *Tx) record(objectType, objectID, action string, before, after any) {
	tx.events = append(tx.events, &assent.Event{
		Time: tx.now, Actor: tx.actor, RequestID: tx.requestID,
		ObjectType: objectType, ObjectID: objectID, Action: action,
		Before: mustJSON(before), After: mustJSON(after),
	})
}

func mustJSON(v any) json.RawMessage {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("event value does not encode: %v", err))
	}
	return b
}

// eventColumns are written per event; the id (and on PostgreSQL the xid) come from defaults.
const eventColumns = 8

// flushEvents appends the buffered events with multi-row inserts.
func (tx *Tx) flushEvents(ctx context.Context) error {
	if len(tx.events) > 0 {
		if err := tx.enqueueWebhooks(ctx, tx.events); err != nil {
			return err
		}
	}
	// PostgreSQL takes the rows as arrays, 10,000 a statement; SQLite in
	// prepared chunks (execRows), all at once.
	perStmt := len(tx.events)
	if tx.db.dialect.isPostgres() {
		perStmt = 10000
	}
	for len(tx.events) > 0 {
		n := min(len(tx.events), perStmt)
		if err := tx.insertEvents(ctx, tx.events[:n]); err != nil {
			return err
		}
		tx.events = tx.events[n:]
	}
	return nil
}

func (tx *Tx) insertEvents(ctx context.Context, events []*assent.Event) error {
	if tx.db.dialect.isPostgres() {
		return tx.insertEventsPostgres(ctx, events)
	}
	err := tx.execRows(ctx, `INSERT INTO events (time, actor, request_id, object_type, object_id, action, before, after)`, "", eventColumns, len(events),
		func(args []any, i int) []any {
			e := events[i]
			return append(args, ms(e.Time), e.Actor, e.RequestID, e.ObjectType, e.ObjectID, e.Action, nullJSON(e.Before), nullJSON(e.After))
		})
	if err != nil {
		return fmt.Errorf("append events: %w", err)
	}
	return nil
}

func nullJSON(b json.RawMessage) any {
	if b == nil {
		return nil
	}
	return string(b)
}

// insertEventsPostgres sends the events as one array per column: a fixed
// statement of eight parameters that PostgreSQL plans once, instead of
// thousands of placeholders parsed for every batch.
func (tx *Tx) insertEventsPostgres(ctx context.Context, events []*assent.Event) error {
	n := len(events)
	times := make([]int64, n)
	actors, requests, types, ids, actions := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	befores, afters := make([]*string, n), make([]*string, n)
	for i, e := range events {
		times[i], actors[i], requests[i], types[i], ids[i], actions[i] = ms(e.Time), e.Actor, e.RequestID, e.ObjectType, e.ObjectID, e.Action
		befores[i], afters[i] = nullableText(e.Before), nullableText(e.After)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO events (time, actor, request_id, object_type, object_id, action, before, after)
		SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])`,
		times, actors, requests, types, ids, actions, befores, afters)
	if err != nil {
		return fmt.Errorf("append events: %w", err)
	}
	return nil
}

func nullableText(b json.RawMessage) *string {
	if b == nil {
		return nil
	}
	s := string(b)
	return &s
}

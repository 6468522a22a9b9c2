package sqldb

import (
	"cmp"
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"

	"assent"
)

// checkRecorder writes the records of concurrent deployment checks in
// shared transactions. Checks arrive by the thousand per second from
// deployment pipelines; one commit each would make them queue on the
// single writer (SQLite) or on the commit flush (PostgreSQL). A check that
// finds no writer at work becomes the writer: it writes everything
// pending, and hands on to a new writer goroutine whatever piled up
// meanwhile, so that its own request returns once its batch is committed.
type checkRecorder struct {
	mu      sync.Mutex
	pending []*checkRecord
	busy    bool
}

// checkRecord is what one check writes: the item's latest check on the
// target, and its event.
type checkRecord struct {
	item, target, decision, policy, state string
	cycle                                 int64
	event                                 *assent.Event
	done                                  chan error
}

// record writes c, alone or with others, and returns once it is committed
// (or ctx ends: the record is written all the same).
func (r *checkRecorder) record(ctx context.Context, db *DB, c *checkRecord) error {
	c.done = make(chan error, 1)
	r.mu.Lock()
	r.pending = append(r.pending, c)
	lead := !r.busy
	r.busy = true
	r.mu.Unlock()
	if lead {
		r.writeBatch(context.WithoutCancel(ctx), db)
	}
	select {
	case err := <-c.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// writeBatch writes what is pending, then leaves the rest to a new writer.
func (r *checkRecorder) writeBatch(ctx context.Context, db *DB) {
	// Let the checks already on their way join this batch: yield while
	// the batch keeps growing.
	for n, i := -1, 0; i < 4; i++ {
		r.mu.Lock()
		m := len(r.pending)
		r.mu.Unlock()
		if m == n {
			break
		}
		n = m
		runtime.Gosched()
	}
	r.mu.Lock()
	batch := r.pending
	r.pending = nil
	r.mu.Unlock()
	err := writeChecks(ctx, db, batch)
	for _, c := range batch {
		c.done <- err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.pending) == 0 {
		r.busy = false
		return
	}
	go r.writeBatch(ctx, db)
}

// writeChecks writes a batch, trying again when it loses a race (two
// replicas writing the same rows). Rows are written in key order, the
// latest check of each item and target only, so that writers never wait
// on each other in a circle. A panic is turned into the batch's error so
// that the writer always hands on.
func writeChecks(ctx context.Context, db *DB, batch []*checkRecord) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("record deployment checks: panic: %v", p)
		}
	}()
	latest := map[[2]string]*checkRecord{}
	for _, c := range batch {
		latest[[2]string{c.item, c.target}] = c
	}
	rows := make([]*checkRecord, 0, len(latest))
	for _, c := range latest {
		rows = append(rows, c)
	}
	slices.SortFunc(rows, func(a, b *checkRecord) int {
		return cmp.Or(cmp.Compare(a.item, b.item), cmp.Compare(a.target, b.target))
	})
	for attempt := 0; ; attempt++ {
		err = db.inTx(ctx, func(tx *Tx) error {
			if err := upsertChecks(ctx, tx, rows); err != nil {
				return fmt.Errorf("record deployment check: %w", err)
			}
			for _, c := range batch {
				tx.events = append(tx.events, c.event)
			}
			return nil
		})
		if assent.ErrorCode(err) != assent.ECONFLICT || attempt == 2 {
			return err
		}
	}
}

const checkUpsert = `INSERT INTO deployment_checks (item_id, target, decision, policy, signoff_state, cycle, time, actor)`
const checkConflict = ` ON CONFLICT (item_id, target) DO UPDATE SET decision = excluded.decision, policy = excluded.policy,
	signoff_state = excluded.signoff_state, cycle = excluded.cycle, time = excluded.time, actor = excluded.actor`

// upsertChecks writes the latest check rows: one statement of arrays on
// PostgreSQL, where each statement is a round trip; prepared chunks on
// SQLite.
func upsertChecks(ctx context.Context, tx *Tx, rows []*checkRecord) error {
	if !tx.db.dialect.isPostgres() {
		return tx.execRows(ctx, checkUpsert, checkConflict, 8, len(rows), func(args []any, i int) []any {
			c := rows[i]
			return append(args, c.item, c.target, c.decision, c.policy, c.state, c.cycle, ms(c.event.Time), c.event.Actor)
		})
	}
	n := len(rows)
	items, targets, decisions, policies, states, actors := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	cycles, times := make([]int64, n), make([]int64, n)
	for i, c := range rows {
		items[i], targets[i], decisions[i], policies[i], states[i], actors[i] = c.item, c.target, c.decision, c.policy, c.state, c.event.Actor
		cycles[i], times[i] = c.cycle, ms(c.event.Time)
	}
	_, err := tx.ExecContext(ctx, checkUpsert+` SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::text[])`+checkConflict,
		items, targets, decisions, policies, states, cycles, times, actors)
	return err
}

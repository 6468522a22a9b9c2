package sqldb

import (
	"context"
	"fmt"
	"sync"

	"assent"
)

// checkRecorder writes the records of concurrent deployment checks in
// shared transactions. Checks arrive by the thousand per second from
// deployment pipelines; one commit each would make them queue on the
// single writer (SQLite) or on the commit flush (PostgreSQL). The first
// check to arrive writes everything pending, then what piled up
// meanwhile; the others wait for the transaction that holds theirs.
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

// record writes c, alone or with others, and returns once it is committed.
func (r *checkRecorder) record(ctx context.Context, db *DB, c *checkRecord) error {
	c.done = make(chan error, 1)
	r.mu.Lock()
	r.pending = append(r.pending, c)
	if r.busy {
		r.mu.Unlock()
		return <-c.done
	}
	r.busy = true
	// The writer writes for others too: their requests must not fail
	// because this one's client went away.
	ctx = context.WithoutCancel(ctx)
	for len(r.pending) > 0 {
		batch := r.pending
		r.pending = nil
		r.mu.Unlock()
		err := writeChecks(ctx, db, batch)
		for _, b := range batch {
			b.done <- err
		}
		r.mu.Lock()
	}
	r.busy = false
	r.mu.Unlock()
	return <-c.done
}

func writeChecks(ctx context.Context, db *DB, batch []*checkRecord) error {
	return db.inTx(ctx, func(tx *Tx) error {
		for _, c := range batch {
			if _, err := tx.ExecContext(ctx, `INSERT INTO deployment_checks (item_id, target, decision, policy, signoff_state, cycle, time, actor)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
				ON CONFLICT (item_id, target) DO UPDATE SET decision = excluded.decision, policy = excluded.policy,
				signoff_state = excluded.signoff_state, cycle = excluded.cycle, time = excluded.time, actor = excluded.actor`,
				c.item, c.target, c.decision, c.policy, c.state, c.cycle, ms(c.event.Time), c.event.Actor); err != nil {
				return fmt.Errorf("record deployment check: %w", err)
			}
			tx.events = append(tx.events, c.event)
		}
		return nil
	})
}

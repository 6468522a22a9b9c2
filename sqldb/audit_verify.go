package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"assent"
)

// PendingGrace is how long an event may stay unsealed before Verify treats
// it as planted: a running server seals within a second and seals the rest
// when it stops, and offline commands seal before they exit.
const PendingGrace = time.Minute

// ClockSkewTolerance is how much earlier than the events sealed before it an
// event may be dated: transactions that ran long, replicas whose clocks
// differ. An event dated further back was written after the fact.
const ClockSkewTolerance = 10 * time.Minute

// Verify walks the chain from the first seal, recomputing each hash, then
// compares its head with the anchor and looks for events that have no seal.
// It reads only; a problem is reported, not an error.
func (s *AuditService) Verify(ctx context.Context) (*assent.AuditReport, error) {
	// One snapshot for the whole walk, so that a server sealing meanwhile
	// cannot make the anchor and the chain disagree.
	opts := &sql.TxOptions{ReadOnly: true}
	if s.db.dialect.isPostgres() {
		opts.Isolation = sql.LevelRepeatableRead
	} else {
		opts = nil // the read pool is query-only; a deferred transaction is one snapshot in WAL mode
	}
	tx, err := s.db.read.BeginTx(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	defer tx.Rollback()
	return s.verify(ctx, tx)
}

func (s *AuditService) verify(ctx context.Context, tx *sql.Tx) (*assent.AuditReport, error) {
	r := &assent.AuditReport{}
	a, err := readAnchor(ctx, tx, false)
	if err != nil {
		return nil, err
	}
	fail := func(seq, eventID int64, format string, args ...any) (*assent.AuditReport, error) {
		r.Sequence, r.EventID, r.Problem = seq, eventID, fmt.Sprintf(format, args...)
		return r, nil
	}

	var prevHash string
	var seq, lastEvent, latestEvent int64
	var latest time.Time
	for {
		page, err := s.sealPage(ctx, tx, seq)
		if err != nil {
			return nil, err
		}
		for _, p := range page {
			if p.seq != seq+1 {
				return fail(seq+1, 0, "seal %d is missing (the chain jumps from %d to %d): events were deleted after event %d", seq+1, seq, p.seq, lastEvent)
			}
			seq = p.seq
			if p.event == nil {
				return fail(seq, p.eventID, "event %d (seal %d) was deleted", p.eventID, seq)
			}
			if got := chainHash(prevHash, seq, p.event); got != p.hash {
				return fail(seq, p.eventID, "event %d (seal %d) was edited: its content no longer matches its seal", p.eventID, seq)
			}
			if p.event.Time.Before(latest.Add(-ClockSkewTolerance)) {
				return fail(seq, p.eventID, "event %d (seal %d) is dated %s, before event %d sealed ahead of it (%s): it was inserted after the fact",
					p.eventID, seq, p.event.Time.Format(time.RFC3339), latestEvent, latest.Format(time.RFC3339))
			}
			if p.event.Time.After(latest) {
				latest, latestEvent = p.event.Time, p.eventID
			}
			prevHash, lastEvent = p.hash, p.eventID
			r.Sealed++
		}
		if len(page) < sealBatch {
			break
		}
	}
	r.Head = prevHash

	switch {
	case seq < a.seq:
		return fail(seq+1, 0, "the newest events were deleted: the chain ends at seal %d (event %d) but the anchor records %d seals", seq, lastEvent, a.seq)
	case seq > a.seq:
		return fail(a.seq+1, 0, "seals beyond the anchor (%d > %d): the chain was extended by hand", seq, a.seq)
	case prevHash != a.hash:
		return fail(seq, lastEvent, "the chain head does not match the anchor's hash")
	}

	// An unsealed event inside the sealed range was planted afterwards.
	id, found, err := s.firstUnsealed(ctx, tx, a, true)
	if err != nil {
		return nil, err
	} else if found {
		return fail(0, id, "event %d was inserted: it lies inside the sealed history but has no seal", id)
	}
	var pending int64
	var oldest sql.NullInt64
	var oldestID sql.NullInt64
	q := `SELECT COUNT(*), MIN(time), MIN(id) FROM events e WHERE NOT EXISTS (SELECT 1 FROM event_seals s WHERE s.event_id = e.id)`
	if err := tx.QueryRowContext(ctx, q).Scan(&pending, &oldest, &oldestID); err != nil {
		return nil, fmt.Errorf("verify pending: %w", err)
	}
	r.Pending = pending
	if pending > 0 && oldest.Int64 < ms(s.db.Now().Add(-PendingGrace)) {
		id, _, err := s.firstUnsealed(ctx, tx, a, false)
		if err != nil {
			return nil, err
		}
		return fail(0, id, "event %d was never sealed although it is dated %s: inserted by hand, or left by a server that crashed (start `assent serve` to seal, then verify again)",
			id, fromMS(oldest.Int64).Format(time.RFC3339))
	}
	r.OK = true
	return r, nil
}

type sealRow struct {
	seq, eventID int64
	hash         string
	event        *assent.Event
}

func (s *AuditService) sealPage(ctx context.Context, tx *sql.Tx, afterSeq int64) ([]sealRow, error) {
	rows, err := tx.QueryContext(ctx, `SELECT s.seq, s.event_id, s.hash,
			e.id, e.time, e.actor, e.request_id, e.object_type, e.object_id, e.action, e.before, e.after
		FROM event_seals s LEFT JOIN events e ON e.id = s.event_id
		WHERE s.seq > $1 ORDER BY s.seq LIMIT $2`, afterSeq, sealBatch)
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	defer rows.Close()
	var page []sealRow
	for rows.Next() {
		var p sealRow
		var id, t sql.NullInt64
		var actor, reqID, otype, oid, action, before, after sql.NullString
		if err := rows.Scan(&p.seq, &p.eventID, &p.hash, &id, &t, &actor, &reqID, &otype, &oid, &action, &before, &after); err != nil {
			return nil, fmt.Errorf("verify: %w", err)
		}
		if id.Valid {
			p.event = &assent.Event{ID: id.Int64, Time: fromMS(t.Int64), Actor: actor.String, RequestID: reqID.String,
				ObjectType: otype.String, ObjectID: oid.String, Action: action.String}
			if before.Valid {
				p.event.Before = []byte(before.String)
			}
			if after.Valid {
				p.event.After = []byte(after.String)
			}
		}
		page = append(page, p)
	}
	return page, rows.Err()
}

// firstUnsealed returns the lowest id of an event without a seal, either
// inside the range the anchor says is sealed or anywhere, and whether there
// is one: a forged id may be 0 or negative, so the id cannot say it.
func (s *AuditService) firstUnsealed(ctx context.Context, tx *sql.Tx, a anchor, insideSealed bool) (int64, bool, error) {
	q := `SELECT MIN(e.id) FROM events e WHERE NOT EXISTS (SELECT 1 FROM event_seals s WHERE s.event_id = e.id)`
	var args []any
	if insideSealed {
		if s.db.dialect.isPostgres() {
			q += ` AND (e.xid, e.id) <= (CAST($1 AS text)::xid8, $2)`
			args = append(args, strconv.FormatInt(a.cursorXID, 10), a.cursorID)
		} else {
			q += ` AND e.id <= $1`
			args = append(args, a.cursorID)
		}
	}
	var id sql.NullInt64
	if err := tx.QueryRowContext(ctx, q, args...).Scan(&id); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, false, fmt.Errorf("verify unsealed: %w", err)
	}
	return id.Int64, id.Valid, nil
}

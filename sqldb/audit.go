package sqldb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"assent"
)

// AuditService implements assent.AuditService: it chains events by hash
// after they commit, so writers never wait on the chain.
type AuditService struct{ db *DB }

// NewAuditService returns the audit service of db.
func NewAuditService(db *DB) *AuditService { return &AuditService{db: db} }

var _ assent.AuditService = (*AuditService)(nil)

// sealBatch bounds one sealing transaction.
const sealBatch = 5000

// sealLockKey, with a hash of the schema, names the PostgreSQL advisory lock
// that lets one replica seal at a time.
const sealLockKey = 0x61737365 // "asse"

// chainHash is the seal of one event: SHA-256 over the previous seal, the
// event's place in the chain and every stored column, each length-prefixed
// so that no two different events hash alike.
func chainHash(prev string, seq int64, e *assent.Event) string {
	h := sha256.New()
	field := func(s string) {
		var n [binary.MaxVarintLen64]byte
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(s)))])
		h.Write([]byte(s))
	}
	nullable := func(b []byte) {
		if b == nil {
			h.Write([]byte{0})
			return
		}
		h.Write([]byte{1})
		field(string(b))
	}
	field(prev)
	field(strconv.FormatInt(seq, 10))
	field(strconv.FormatInt(e.ID, 10))
	field(strconv.FormatInt(ms(e.Time), 10))
	for _, s := range []string{e.Actor, e.RequestID, e.ObjectType, e.ObjectID, e.Action} {
		field(s)
	}
	nullable(e.Before)
	nullable(e.After)
	return hex.EncodeToString(h.Sum(nil))
}

type anchor struct {
	seq       int64
	hash      string
	cursorXID int64 // PostgreSQL only: the xid of the last sealed event
	cursorID  int64
	sealedAt  int64
}

func readAnchor(ctx context.Context, q queryer, forUpdate bool) (anchor, error) {
	var a anchor
	query := `SELECT seq, hash, cursor_xid, cursor_id, sealed_at FROM audit_anchor WHERE id = 1`
	if forUpdate {
		query += ` FOR UPDATE`
	}
	err := q.QueryRowContext(ctx, query).Scan(&a.seq, &a.hash, &a.cursorXID, &a.cursorID, &a.sealedAt)
	if err != nil {
		return a, fmt.Errorf("read audit anchor: %w", err)
	}
	return a, nil
}

// Seal chains every event committed since the last seal.
func (s *AuditService) Seal(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := s.sealOnce(ctx)
		total += n
		if err != nil || n < sealBatch {
			return total, err
		}
	}
}

// sealOnce seals up to sealBatch events in one transaction.
func (s *AuditService) sealOnce(ctx context.Context) (int, error) {
	tx, err := s.db.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("seal: %w", err)
	}
	defer tx.Rollback()
	pg := s.db.dialect.isPostgres()
	if pg {
		var got bool
		if err := tx.QueryRowContext(ctx, `SELECT pg_try_advisory_xact_lock($1, hashtext(current_schema()))`, sealLockKey).Scan(&got); err != nil {
			return 0, fmt.Errorf("seal lock: %w", err)
		} else if !got {
			return 0, nil // another replica is sealing
		}
	}
	// The advisory lock already makes this the only sealer; no row lock, so
	// that an idle round writes nothing and uses no transaction id.
	a, err := readAnchor(ctx, tx, false)
	if err != nil {
		return 0, err
	}
	events, xids, err := unsealedEvents(ctx, tx, pg, a)
	if err != nil || len(events) == 0 {
		return 0, err
	}
	seqs, ids, hashes := make([]int64, len(events)), make([]int64, len(events)), make([]string, len(events))
	for i, e := range events {
		a.seq++
		a.hash = chainHash(a.hash, a.seq, e)
		a.cursorID, a.cursorXID = e.ID, xids[i]
		seqs[i], ids[i], hashes[i] = a.seq, e.ID, a.hash
	}
	if err := s.insertSeals(ctx, tx, seqs, ids, hashes); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE audit_anchor SET seq = $1, hash = $2, cursor_xid = $3, cursor_id = $4, sealed_at = $5 WHERE id = 1`,
		a.seq, a.hash, a.cursorXID, a.cursorID, ms(s.db.Now())); err != nil {
		return 0, fmt.Errorf("seal anchor: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("seal commit: %w", err)
	}
	return len(events), nil
}

// unsealedEvents returns the next events to seal in commit order. On SQLite
// the single writer commits in id order. On PostgreSQL ids are drawn before
// commit, so only events of transactions older than every running one are
// taken, in (xid, id) order: no earlier event can still appear behind them.
func unsealedEvents(ctx context.Context, tx *sql.Tx, pg bool, a anchor) ([]*assent.Event, []int64, error) {
	var rows *sql.Rows
	var err error
	if pg {
		var xmin string
		if err := tx.QueryRowContext(ctx, `SELECT pg_snapshot_xmin(pg_current_snapshot())::text`).Scan(&xmin); err != nil {
			return nil, nil, fmt.Errorf("seal snapshot: %w", err)
		}
		rows, err = tx.QueryContext(ctx, `SELECT id, time, actor, request_id, object_type, object_id, action, before, after, xid::text
			FROM events e WHERE xid < CAST($1 AS text)::xid8 AND (xid, id) > (CAST($2 AS text)::xid8, $3)
			AND NOT EXISTS (SELECT 1 FROM event_seals s WHERE s.event_id = e.id)
			ORDER BY xid, id LIMIT $4`, xmin, strconv.FormatInt(a.cursorXID, 10), a.cursorID, sealBatch)
	} else {
		rows, err = tx.QueryContext(ctx, `SELECT id, time, actor, request_id, object_type, object_id, action, before, after, '0'
			FROM events WHERE id > $1 ORDER BY id LIMIT $2`, a.cursorID, sealBatch)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("seal: %w", err)
	}
	defer rows.Close()
	var events []*assent.Event
	var xids []int64
	for rows.Next() {
		var e assent.Event
		var t int64
		var before, after sql.NullString
		var xid string
		if err := rows.Scan(&e.ID, &t, &e.Actor, &e.RequestID, &e.ObjectType, &e.ObjectID, &e.Action, &before, &after, &xid); err != nil {
			return nil, nil, fmt.Errorf("seal: %w", err)
		}
		e.Time = fromMS(t)
		if before.Valid {
			e.Before = []byte(before.String)
		}
		if after.Valid {
			e.After = []byte(after.String)
		}
		x, _ := strconv.ParseInt(xid, 10, 64)
		events, xids = append(events, &e), append(xids, x)
	}
	return events, xids, rows.Err()
}

// RunSealer seals every interval until ctx ends, then once more so that a
// clean shutdown leaves nothing unsealed.
func (s *AuditService) RunSealer(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			final, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			if _, err := s.Seal(final); err != nil {
				s.db.Logger.Error("final seal failed", "err", err)
			}
			cancel()
			return
		case <-t.C:
			if _, err := s.Seal(ctx); err != nil && ctx.Err() == nil {
				s.db.Logger.Error("seal failed", "err", err)
			}
		}
	}
}

// insertSeals writes seals with one statement per thousand rows on SQLite
// and one array statement on PostgreSQL.
func (s *AuditService) insertSeals(ctx context.Context, tx *sql.Tx, seqs, ids []int64, hashes []string) error {
	if s.db.dialect.isPostgres() {
		_, err := tx.ExecContext(ctx, `INSERT INTO event_seals (seq, event_id, hash) SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[])`, seqs, ids, hashes)
		if err != nil {
			return fmt.Errorf("seal: %w", err)
		}
		return nil
	}
	for from := 0; from < len(seqs); from += 1000 {
		to := min(from+1000, len(seqs))
		var sb strings.Builder
		sb.WriteString(`INSERT INTO event_seals (seq, event_id, hash) VALUES `)
		args := make([]any, 0, 3*(to-from))
		for i := from; i < to; i++ {
			if i > from {
				sb.WriteByte(',')
			}
			s.db.dialect.writePlaceholders(&sb, len(args), 3)
			args = append(args, seqs[i], ids[i], hashes[i])
		}
		if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
			return fmt.Errorf("seal: %w", err)
		}
	}
	return nil
}

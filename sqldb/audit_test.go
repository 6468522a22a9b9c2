package sqldb_test

import (
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"assent"
	"assent/sqldb"
	"assent/sqldb/sqldbtest"
)

// openRaw opens a second, plain connection to dsn: what someone with
// database access, not the application, can do.
func openRaw(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	driver, name := "sqlite", "file:"+dsn+"?_pragma=busy_timeout(10000)"
	if sqldb.IsPostgresURL(dsn) {
		driver, name = "pgx", dsn
	}
	raw, err := sql.Open(driver, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

func mustExec(t *testing.T, raw *sql.DB, query string, args ...any) {
	t.Helper()
	if _, err := raw.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// mustSeal seals and returns how many events it chained.
func mustSeal(t *testing.T, db *sqldb.DB) int {
	t.Helper()
	n, err := sqldb.NewAuditService(db).Seal(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func mustVerify(t *testing.T, db *sqldb.DB) *assent.AuditReport {
	t.Helper()
	r, err := sqldb.NewAuditService(db).Verify(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// writeHistory makes a few changes, with a writer that rolled back in the
// middle (on PostgreSQL that leaves a gap in the ids), and returns the event
// ids oldest first, unsealed.
func writeHistory(t *testing.T, db *sqldb.DB, raw *sql.DB) []int64 {
	t.Helper()
	groups := sqldb.NewGroupService(db)
	mustCreateUser(t, db, "ada", assent.RoleMember)
	mustCreateUser(t, db, "bob", assent.RoleMember)
	if _, err := groups.CreateGroup(admin, "reviewers", ""); err != nil {
		t.Fatal(err)
	}
	tx, err := raw.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`INSERT INTO events (time, actor, object_type, object_id, action) VALUES (1, 'x', 'x', 'x', 'x')`); err != nil {
		t.Fatal(err)
	}
	tx.Rollback()
	mustCreateUser(t, db, "carol", assent.RoleViewer)
	if _, err := groups.SetGroupMembers(admin, "reviewers", []string{"ada", "bob"}); err != nil {
		t.Fatal(err)
	}
	if _, err := groups.AddGroupMember(admin, "reviewers", "carol"); err != nil {
		t.Fatal(err)
	}
	evs, _, err := sqldb.NewEventService(db).FindEvents(admin, assent.EventFilter{Limit: assent.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for i := len(evs) - 1; i >= 0; i-- {
		ids = append(ids, evs[i].ID)
	}
	return ids
}

func TestAuditUntouched(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, dsn string) {
		db := sqldbtest.Open(t, dsn)
		ids := writeHistory(t, db, openRaw(t, dsn))
		// Fresh events waiting for the sealer are not a problem.
		if r := mustVerify(t, db); !r.OK || r.Pending != int64(len(ids)) || r.Sealed != 0 {
			t.Fatalf("before sealing: %+v, want OK with %d pending", r, len(ids))
		}
		if n := mustSeal(t, db); n != len(ids) {
			t.Fatalf("sealed %d events, want %d", n, len(ids))
		}
		r := mustVerify(t, db)
		if !r.OK || r.Sealed != int64(len(ids)) || r.Pending != 0 || len(r.Head) != 64 || r.Problem != "" {
			t.Fatalf("after sealing: %+v", r)
		}
		if n := mustSeal(t, db); n != 0 {
			t.Fatalf("sealing again chained %d events", n)
		}
		// The chain grows from its head.
		mustCreateUser(t, db, "dave", assent.RoleViewer)
		if n := mustSeal(t, db); n != 1 {
			t.Fatalf("sealed %d new events, want 1", n)
		}
		if r2 := mustVerify(t, db); !r2.OK || r2.Sealed != r.Sealed+1 || r2.Head == r.Head {
			t.Fatalf("after a second seal: %+v (first head %s)", r2, r.Head)
		}
	})
}

func TestAuditTampering(t *testing.T) {
	type want struct {
		eventID, seq int64
		problem      string
	}
	for _, tc := range []struct {
		name string
		// tamper changes the sealed history ids (oldest first) with raw SQL.
		tamper func(t *testing.T, raw *sql.DB, ids []int64, pg bool) want
	}{
		{"ErrEdited", func(t *testing.T, raw *sql.DB, ids []int64, pg bool) want {
			x := ids[2]
			mustExec(t, raw, `UPDATE events SET actor = 'mallory' WHERE id = $1`, x)
			return want{x, 3, fmt.Sprintf("event %d (seal 3) was edited", x)}
		}},
		{"ErrDeletedInMiddle", func(t *testing.T, raw *sql.DB, ids []int64, pg bool) want {
			x := ids[3]
			mustExec(t, raw, `DELETE FROM events WHERE id = $1`, x)
			return want{x, 4, fmt.Sprintf("event %d (seal 4) was deleted", x)}
		}},
		{"ErrNewestDeletedWithTheirSeals", func(t *testing.T, raw *sql.DB, ids []int64, pg bool) want {
			newest := ids[len(ids)-2:]
			mustExec(t, raw, `DELETE FROM event_seals WHERE event_id IN ($1, $2)`, newest[0], newest[1])
			mustExec(t, raw, `DELETE FROM events WHERE id IN ($1, $2)`, newest[0], newest[1])
			return want{0, int64(len(ids) - 1), "the newest events were deleted"}
		}},
		{"ErrForgedOldEvent", func(t *testing.T, raw *sql.DB, ids []int64, pg bool) want {
			var id int64
			if err := raw.QueryRow(`INSERT INTO events (time, actor, object_type, object_id, action, after)
				VALUES ($1, 'mallory', 'user', 'mallory', 'user.create', '{"role":"admin"}') RETURNING id`,
				time.Now().Add(-time.Hour).UnixMilli()).Scan(&id); err != nil {
				t.Fatal(err)
			}
			return want{id, 0, fmt.Sprintf("event %d was never sealed", id)}
		}},
		{"ErrReplacedUnderSameID", func(t *testing.T, raw *sql.DB, ids []int64, pg bool) want {
			x := ids[1]
			mustExec(t, raw, `DELETE FROM events WHERE id = $1`, x)
			mustExec(t, raw, `INSERT INTO events (id, time, actor, object_type, object_id, action, after)
				VALUES ($1, $2, 'test-admin', 'user', 'bob', 'user.create', '{"role":"admin"}')`, x, time.Now().UnixMilli())
			return want{x, 2, fmt.Sprintf("event %d (seal 2) was edited", x)}
		}},
		{"ErrInsertedInsideSealed", func(t *testing.T, raw *sql.DB, ids []int64, pg bool) want {
			// SQLite ids are contiguous (one writer; AUTOINCREMENT reuses
			// none), so the only free id below the sealed ones is 0. On
			// PostgreSQL the rolled-back writer left a gap.
			var gap sql.NullInt64
			if err := raw.QueryRow(`SELECT MIN(id) + 1 FROM events e WHERE id < (SELECT MAX(id) FROM events)
				AND NOT EXISTS (SELECT 1 FROM events f WHERE f.id = e.id + 1)`).Scan(&gap); err != nil {
				t.Fatal(err)
			}
			if pg && !gap.Valid {
				t.Fatal("no gap in the PostgreSQL ids")
			} else if !pg && gap.Valid {
				t.Fatalf("gap at %d in the SQLite ids", gap.Int64)
			}
			forgeInside(t, raw, gap.Int64, ids[len(ids)-1], pg)
			return want{gap.Int64, 0, fmt.Sprintf("event %d was inserted", gap.Int64)}
		}},
		{"ErrInsertedWithNegativeID", func(t *testing.T, raw *sql.DB, ids []int64, pg bool) want {
			forgeInside(t, raw, -1, ids[0], pg)
			return want{-1, 0, "event -1 was inserted"}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sqldbtest.Each(t, func(t *testing.T, dsn string) {
				db, raw := sqldbtest.Open(t, dsn), openRaw(t, dsn)
				ids := writeHistory(t, db, raw)
				mustSeal(t, db)
				if r := mustVerify(t, db); !r.OK {
					t.Fatalf("before tampering: %+v", r)
				}
				w := tc.tamper(t, raw, ids, sqldb.IsPostgresURL(dsn))
				r := mustVerify(t, db)
				if r.OK || r.EventID != w.eventID || r.Sequence != w.seq || !strings.Contains(r.Problem, w.problem) {
					t.Fatalf("report %+v,\nwant not OK, event %d, seal %d, problem saying %q", r, w.eventID, w.seq, w.problem)
				}
			})
		})
	}
}

// TestAuditForgedEventSealedByServer plants a backdated event while a
// server runs: the sealer chains it like any other, and verify still finds
// it by its date.
func TestAuditForgedEventSealedByServer(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, dsn string) {
		db, raw := sqldbtest.Open(t, dsn), openRaw(t, dsn)
		writeHistory(t, db, raw)
		var id int64
		if err := raw.QueryRow(`INSERT INTO events (time, actor, object_type, object_id, action, after)
			VALUES ($1, 'mallory', 'user', 'mallory', 'user.create', '{"role":"admin"}') RETURNING id`,
			time.Now().Add(-time.Hour).UnixMilli()).Scan(&id); err != nil {
			t.Fatal(err)
		}
		mustCreateUser(t, db, "dave", assent.RoleViewer)
		mustSeal(t, db)
		r := mustVerify(t, db)
		if r.OK || r.EventID != id || !strings.Contains(r.Problem, "inserted after the fact") {
			t.Fatalf("report %+v, want event %d found by its date", r, id)
		}
	})
}

// forgeInside inserts an event with id, dated like event like, that claims
// to have committed with it. On PostgreSQL the sealed range is in commit
// order, (xid, id); a row left with its fresh xid is, to the chain, a
// transaction committing now and is sealed as a new event, so a forger who
// wants it inside the sealed history must backdate the xid as well.
func forgeInside(t *testing.T, raw *sql.DB, id, like int64, pg bool) {
	t.Helper()
	cols, vals := "id, time, actor, object_type, object_id, action", "$1, time, 'mallory', 'user', 'mallory', 'user.create'"
	if pg {
		cols, vals = cols+", xid", vals+", xid"
	}
	mustExec(t, raw, `INSERT INTO events (`+cols+`) SELECT `+vals+` FROM events WHERE id = $2`, id, like)
}

// chainFacts counts events and seals, and whether seq runs 1..N without a hole.
func chainFacts(t *testing.T, raw *sql.DB) (events, seals, sealedEvents, unsealed int64, contiguous bool) {
	t.Helper()
	var minSeq, maxSeq sql.NullInt64
	err := raw.QueryRow(`SELECT (SELECT COUNT(*) FROM events), COUNT(*), COUNT(DISTINCT event_id), MIN(seq), MAX(seq),
		(SELECT COUNT(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM event_seals s WHERE s.event_id = e.id))
		FROM event_seals`).Scan(&events, &seals, &sealedEvents, &minSeq, &maxSeq, &unsealed)
	if err != nil {
		t.Fatal(err)
	}
	contiguous = seals == 0 || (minSeq.Int64 == 1 && maxSeq.Int64 == seals)
	return events, seals, sealedEvents, unsealed, contiguous
}

// checkChain fails unless every event has exactly one seal, seq runs 1..N and Verify passes.
func checkChain(t *testing.T, db *sqldb.DB, raw *sql.DB, wantEvents int64) {
	t.Helper()
	events, seals, sealedEvents, unsealed, contiguous := chainFacts(t, raw)
	if events != wantEvents || seals != events || sealedEvents != events || unsealed != 0 || !contiguous {
		t.Fatalf("%d events (want %d), %d seals of %d events, %d unsealed, seq 1..N: %v", events, wantEvents, seals, sealedEvents, unsealed, contiguous)
	}
	if r := mustVerify(t, db); !r.OK || r.Sealed != events || r.Pending != 0 {
		t.Fatalf("verify: %+v", r)
	}
}

// appendItems appends n events about object as the admin; it does not
// fail the test itself so that writer goroutines can call it.
func appendItems(db *sqldb.DB, object string, n int) error {
	batch := make([]*assent.Event, n)
	for i := range batch {
		batch[i] = &assent.Event{ObjectType: "item", ObjectID: object, Action: "item.touch", After: []byte(fmt.Sprintf(`{"n":%d}`, i))}
	}
	return sqldb.NewEventService(db).AppendEvents(admin, batch)
}

func TestAuditSealConcurrent(t *testing.T) {
	// Two *sqldb.DB on one database act as two replicas (or a server and an offline command).
	sqldbtest.Each(t, func(t *testing.T, dsn string) {
		replicas := []*sqldb.DB{sqldbtest.Open(t, dsn), sqldbtest.Open(t, dsn)}
		raw := openRaw(t, dsn)
		var total, sealed int64
		for round := range 3 {
			if err := appendItems(replicas[round%2], fmt.Sprintf("round-%d", round), 300); err != nil {
				t.Fatal(err)
			}
			total += 300
			var wg sync.WaitGroup
			errs := make(chan error, 8)
			for i := range 8 {
				wg.Go(func() {
					n, err := sqldb.NewAuditService(replicas[i%2]).Seal(t.Context())
					atomic.AddInt64(&sealed, int64(n))
					errs <- err
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			if sealed != total {
				t.Fatalf("round %d: the sealers report %d events sealed, want %d", round, sealed, total)
			}
		}
		checkChain(t, replicas[0], raw, total)
	})
}

func TestAuditSealWhileWriting(t *testing.T) {
	// This matters on PostgreSQL, where ids are drawn before commit and
	// transactions commit out of id order; SQLite runs it too.
	sqldbtest.Each(t, func(t *testing.T, dsn string) {
		writer, sealer := sqldbtest.Open(t, dsn), sqldbtest.Open(t, dsn)
		raw := openRaw(t, dsn)
		const writers, batches = 4, 30
		var writing sync.WaitGroup
		writeErrs := make(chan error, writers)
		for w := range writers {
			writing.Go(func() {
				for b := range batches {
					if err := appendItems(writer, fmt.Sprintf("w%d", w), 1+(w+b)%5); err != nil {
						writeErrs <- err
						return
					}
				}
			})
		}
		done := make(chan struct{})
		var sealedDuring int64
		sealing := make(chan error, 1)
		go func() {
			for {
				n, err := sqldb.NewAuditService(sealer).Seal(t.Context())
				sealedDuring += int64(n)
				select {
				case <-done:
					sealing <- err
					return
				default:
				}
				if err != nil {
					sealing <- err
					return
				}
				time.Sleep(time.Millisecond)
			}
		}()
		writing.Wait()
		close(done)
		close(writeErrs)
		for err := range writeErrs {
			t.Fatal(err)
		}
		if err := <-sealing; err != nil {
			t.Fatal(err)
		}
		var want int64
		for w := range writers {
			for b := range batches {
				want += int64(1 + (w+b)%5)
			}
		}
		// On PostgreSQL a transaction open anywhere in the cluster (another
		// test package, autovacuum) holds back what may be sealed: keep
		// sealing until the rest is in, for a while.
		rest := 0
		for deadline := time.Now().Add(30 * time.Second); sealedDuring+int64(rest) < want && time.Now().Before(deadline); {
			rest += mustSeal(t, sealer)
			time.Sleep(5 * time.Millisecond)
		}
		t.Logf("%d events sealed while writing, %d after", sealedDuring, rest)
		if sealedDuring+int64(rest) != want {
			t.Fatalf("sealed %d+%d events, want %d", sealedDuring, rest, want)
		}
		checkChain(t, writer, raw, want)
	})
}

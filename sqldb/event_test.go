package sqldb_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"assent"
	"assent/sqldb"
	"assent/sqldb/sqldbtest"
)

// eventKey is what the filter tests compare: enough to tell events apart.
type eventKey struct {
	Actor, Object, Action string
	Time                  time.Time
}

func keys(evs []*assent.Event) []eventKey {
	out := []eventKey{}
	for _, e := range evs {
		out = append(out, eventKey{e.Actor, e.ObjectType + ":" + e.ObjectID, e.Action, e.Time})
	}
	return out
}

func TestEvents(t *testing.T) {
	sqldbtest.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		events := sqldb.NewEventService(db)
		groups := sqldb.NewGroupService(db)
		ops := as("ops", assent.RoleAdmin)
		t0 := time.Date(2030, 1, 2, 9, 0, 0, 0, time.UTC)
		at := func(d time.Duration) { db.Now = func() time.Time { return t0.Add(d) } }
		defer func() { db.Now = time.Now }()

		// Five changes an hour apart, by two actors.
		at(0)
		mustCreateUser(t, db, "ada", assent.RoleMember)
		at(time.Hour)
		mustCreateUser(t, db, "bob", assent.RoleMember)
		at(2 * time.Hour)
		if _, err := groups.CreateGroup(ops, "reviewers", ""); err != nil {
			t.Fatal(err)
		}
		at(3 * time.Hour)
		if _, err := groups.AddGroupMember(ops, "reviewers", "ada"); err != nil {
			t.Fatal(err)
		}
		at(4 * time.Hour)
		if _, err := groups.CreateGroup(admin, "auditors", ""); err != nil {
			t.Fatal(err)
		}
		var (
			adaCreated  = eventKey{"test-admin", "user:ada", "user.create", t0}
			bobCreated  = eventKey{"test-admin", "user:bob", "user.create", t0.Add(time.Hour)}
			revCreated  = eventKey{"ops", "group:reviewers", "group.create", t0.Add(2 * time.Hour)}
			adaAdded    = eventKey{"ops", "group:reviewers", "group.members", t0.Add(3 * time.Hour)}
			audCreated  = eventKey{"test-admin", "group:auditors", "group.create", t0.Add(4 * time.Hour)}
			newestFirst = []eventKey{audCreated, adaAdded, revCreated, bobCreated, adaCreated}
		)

		for _, tt := range []struct {
			name   string
			filter assent.EventFilter
			want   []eventKey
		}{
			{"All", assent.EventFilter{}, newestFirst},
			{"Actor", assent.EventFilter{Actor: "ops"}, []eventKey{adaAdded, revCreated}},
			{"ObjectType", assent.EventFilter{ObjectType: "user"}, []eventKey{bobCreated, adaCreated}},
			{"Object", assent.EventFilter{ObjectType: "group", ObjectID: "reviewers"}, []eventKey{adaAdded, revCreated}},
			{"Action", assent.EventFilter{Action: "group.create"}, []eventKey{audCreated, revCreated}},
			{"SinceInclusive", assent.EventFilter{Since: t0.Add(3 * time.Hour)}, []eventKey{audCreated, adaAdded}},
			{"UntilExclusive", assent.EventFilter{Until: t0.Add(time.Hour)}, []eventKey{adaCreated}},
			{"SinceUntil", assent.EventFilter{Since: t0.Add(time.Hour), Until: t0.Add(3 * time.Hour)}, []eventKey{revCreated, bobCreated}},
			{"Combined", assent.EventFilter{Actor: "test-admin", Action: "group.create"}, []eventKey{audCreated}},
			{"NoMatch", assent.EventFilter{Actor: "nobody"}, []eventKey{}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				got, next, err := events.FindEvents(as("vera", assent.RoleViewer), tt.filter)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.want, keys(got)); diff != "" {
					t.Fatalf("events (-want +got):\n%s", diff)
				}
				if next != "" {
					t.Fatalf("one page holds them all, but next cursor = %q", next)
				}
			})
		}

		t.Run("PagesWalkAllNewestFirst", func(t *testing.T) {
			// More events than a few pages hold, from several transactions.
			at(5 * time.Hour)
			var batch []*assent.Event
			for i := range 23 {
				batch = append(batch, &assent.Event{ObjectType: "item", ObjectID: string(rune('a' + i)), Action: "item.touch"})
			}
			if err := events.AppendEvents(admin, batch[:10]); err != nil {
				t.Fatal(err)
			}
			if err := events.AppendEvents(admin, batch[10:]); err != nil {
				t.Fatal(err)
			}
			all, _, err := events.FindEvents(admin, assent.EventFilter{Limit: assent.MaxPageSize})
			if err != nil {
				t.Fatal(err)
			}
			if len(all) != 28 {
				t.Fatalf("%d events, want 28", len(all))
			}
			for _, limit := range []int{1, 4, 7, 28} {
				var walked []int64
				cursor, pages := "", 0
				for {
					page, next, err := events.FindEvents(admin, assent.EventFilter{Limit: limit, Cursor: cursor})
					if err != nil {
						t.Fatal(err)
					}
					if pages++; pages > 100 {
						t.Fatal("the cursor does not move")
					}
					if len(page) > limit || (next != "" && len(page) != limit) {
						t.Fatalf("limit %d: page of %d with next %q", limit, len(page), next)
					}
					for _, e := range page {
						walked = append(walked, e.ID)
					}
					if next == "" {
						break
					}
					cursor = next
				}
				var want []int64
				for _, e := range all {
					want = append(want, e.ID)
				}
				if diff := cmp.Diff(want, walked); diff != "" {
					t.Fatalf("limit %d: pages differ from the one list (-want +got):\n%s", limit, diff)
				}
				for i := 1; i < len(walked); i++ {
					if walked[i] >= walked[i-1] {
						t.Fatalf("limit %d: not newest first at %d: %v", limit, i, walked)
					}
				}
			}
			// A filter keeps applying across pages.
			page, next, err := events.FindEvents(admin, assent.EventFilter{Action: "user.create", Limit: 1})
			if err != nil || len(page) != 1 || page[0].ObjectID != "bob" {
				t.Fatalf("first page %v, %v", keys(page), err)
			}
			page, next, err = events.FindEvents(admin, assent.EventFilter{Action: "user.create", Limit: 1, Cursor: next})
			if err != nil || len(page) != 1 || page[0].ObjectID != "ada" || next != "" {
				t.Fatalf("second page %v next %q, %v", keys(page), next, err)
			}
		})

		t.Run("RecordsRequestID", func(t *testing.T) {
			ctx := assent.NewContextWithRequestID(admin, "req-7f3a")
			if _, err := groups.CreateGroup(ctx, "traced", ""); err != nil {
				t.Fatal(err)
			}
			evs, _, err := events.FindEvents(admin, assent.EventFilter{ObjectType: "group", ObjectID: "traced"})
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != 1 || evs[0].RequestID != "req-7f3a" {
				t.Fatalf("events = %+v, want one with request id req-7f3a", evs)
			}
		})

		t.Run("ErrBadCursor", func(t *testing.T) {
			// Not base64, base64 of text, base64 of "0" and of "-5".
			for _, cursor := range []string{"!!", "bm90LWFuLWlk", "MA", "LTU"} {
				_, _, err := events.FindEvents(admin, assent.EventFilter{Cursor: cursor})
				if diff := cmp.Diff([]string{"cursor"}, locations(t, err)); diff != "" {
					t.Fatalf("cursor %q: %s", cursor, diff)
				}
			}
		})

		t.Run("ErrUnauthorized", func(t *testing.T) {
			_, _, err := events.FindEvents(t.Context(), assent.EventFilter{})
			wantCode(t, err, assent.EUNAUTHORIZED)
			err = events.AppendEvents(as("ada", assent.RoleMember), []*assent.Event{{ObjectType: "item", ObjectID: "x", Action: "item.touch"}})
			wantCode(t, err, assent.EFORBIDDEN)
		})
	})
}

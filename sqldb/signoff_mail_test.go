package sqldb_test

import (
	"encoding/json"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"assent"
	"assent/sqldb"
	"assent/sqldb/sqldbtest"
)

// mails takes every due email message from the outbox: its recipients, sorted.
func mails(t *testing.T, db *sqldb.DB) []string {
	t.Helper()
	msgs, err := sqldb.NewOutboxService(db).ClaimMessages(admin, 1000, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	var to []string
	for _, m := range msgs {
		if m.Kind != "email" {
			continue
		}
		var e assent.EmailMessage
		if err := json.Unmarshal(m.Payload, &e); err != nil {
			t.Fatal(err)
		}
		if e.ItemName == "" || e.Link == "" || e.Unsubscribe == "" || e.StepName != "Review" {
			t.Errorf("mail %+v lacks the item, the step or a link", e)
		}
		to = append(to, e.To)
	}
	sort.Strings(to)
	return to
}

func TestSignoffMailRecipients(t *testing.T) {
	sqldbtest.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		_, signoffs, version := reviewedVersion(t, db)
		users := sqldb.NewUserService(db)
		for _, u := range []string{"ada", "bob", "carol"} {
			email := u + "@example.com"
			if _, err := users.UpdateUser(admin, u, assent.UserUpdate{Email: &email}); err != nil {
				t.Fatal(err)
			}
		}
		mails(t, db) // nothing before

		if _, err := act(signoffs, "carol", version, assent.ActRequestFeedback, nil); err != nil {
			t.Fatal(err)
		}
		if got := mails(t, db); len(got) != 0 {
			t.Fatalf("requesting feedback from nobody mailed %v", got)
		}
		if _, err := act(signoffs, "ada", version, assent.ActRequestApproval, func(r *assent.SignoffActionRequest) { r.Notify = []string{"bob"} }); err != nil {
			t.Fatal(err)
		}
		if got := mails(t, db); !cmp.Equal(got, []string{"bob@example.com"}) {
			t.Fatalf("requesting approval from bob mailed %v", got)
		}
		// carol and ada follow the version since they acted on it; bob
		// rejects, and they hear of it, not him.
		if _, err := act(signoffs, "bob", version, assent.ActApprove, func(r *assent.SignoffActionRequest) { r.Status = "REJECTED" }); err != nil {
			t.Fatal(err)
		}
		if got := mails(t, db); !cmp.Equal(got, []string{"ada@example.com", "carol@example.com"}) {
			t.Fatalf("a rejection mailed %v", got)
		}
		// ada unsubscribes; a reset by bob mails carol only.
		if err := sqldb.NewSubscriptionService(db).Unsubscribe(as("ada", assent.RoleMember), version); err != nil {
			t.Fatal(err)
		}
		if _, err := act(signoffs, "bob", version, assent.ActReset, nil); err != nil {
			t.Fatal(err)
		}
		if got := mails(t, db); !cmp.Equal(got, []string{"carol@example.com"}) {
			t.Fatalf("after ada unsubscribed, a reset mailed %v", got)
		}
		on, err := sqldb.NewSubscriptionService(db).IsSubscribed(as("ada", assent.RoleMember), version)
		if err != nil || on {
			t.Fatalf("ada still subscribed: %v, %v", on, err)
		}
	})
}

package sqldb_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"assent"
	"assent/sqldb"
	"assent/sqldb/sqldbtest"
)

func TestEmailSettings(t *testing.T) {
	sqldbtest.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		svc := sqldb.NewEmailSettingsService(db)
		const secret = "s3cret-smtp-password"

		t.Run("DefaultsBeforeSaving", func(t *testing.T) {
			got, err := svc.FindEmailSettings(admin)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(&assent.EmailSettings{TLS: "starttls", Port: 587}, got); diff != "" {
				t.Fatalf("defaults (-want +got):\n%s", diff)
			}
		})

		t.Run("ErrForbidden", func(t *testing.T) {
			_, err := svc.FindEmailSettings(as("mia", assent.RoleMember))
			wantCode(t, err, assent.EFORBIDDEN)
			_, err = svc.PutEmailSettings(as("mia", assent.RoleMember), assent.EmailSettings{})
			wantCode(t, err, assent.EFORBIDDEN)
		})

		t.Run("ErrInvalid", func(t *testing.T) {
			for _, c := range []struct {
				in   assent.EmailSettings
				want []string
			}{
				{assent.EmailSettings{Enabled: true}, []string{"host", "sender"}},
				{assent.EmailSettings{Host: "smtp://mail.example.com:25", Port: 70000, TLS: "ssl", Sender: "not an address"}, []string{"host", "port", "tls", "sender"}},
				{assent.EmailSettings{Host: "mail.example.com", Port: -1}, []string{"port"}},
				{assent.EmailSettings{Host: "mail.example.com", Password: "x"}, []string{"password"}},
			} {
				_, err := svc.PutEmailSettings(admin, c.in)
				if diff := cmp.Diff(c.want, locations(t, err)); diff != "" {
					t.Errorf("%+v (-want +got):\n%s", c.in, diff)
				}
			}
		})

		t.Run("OK", func(t *testing.T) {
			in := assent.EmailSettings{Enabled: true, Host: " mail.example.com ", TLS: "tls", Username: "assent", Password: secret, Sender: "Assent <assent@example.com>"}
			got, err := svc.PutEmailSettings(admin, in)
			if err != nil {
				t.Fatal(err)
			}
			want := &assent.EmailSettings{Enabled: true, Host: "mail.example.com", Port: 465, TLS: "tls", Username: "assent", PasswordSet: true, Sender: "Assent <assent@example.com>"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("saved (-want +got):\n%s", diff)
			}
			if got, err = svc.FindEmailSettings(admin); err != nil {
				t.Fatal(err)
			} else if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("found (-want +got):\n%s", diff)
			}
			full, err := svc.EmailSettingsWithPassword(admin)
			if err != nil || full.Password != secret {
				t.Fatalf("with password: %+v %v", full, err)
			}

			// An empty password keeps the stored one; nothing changed, no event.
			in.Password = ""
			if got, err = svc.PutEmailSettings(admin, in); err != nil || !got.PasswordSet {
				t.Fatalf("resave: %+v %v", got, err)
			}
			if full, _ = svc.EmailSettingsWithPassword(admin); full.Password != secret {
				t.Fatalf("password after resave = %q", full.Password)
			}
			if got := eventsOf(t, db, "email_settings", "instance"); len(got) != 1 {
				t.Fatalf("events = %v, want one update", got)
			}

			// Without a username the password goes too.
			in.Username = ""
			if got, err = svc.PutEmailSettings(admin, in); err != nil || got.PasswordSet {
				t.Fatalf("no username: %+v %v", got, err)
			}
			if full, _ = svc.EmailSettingsWithPassword(admin); full.Password != "" {
				t.Fatalf("password kept without a username: %q", full.Password)
			}

			evs, _, err := sqldb.NewEventService(db).FindEvents(admin, assent.EventFilter{ObjectType: "email_settings", Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != 2 {
				t.Fatalf("%d events, want 2", len(evs))
			}
			for _, e := range evs {
				if strings.Contains(string(e.Before)+string(e.After), secret) {
					t.Errorf("event %s holds the password: %s → %s", e.Action, e.Before, e.After)
				}
			}
		})
	})
}

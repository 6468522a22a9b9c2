package sqldb_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"assent"
	"assent/sqldb"
	"assent/sqldb/sqldbtest"
)

func TestSessions(t *testing.T) {
	sqldbtest.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		sessions := sqldb.NewSessionService(db)
		sessions.IdleTimeout, sessions.MaxAge = time.Hour, 24*time.Hour
		mustCreateUser(t, db, "ada", assent.RoleMember)
		mustCreateUser(t, db, "bob", assent.RoleMember)
		t0 := time.Now()
		at := func(d time.Duration) { db.Now = func() time.Time { return t0.Add(d) } }
		at(0)
		defer func() { db.Now = time.Now }()
		start := func(user string) string {
			t.Helper()
			_, secret, err := sessions.CreateSession(admin, user, "Firefox", "10.0.0.1")
			if err != nil {
				t.Fatal(err)
			}
			return secret
		}

		t.Run("OK", func(t *testing.T) {
			secret := start("ada")
			u, sess, err := sessions.AuthenticateSession(admin, secret)
			if err != nil {
				t.Fatal(err)
			}
			if u.Username != "ada" || u.Role != assent.RoleMember || sess.UserAgent != "Firefox" || sess.Address != "10.0.0.1" {
				t.Fatalf("user %+v session %+v", u, sess)
			}
			if diff := cmp.Diff([]string{"user.create", "user.login"}, eventsOf(t, db, "user", "ada")); diff != "" {
				t.Fatal(diff)
			}
		})
		t.Run("ErrUnknown", func(t *testing.T) {
			_, _, err := sessions.AuthenticateSession(admin, "not-a-session")
			wantCode(t, err, assent.EUNAUTHORIZED)
		})
		t.Run("IdleTimeoutRenewedByUse", func(t *testing.T) {
			at(0)
			secret := start("ada")
			at(50 * time.Minute)
			if _, _, err := sessions.AuthenticateSession(admin, secret); err != nil {
				t.Fatal(err)
			}
			at(100 * time.Minute) // 50 minutes after the last use: still alive
			if _, _, err := sessions.AuthenticateSession(admin, secret); err != nil {
				t.Fatal(err)
			}
			at(161 * time.Minute)
			_, _, err := sessions.AuthenticateSession(admin, secret)
			wantCode(t, err, assent.EUNAUTHORIZED)
		})
		t.Run("ErrPastMaxAge", func(t *testing.T) {
			at(0)
			secret := start("ada")
			for d := 50 * time.Minute; d < 24*time.Hour; d += 50 * time.Minute {
				at(d)
				if _, _, err := sessions.AuthenticateSession(admin, secret); err != nil {
					t.Fatalf("at %v: %v", d, err)
				}
			}
			at(24 * time.Hour)
			_, _, err := sessions.AuthenticateSession(admin, secret)
			wantCode(t, err, assent.EUNAUTHORIZED)
		})
		t.Run("DisabledUserEndsAtOnce", func(t *testing.T) {
			at(0)
			mustCreateUser(t, db, "carol", assent.RoleViewer)
			secret := start("carol")
			yes := true
			if _, err := sqldb.NewUserService(db).UpdateUser(admin, "carol", assent.UserUpdate{Disabled: &yes}); err != nil {
				t.Fatal(err)
			}
			_, _, err := sessions.AuthenticateSession(admin, secret)
			wantCode(t, err, assent.EUNAUTHORIZED)
		})
		t.Run("LogoutEndsOneSession", func(t *testing.T) {
			at(0)
			one, two := start("bob"), start("bob")
			if err := sessions.DeleteSession(admin, one); err != nil {
				t.Fatal(err)
			}
			_, _, err := sessions.AuthenticateSession(admin, one)
			wantCode(t, err, assent.EUNAUTHORIZED)
			if _, _, err := sessions.AuthenticateSession(admin, two); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("LogOutEverywhere", func(t *testing.T) {
			at(0)
			secrets := []string{start("bob"), start("bob")}
			other := start("ada")
			bob := as("bob", assent.RoleMember)
			listed, err := sessions.FindSessions(bob, "bob")
			if err != nil || len(listed) < 2 {
				t.Fatalf("bob's sessions: %d, %v", len(listed), err)
			}
			_, err = sessions.DeleteUserSessions(bob, "ada")
			wantCode(t, err, assent.EFORBIDDEN)
			n, err := sessions.DeleteUserSessions(bob, "bob")
			if err != nil || n != len(listed) {
				t.Fatalf("ended %d sessions (%v), want %d", n, err, len(listed))
			}
			for _, s := range secrets {
				_, _, err := sessions.AuthenticateSession(admin, s)
				wantCode(t, err, assent.EUNAUTHORIZED)
			}
			if _, _, err := sessions.AuthenticateSession(admin, other); err != nil {
				t.Fatalf("ada's session ended with bob's: %v", err)
			}
		})
		t.Run("LastSeenWrittenAtMostOnceAMinute", func(t *testing.T) {
			at(0)
			secret := start("ada")
			at(30 * time.Second)
			_, s1, _ := sessions.AuthenticateSession(admin, secret)
			at(61 * time.Second)
			_, s2, _ := sessions.AuthenticateSession(admin, secret)
			if !s1.LastSeenAt.Equal(t0.Truncate(time.Millisecond)) || !s2.LastSeenAt.Equal(t0.Add(61*time.Second)) {
				t.Fatalf("last seen %v then %v", s1.LastSeenAt, s2.LastSeenAt)
			}
		})
	})
}

// TestSessionsEndWithPasswordOrDisabling: a new password or disabling the
// account ends every session for good; enabling it again brings none back.
func TestSessionsEndWithPasswordOrDisabling(t *testing.T) {
	sqldbtest.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		users, sessions := sqldb.NewUserService(db), sqldb.NewSessionService(db)
		mustCreateUser(t, db, "ada", assent.RoleMember)
		start := func() string {
			_, secret, err := sessions.CreateSession(admin, "ada", "Firefox", "10.0.0.1")
			if err != nil {
				t.Fatal(err)
			}
			return secret
		}
		secret := start()
		if err := users.SetPassword(admin, "ada", "a-new-password"); err != nil {
			t.Fatal(err)
		}
		_, _, err := sessions.AuthenticateSession(admin, secret)
		wantCode(t, err, assent.EUNAUTHORIZED)

		secret = start()
		yes, no := true, false
		if _, err := users.UpdateUser(admin, "ada", assent.UserUpdate{Disabled: &yes}); err != nil {
			t.Fatal(err)
		}
		if _, err := users.UpdateUser(admin, "ada", assent.UserUpdate{Disabled: &no}); err != nil {
			t.Fatal(err)
		}
		_, _, err = sessions.AuthenticateSession(admin, secret)
		wantCode(t, err, assent.EUNAUTHORIZED)
	})
}

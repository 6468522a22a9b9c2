package sqldb_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"assent"
	"assent/sqldb"
	"assent/sqldb/sqldbtest"
)

func TestUsers(t *testing.T) {
	sqldbtest.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		users := sqldb.NewUserService(db)
		t.Run("OK", func(t *testing.T) {
			u, err := users.CreateUser(admin, assent.NewUser{Username: "ada", DisplayName: "Ada Lovelace", Email: "ada@example.com", Role: assent.RoleMember, Password: "analytical"})
			if err != nil {
				t.Fatal(err)
			}
			got, err := users.FindUser(as("bob", assent.RoleViewer), "ada")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(u, got); diff != "" {
				t.Fatalf("found user differs (-created +found):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"user.create"}, eventsOf(t, db, "user", "ada")); diff != "" {
				t.Fatal(diff)
			}
		})
		t.Run("ErrDuplicate", func(t *testing.T) {
			_, err := users.CreateUser(admin, assent.NewUser{Username: "ada", Role: assent.RoleViewer})
			wantCode(t, err, assent.ECONFLICT)
		})
		t.Run("ErrInvalidNamesEveryField", func(t *testing.T) {
			_, err := users.CreateUser(admin, assent.NewUser{Username: "Bad Name", Email: "nope", Role: "boss", Password: "short"})
			wantCode(t, err, assent.EINVALID)
			var locs []string
			for _, d := range err.(*assent.Error).Details {
				locs = append(locs, d.Location)
			}
			if diff := cmp.Diff([]string{"username", "email", "role", "password"}, locs); diff != "" {
				t.Fatal(diff)
			}
		})
		t.Run("ErrForbiddenForMember", func(t *testing.T) {
			_, err := users.CreateUser(as("ada", assent.RoleMember), assent.NewUser{Username: "eve", Role: assent.RoleAdmin})
			wantCode(t, err, assent.EFORBIDDEN)
		})
		t.Run("AuthenticateSameAnswerForUnknownAndWrong", func(t *testing.T) {
			if _, err := users.Authenticate(admin, "ada", "analytical", "10.0.0.1"); err != nil {
				t.Fatal(err)
			}
			_, errWrong := users.Authenticate(admin, "ada", "wrong-password", "10.0.0.1")
			_, errUnknown := users.Authenticate(admin, "nobody", "wrong-password", "10.0.0.1")
			wantCode(t, errWrong, assent.EUNAUTHORIZED)
			if assent.ErrorMessage(errWrong) != assent.ErrorMessage(errUnknown) || assent.ErrorCode(errUnknown) != assent.EUNAUTHORIZED {
				t.Fatalf("unknown user answered %v, wrong password %v", errUnknown, errWrong)
			}
		})
		t.Run("ErrTooManyFailures", func(t *testing.T) {
			mustCreateUser(t, db, "carol", assent.RoleViewer)
			for i := 0; i < sqldb.MaxLoginFailures; i++ {
				_, err := users.Authenticate(admin, "carol", "guess", "192.0.2.7")
				wantCode(t, err, assent.EUNAUTHORIZED)
			}
			_, err := users.Authenticate(admin, "carol", "password-carol", "192.0.2.7")
			wantCode(t, err, assent.ETOOMANYREQUEST)
			// Another address is not punished for this one.
			if _, err := users.Authenticate(admin, "carol", "password-carol", "192.0.2.8"); err != nil {
				t.Fatal(err)
			}
			// After the window the right password works again.
			db.Now = func() time.Time { return time.Now().Add(sqldb.LoginWindow + time.Second) }
			defer func() { db.Now = time.Now }()
			if _, err := users.Authenticate(admin, "carol", "password-carol", "192.0.2.7"); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("DisabledCannotSignIn", func(t *testing.T) {
			mustCreateUser(t, db, "dave", assent.RoleMember)
			disabled := true
			if _, err := users.UpdateUser(admin, "dave", assent.UserUpdate{Disabled: &disabled}); err != nil {
				t.Fatal(err)
			}
			_, err := users.Authenticate(admin, "dave", "password-dave", "10.0.0.1")
			wantCode(t, err, assent.EUNAUTHORIZED)
		})
		t.Run("ChangeOwnPassword", func(t *testing.T) {
			mustCreateUser(t, db, "erin", assent.RoleViewer)
			erin := as("erin", assent.RoleViewer)
			wantCode(t, users.ChangeOwnPassword(erin, "not-it", "new-password-1"), assent.EUNAUTHORIZED)
			if err := users.ChangeOwnPassword(erin, "password-erin", "new-password-1"); err != nil {
				t.Fatal(err)
			}
			if _, err := users.Authenticate(admin, "erin", "new-password-1", "10.0.0.1"); err != nil {
				t.Fatal(err)
			}
			evs, _, _ := sqldb.NewEventService(db).FindEvents(admin, assent.EventFilter{ObjectID: "erin", Action: "user.password_set"})
			if len(evs) != 1 || evs[0].Actor != "erin" || strings.Contains(string(evs[0].After)+string(evs[0].Before), "new-password") {
				t.Fatalf("password event = %+v", evs)
			}
		})
		t.Run("ErrLastAdmin", func(t *testing.T) {
			mustCreateUser(t, db, "root", assent.RoleAdmin)
			member := assent.RoleMember
			_, err := users.UpdateUser(admin, "root", assent.UserUpdate{Role: &member})
			wantCode(t, err, assent.ECONFLICT)
		})
		t.Run("MemberEditsOwnProfileOnly", func(t *testing.T) {
			name := "Ada L."
			if _, err := users.UpdateUser(as("ada", assent.RoleMember), "ada", assent.UserUpdate{DisplayName: &name}); err != nil {
				t.Fatal(err)
			}
			role := assent.RoleAdmin
			_, err := users.UpdateUser(as("ada", assent.RoleMember), "ada", assent.UserUpdate{Role: &role})
			wantCode(t, err, assent.EFORBIDDEN)
			_, err = users.UpdateUser(as("ada", assent.RoleMember), "carol", assent.UserUpdate{DisplayName: &name})
			wantCode(t, err, assent.EFORBIDDEN)
		})
		t.Run("ListPages", func(t *testing.T) {
			var all []string
			cursor := ""
			for {
				page, next, err := users.FindUsers(admin, assent.UserFilter{Limit: 2, Cursor: cursor})
				if err != nil {
					t.Fatal(err)
				}
				for _, u := range page {
					all = append(all, u.Username)
				}
				if next == "" {
					break
				}
				cursor = next
			}
			if diff := cmp.Diff([]string{"ada", "carol", "dave", "erin", "root"}, all); diff != "" {
				t.Fatal(diff)
			}
		})
	})
}

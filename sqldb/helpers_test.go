package sqldb_test

import (
	"context"
	"testing"

	"assent"
	"assent/sqldb"
)

// as returns a context in which username acts with role.
func as(username string, role assent.Role) context.Context {
	return assent.NewContextWithUser(context.Background(), &assent.User{Username: username, Role: role})
}

var admin = assent.NewContextWithUser(context.Background(), assent.SystemUser("test-admin"))

// mustCreateUser creates an enabled user with password "password-"+username.
func mustCreateUser(t testing.TB, db *sqldb.DB, username string, role assent.Role) *assent.User {
	t.Helper()
	u, err := sqldb.NewUserService(db).CreateUser(admin, assent.NewUser{Username: username, Role: role, Password: "password-" + username})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// wantCode fails unless err carries code.
func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	if got := assent.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

// eventsOf returns the actions recorded for one object, oldest first.
func eventsOf(t testing.TB, db *sqldb.DB, objectType, objectID string) []string {
	t.Helper()
	evs, _, err := sqldb.NewEventService(db).FindEvents(admin, assent.EventFilter{ObjectType: objectType, ObjectID: objectID, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for i := len(evs) - 1; i >= 0; i-- {
		actions = append(actions, evs[i].Action)
	}
	return actions
}

package sqldb_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"assent"
	"assent/sqldb"
	"assent/sqldb/sqldbtest"
)

// members returns the members of group as the store has them.
func members(t *testing.T, groups *sqldb.GroupService, group string) []string {
	t.Helper()
	g, err := groups.FindGroup(as("vera", assent.RoleViewer), group)
	if err != nil {
		t.Fatal(err)
	}
	return g.Members
}

// locations returns where an EINVALID error says the input is at fault.
func locations(t *testing.T, err error) []string {
	t.Helper()
	wantCode(t, err, assent.EINVALID)
	var locs []string
	for _, d := range err.(*assent.Error).Details {
		locs = append(locs, d.Location)
	}
	return locs
}

func TestGroups(t *testing.T) {
	sqldbtest.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		groups := sqldb.NewGroupService(db)
		for _, u := range []string{"ada", "bob", "carol"} {
			mustCreateUser(t, db, u, assent.RoleMember)
		}
		t.Run("OK", func(t *testing.T) {
			g, err := groups.CreateGroup(admin, "reviewers", "Risk reviewers")
			if err != nil {
				t.Fatal(err)
			}
			if g.Name != "reviewers" || g.Description != "Risk reviewers" || g.Members == nil || len(g.Members) != 0 || g.CreatedAt.IsZero() {
				t.Fatalf("created group = %+v", g)
			}
			got, err := groups.FindGroup(as("vera", assent.RoleViewer), "reviewers")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(g, got); diff != "" {
				t.Fatalf("found group differs (-created +found):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"group.create"}, eventsOf(t, db, "group", "reviewers")); diff != "" {
				t.Fatal(diff)
			}
		})
		t.Run("ErrDuplicate", func(t *testing.T) {
			_, err := groups.CreateGroup(admin, "reviewers", "again")
			wantCode(t, err, assent.ECONFLICT)
			if d := err.(*assent.Error).Details; len(d) != 1 || d[0].Location != "name" {
				t.Fatalf("details = %+v, want one naming name", d)
			}
		})
		t.Run("ErrInvalidName", func(t *testing.T) {
			for _, name := range []string{"", "Risk Reviewers", "-dash", "group:x"} {
				_, err := groups.CreateGroup(admin, name, "")
				if diff := cmp.Diff([]string{"name"}, locations(t, err)); diff != "" {
					t.Fatalf("%q: %s", name, diff)
				}
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := groups.FindGroup(admin, "nobody-here")
			wantCode(t, err, assent.ENOTFOUND)
			_, err = groups.SetGroupMembers(admin, "nobody-here", []string{"ada"})
			wantCode(t, err, assent.ENOTFOUND)
		})
		t.Run("SetMembers", func(t *testing.T) {
			g, err := groups.SetGroupMembers(admin, "reviewers", []string{"carol", "ada", "carol"})
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"ada", "carol"}
			if diff := cmp.Diff(want, g.Members); diff != "" {
				t.Fatalf("returned members: %s", diff)
			}
			if diff := cmp.Diff(want, members(t, groups, "reviewers")); diff != "" {
				t.Fatalf("stored members: %s", diff)
			}
		})
		t.Run("ErrUnknownUserNamedByInputIndex", func(t *testing.T) {
			// Sorted, the unknown users would be members[0] and members[4]:
			// the indexes must point into the list as sent.
			_, err := groups.SetGroupMembers(admin, "reviewers", []string{"bob", "zed", "ada", "aaron", "carol"})
			wantCode(t, err, assent.EINVALID)
			want := []assent.ErrorDetail{{Location: "members[1]", Message: `no user "zed"`}, {Location: "members[3]", Message: `no user "aaron"`}}
			if diff := cmp.Diff(want, err.(*assent.Error).Details); diff != "" {
				t.Fatal(diff)
			}
			if diff := cmp.Diff([]string{"ada", "carol"}, members(t, groups, "reviewers")); diff != "" {
				t.Fatalf("a refused change altered the members: %s", diff)
			}
			_, err = groups.AddGroupMember(admin, "reviewers", "zed")
			wantCode(t, err, assent.EINVALID)
		})
		t.Run("AddMember", func(t *testing.T) {
			g, err := groups.AddGroupMember(admin, "reviewers", "bob")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"ada", "bob", "carol"}, g.Members); diff != "" {
				t.Fatal(diff)
			}
			// Adding a member twice changes nothing and records nothing.
			before := len(eventsOf(t, db, "group", "reviewers"))
			if _, err := groups.AddGroupMember(admin, "reviewers", "bob"); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"ada", "bob", "carol"}, members(t, groups, "reviewers")); diff != "" {
				t.Fatal(diff)
			}
			if after := len(eventsOf(t, db, "group", "reviewers")); after != before {
				t.Fatalf("adding a member twice wrote %d events", after-before)
			}
		})
		t.Run("RemoveMember", func(t *testing.T) {
			g, err := groups.RemoveGroupMember(admin, "reviewers", "ada")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"bob", "carol"}, g.Members); diff != "" {
				t.Fatal(diff)
			}
			if diff := cmp.Diff([]string{"bob", "carol"}, members(t, groups, "reviewers")); diff != "" {
				t.Fatal(diff)
			}
		})
		t.Run("ErrRemoveNonMember", func(t *testing.T) {
			_, err := groups.RemoveGroupMember(admin, "reviewers", "ada")
			wantCode(t, err, assent.ENOTFOUND)
		})
		t.Run("ErrForbidden", func(t *testing.T) {
			for _, role := range []assent.Role{assent.RoleMember, assent.RoleViewer} {
				ctx := as("ada", role)
				_, err := groups.CreateGroup(ctx, "mine", "")
				wantCode(t, err, assent.EFORBIDDEN)
				_, err = groups.SetGroupMembers(ctx, "reviewers", []string{"ada"})
				wantCode(t, err, assent.EFORBIDDEN)
				_, err = groups.AddGroupMember(ctx, "reviewers", "ada")
				wantCode(t, err, assent.EFORBIDDEN)
				_, err = groups.RemoveGroupMember(ctx, "reviewers", "bob")
				wantCode(t, err, assent.EFORBIDDEN)
			}
			if diff := cmp.Diff([]string{"bob", "carol"}, members(t, groups, "reviewers")); diff != "" {
				t.Fatalf("a forbidden change altered the members: %s", diff)
			}
		})
		t.Run("OneEventPerChange", func(t *testing.T) {
			evs, _, err := sqldb.NewEventService(db).FindEvents(admin, assent.EventFilter{ObjectType: "group", ObjectID: "reviewers", Action: "group.members"})
			if err != nil {
				t.Fatal(err)
			}
			type change struct{ Before, After []string }
			var got []change
			for i := len(evs) - 1; i >= 0; i-- {
				var before, after struct{ Members []string }
				if err := json.Unmarshal(evs[i].Before, &before); err != nil {
					t.Fatalf("event %d before: %v", evs[i].ID, err)
				}
				if err := json.Unmarshal(evs[i].After, &after); err != nil {
					t.Fatalf("event %d after: %v", evs[i].ID, err)
				}
				if evs[i].Actor != "test-admin" {
					t.Errorf("event %d actor = %q", evs[i].ID, evs[i].Actor)
				}
				got = append(got, change{before.Members, after.Members})
			}
			want := []change{
				{[]string{}, []string{"ada", "carol"}},
				{[]string{"ada", "carol"}, []string{"ada", "bob", "carol"}},
				{[]string{"ada", "bob", "carol"}, []string{"bob", "carol"}},
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("member changes (-want +got):\n%s", diff)
			}
		})
		t.Run("FindGroupsListsMembers", func(t *testing.T) {
			if _, err := groups.CreateGroup(admin, "auditors", ""); err != nil {
				t.Fatal(err)
			}
			list, err := groups.FindGroups(as("vera", assent.RoleViewer))
			if err != nil {
				t.Fatal(err)
			}
			got := map[string][]string{}
			var names []string
			for _, g := range list {
				names = append(names, g.Name)
				got[g.Name] = g.Members
			}
			if diff := cmp.Diff([]string{"auditors", "reviewers"}, names); diff != "" {
				t.Fatalf("names in order: %s", diff)
			}
			want := map[string][]string{"auditors": {}, "reviewers": {"bob", "carol"}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatal(diff)
			}
			_, err = groups.FindGroups(t.Context())
			wantCode(t, err, assent.EUNAUTHORIZED)
		})
	})
}

package assent_test

import (
	"context"
	"testing"
	"time"

	"assent"
)

func TestParseExpiry(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, true}, {"never", 0, true}, {"30d", 30 * 24 * time.Hour, true}, {"12h", 12 * time.Hour, true},
		{"90m", 90 * time.Minute, true}, {"0d", 0, false}, {"-1h", 0, false}, {"soon", 0, false}, {"3651d", 0, false},
	} {
		got, err := assent.ParseExpiry(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseExpiry(%q) = %v, %v; want %v, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
		if err != nil && assent.ErrorCode(err) != assent.EINVALID {
			t.Errorf("ParseExpiry(%q) error code %s", tc.in, assent.ErrorCode(err))
		}
	}
}

func TestNewUserValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		u    assent.NewUser
		want []string // locations at fault
	}{
		{"OK", assent.NewUser{Username: "ada.l-2", Email: "ada@example.com", Role: assent.RoleMember, Password: "long-enough"}, nil},
		{"OKWithoutPassword", assent.NewUser{Username: "ci-bot", Role: assent.RoleViewer}, nil},
		{"ErrUppercase", assent.NewUser{Username: "Ada", Role: assent.RoleViewer}, []string{"username"}},
		{"ErrLeadingDot", assent.NewUser{Username: ".ada", Role: assent.RoleViewer}, []string{"username"}},
		{"ErrEverything", assent.NewUser{Username: "", Email: "Ada <ada@example.com>", Role: "root", Password: "short"}, []string{"username", "email", "role", "password"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.u.Validate()
			var got []string
			if e, ok := err.(*assent.Error); ok {
				for _, d := range e.Details {
					got = append(got, d.Location)
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("locations %v, want %v (%v)", got, tc.want, err)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("locations %v, want %v", got, tc.want)
				}
			}
		})
	}
}

func TestRequireRole(t *testing.T) {
	ctx := context.Background()
	if _, err := assent.RequireRole(ctx, assent.RoleViewer); assent.ErrorCode(err) != assent.EUNAUTHORIZED {
		t.Fatalf("anonymous: %v", err)
	}
	for _, tc := range []struct {
		user assent.User
		need assent.Role
		code string
	}{
		{assent.User{Role: assent.RoleViewer}, assent.RoleViewer, ""},
		{assent.User{Role: assent.RoleViewer}, assent.RoleMember, assent.EFORBIDDEN},
		{assent.User{Role: assent.RoleMember}, assent.RoleAdmin, assent.EFORBIDDEN},
		{assent.User{Role: assent.RoleAdmin}, assent.RoleMember, ""},
		{assent.User{Role: assent.RoleAdmin, Disabled: true}, assent.RoleViewer, assent.EFORBIDDEN},
	} {
		_, err := assent.RequireRole(assent.NewContextWithUser(ctx, &tc.user), tc.need)
		if assent.ErrorCode(err) != tc.code {
			t.Errorf("%s needing %s: %v, want code %q", tc.user.Role, tc.need, err, tc.code)
		}
	}
}

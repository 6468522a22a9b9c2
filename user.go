package assent

import (
	"context"
	"crypto/rand"
	"net/mail"
	"regexp"
	"slices"
	"time"
)

// Role is a user's global role. Each role may do what the one before it may.
type Role string

const (
	RoleViewer Role = "viewer" // reads everything, runs deployment checks
	RoleMember Role = "member" // also creates and edits governed items, syncs, acts on sign-offs
	RoleAdmin  Role = "admin"  // also manages people, tokens of others, and instance settings
)

// Valid reports whether r is one of the three roles.
func (r Role) Valid() bool { return r == RoleViewer || r == RoleMember || r == RoleAdmin }

// rank orders roles so that a check can ask for "at least".
func (r Role) rank() int {
	switch r {
	case RoleAdmin:
		return 3
	case RoleMember:
		return 2
	case RoleViewer:
		return 1
	}
	return 0
}

// User is a person or a machine account that signs in with a password or a token.
type User struct {
	Username    string    `json:"username"`
	DisplayName string    `json:"display_name"`
	Email       string    `json:"email"`
	Role        Role      `json:"role"`
	Disabled    bool      `json:"disabled"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`

	// System marks the built-in actors of offline commands; never stored.
	System bool `json:"-"`
}

// HasRole reports whether u has role r or a greater one.
func (u *User) HasRole(r Role) bool {
	return u != nil && !u.Disabled && u.Role.rank() >= r.rank()
}

// RequireRole returns EUNAUTHORIZED when nobody acts in ctx and EFORBIDDEN
// when the actor's role is below r.
func RequireRole(ctx context.Context, r Role) (*User, error) {
	u := UserFromContext(ctx)
	if u == nil {
		return nil, Errorf(EUNAUTHORIZED, "Authentication required.")
	} else if !u.HasRole(r) {
		return nil, Errorf(EFORBIDDEN, "This needs the %s role; you are %s.", r, u.Role)
	}
	return u, nil
}

// NewUser is what creating a user takes.
type NewUser struct {
	Username    string `json:"username"`
	DisplayName string `json:"display_name,omitempty"`
	Email       string `json:"email,omitempty"`
	Role        Role   `json:"role"`
	Password    string `json:"password,omitempty"`
}

// UserUpdate changes the fields that are set.
type UserUpdate struct {
	DisplayName *string `json:"display_name,omitempty"`
	Email       *string `json:"email,omitempty"`
	Role        *Role   `json:"role,omitempty"`
	Disabled    *bool   `json:"disabled,omitempty"`
}

// UserFilter selects users; zero values select all.
type UserFilter struct {
	Role     Role
	Disabled *bool
	Limit    int
	Cursor   string
}

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 8

// maxPasswordLength bounds the work argon2 does for one login attempt.
const maxPasswordLength = 1024

// Validate checks a new user and names every field at fault.
func (n *NewUser) Validate() error {
	var p Problems
	validateUsername(&p, n.Username)
	validateProfile(&p, n.DisplayName, n.Email)
	if !n.Role.Valid() {
		p.Add("role", "must be admin, member or viewer, not %q", n.Role)
	}
	if n.Password != "" {
		if err := ValidatePassword(n.Password); err != nil {
			p = append(p, err.(*Error).Details...)
		}
	}
	return p.Err()
}

// Validate checks an update and names every field at fault.
func (u *UserUpdate) Validate() error {
	var p Problems
	var name, email string
	if u.DisplayName != nil {
		name = *u.DisplayName
	}
	if u.Email != nil {
		email = *u.Email
	}
	validateProfile(&p, name, email)
	if u.Role != nil && !u.Role.Valid() {
		p.Add("role", "must be admin, member or viewer, not %q", *u.Role)
	}
	return p.Err()
}

// reservedUsernames name the actors of events that no person started.
var reservedUsernames = []string{"anonymous", "cli", "system"}

func validateUsername(p *Problems, username string) {
	if !usernamePattern.MatchString(username) {
		p.Add("username", "must be 1 to 63 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit")
	} else if slices.Contains(reservedUsernames, username) {
		p.Add("username", "%q is reserved for events that no person started", username)
	}
}

func validateProfile(p *Problems, displayName, email string) {
	if len(displayName) > 200 {
		p.Add("display_name", "must be at most 200 characters")
	}
	if email != "" {
		if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
			p.Add("email", "must be an address such as ada@example.com")
		}
	}
}

// ValidatePassword checks a new password against the length rules.
func ValidatePassword(pw string) error {
	if len(pw) < MinPasswordLength {
		return Invalid("password", "must be at least %d characters", MinPasswordLength)
	} else if len(pw) > maxPasswordLength {
		return Invalid("password", "must be at most %d characters", maxPasswordLength)
	}
	return nil
}

// UserService manages accounts.
type UserService interface {
	// FindUser returns one user. ENOTFOUND when there is none.
	FindUser(ctx context.Context, username string) (*User, error)

	// FindUsers lists users in username order, with the cursor of the next page.
	FindUsers(ctx context.Context, filter UserFilter) ([]*User, string, error)

	// CreateUser adds a user; admin only. EINVALID, ECONFLICT when the username is taken.
	CreateUser(ctx context.Context, n NewUser) (*User, error)

	// UpdateUser changes profile, role or disabled state. A user may change
	// their own display name and email; role and disabled need an admin.
	// Disabling ends the user's sessions and tokens at once.
	UpdateUser(ctx context.Context, username string, upd UserUpdate) (*User, error)

	// SetPassword sets a user's password; admin only.
	SetPassword(ctx context.Context, username, password string) error

	// ChangeOwnPassword changes the acting user's password after checking the
	// current one. EUNAUTHORIZED when the current password is wrong.
	ChangeOwnPassword(ctx context.Context, current, next string) error

	// Authenticate checks a username and password coming from address. The
	// same EUNAUTHORIZED answers an unknown user, a wrong password and a
	// disabled account; ETOOMANYREQUEST after too many failures.
	Authenticate(ctx context.Context, username, password, address string) (*User, error)
}

// RandomPassword returns a random password (130 bits, letters and digits)
// for a new account whose owner will change it.
func RandomPassword() string { return rand.Text() }

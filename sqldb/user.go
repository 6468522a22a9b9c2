package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"assent"
	"assent/password"
)

// UserService implements assent.UserService.
type UserService struct{ db *DB }

// NewUserService returns the user service of db.
func NewUserService(db *DB) *UserService { return &UserService{db: db} }

var _ assent.UserService = (*UserService)(nil)

const userColumns = `username, display_name, email, role, disabled, created_at, updated_at`

func scanUser(row interface{ Scan(...any) error }) (*assent.User, error) {
	var u assent.User
	var created, updated int64
	if err := row.Scan(&u.Username, &u.DisplayName, &u.Email, &u.Role, &u.Disabled, &created, &updated); err != nil {
		return nil, err
	}
	u.CreatedAt, u.UpdatedAt = fromMS(created), fromMS(updated)
	return &u, nil
}

// FindUser returns one user; anyone signed in may read profiles.
func (s *UserService) FindUser(ctx context.Context, username string) (*assent.User, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleViewer); err != nil {
		return nil, err
	}
	return findUser(ctx, s.db.read, username)
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func findUser(ctx context.Context, q queryer, username string) (*assent.User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE username = $1`, username))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, assent.Errorf(assent.ENOTFOUND, "User %q not found.", username)
	} else if err != nil {
		return nil, fmt.Errorf("find user: %w", err)
	}
	return u, nil
}

// FindUsers lists users in username order.
func (s *UserService) FindUsers(ctx context.Context, f assent.UserFilter) ([]*assent.User, string, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleViewer); err != nil {
		return nil, "", err
	}
	after := ""
	if f.Cursor != "" {
		var err error
		if after, err = decodeCursor(f.Cursor); err != nil {
			return nil, "", err
		}
	}
	if f.Role != "" && !f.Role.Valid() {
		return nil, "", assent.Invalid("role", "must be admin, member or viewer")
	}
	limit := assent.PageSize(f.Limit)
	q := `SELECT ` + userColumns + ` FROM users WHERE username > $1 AND ($2 = '' OR role = $2)`
	args := []any{after, string(f.Role)}
	if f.Disabled != nil {
		q += ` AND disabled = $3`
		args = append(args, *f.Disabled)
	}
	q += fmt.Sprintf(` ORDER BY username LIMIT %d`, limit+1)
	rows, err := s.db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, "", fmt.Errorf("find users: %w", err)
	}
	defer rows.Close()
	var users []*assent.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, "", fmt.Errorf("find users: %w", err)
		}
		users = append(users, u)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("find users: %w", err)
	}
	next := ""
	if len(users) > limit {
		users = users[:limit]
		next = encodeCursor(users[limit-1].Username)
	}
	return users, next, nil
}

// CreateUser adds a user; admins only.
func (s *UserService) CreateUser(ctx context.Context, n assent.NewUser) (*assent.User, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleAdmin); err != nil {
		return nil, err
	}
	if err := n.Validate(); err != nil {
		return nil, err
	}
	var hash string
	if n.Password != "" {
		var err error
		if hash, err = password.Hash(n.Password, s.db.PasswordParams); err != nil {
			return nil, err
		}
	}
	var u *assent.User
	err := s.db.inTx(ctx, func(tx *Tx) error {
		var err error
		u, err = createUser(ctx, tx, n, hash)
		return err
	})
	return u, err
}

func createUser(ctx context.Context, tx *Tx, n assent.NewUser, hash string) (*assent.User, error) {
	u := &assent.User{Username: n.Username, DisplayName: n.DisplayName, Email: n.Email, Role: n.Role, CreatedAt: tx.now, UpdatedAt: tx.now}
	if u.DisplayName == "" {
		u.DisplayName = u.Username
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO users (username, display_name, email, role, disabled, password_hash, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`, u.Username, u.DisplayName, u.Email, string(u.Role), false, hash, ms(tx.now))
	if isUniqueViolation(err) {
		return nil, &assent.Error{Code: assent.ECONFLICT, Message: fmt.Sprintf("The username %q is taken.", n.Username),
			Details: []assent.ErrorDetail{{Location: "username", Message: "is taken"}}}
	} else if err != nil {
		return nil, fmt.Errorf("create user: %w", err)
	}
	tx.record("user", u.Username, "user.create", nil, map[string]any{
		"display_name": u.DisplayName, "email": u.Email, "role": u.Role, "password_set": hash != "",
	})
	return u, nil
}

// UpdateUser changes what upd sets; role and disabled need an admin.
func (s *UserService) UpdateUser(ctx context.Context, username string, upd assent.UserUpdate) (*assent.User, error) {
	actor, err := assent.RequireRole(ctx, assent.RoleViewer)
	if err != nil {
		return nil, err
	}
	if upd.Role != nil || upd.Disabled != nil || actor.Username != username {
		if _, err := assent.RequireRole(ctx, assent.RoleAdmin); err != nil {
			return nil, assent.Errorf(assent.EFORBIDDEN, "Only an admin may change another user, a role or the disabled state.")
		}
	}
	if err := upd.Validate(); err != nil {
		return nil, err
	}
	var u *assent.User
	err = s.db.inTx(ctx, func(tx *Tx) error {
		var err error
		u, err = updateUser(ctx, tx, username, upd)
		return err
	})
	return u, err
}

func updateUser(ctx context.Context, tx *Tx, username string, upd assent.UserUpdate) (*assent.User, error) {
	// One lock for all account changes: the last-admin rule reads other rows.
	if err := tx.lock(ctx, "users"); err != nil {
		return nil, err
	}
	u, err := findUser(ctx, tx, username)
	if err != nil {
		return nil, err
	}
	if u.Username == tx.actor && ((upd.Disabled != nil && *upd.Disabled) || (upd.Role != nil && *upd.Role != assent.RoleAdmin && u.Role == assent.RoleAdmin)) {
		return nil, assent.Errorf(assent.ECONFLICT, "You cannot disable yourself or give up your own admin role; ask another admin.")
	}
	wasAdmin := u.Role == assent.RoleAdmin && !u.Disabled
	before, after := map[string]any{}, map[string]any{}
	change := func(name string, old, new any) {
		if old != new {
			before[name], after[name] = old, new
		}
	}
	if upd.DisplayName != nil {
		change("display_name", u.DisplayName, *upd.DisplayName)
		u.DisplayName = *upd.DisplayName
	}
	if upd.Email != nil {
		change("email", u.Email, *upd.Email)
		u.Email = *upd.Email
	}
	if upd.Role != nil {
		change("role", u.Role, *upd.Role)
		u.Role = *upd.Role
	}
	if upd.Disabled != nil {
		change("disabled", u.Disabled, *upd.Disabled)
		u.Disabled = *upd.Disabled
	}
	if len(after) == 0 {
		return u, nil
	}
	if wasAdmin && (u.Role != assent.RoleAdmin || u.Disabled) {
		if err := ensureAnotherAdmin(ctx, tx, u.Username); err != nil {
			return nil, err
		}
	}
	u.UpdatedAt = tx.now
	if _, err := tx.ExecContext(ctx, `UPDATE users SET display_name = $1, email = $2, role = $3, disabled = $4, updated_at = $5 WHERE username = $6`,
		u.DisplayName, u.Email, string(u.Role), u.Disabled, ms(tx.now), u.Username); err != nil {
		return nil, fmt.Errorf("update user: %w", err)
	}
	if upd.Disabled != nil && *upd.Disabled {
		// A disabled user's sessions end for good, so that re-enabling the
		// account does not bring back a browser someone else holds. Tokens
		// are kept but refused while disabled: they belong to machines that
		// an admin can revoke one by one.
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE username = $1`, u.Username)
		if err != nil {
			return nil, fmt.Errorf("end sessions: %w", err)
		}
		n, _ := res.RowsAffected()
		after["sessions_ended"] = n
	}
	tx.record("user", u.Username, "user.update", before, after)
	return u, nil
}

// ensureAnotherAdmin refuses a change that would leave no enabled admin.
func ensureAnotherAdmin(ctx context.Context, tx *Tx, username string) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE role = 'admin' AND NOT disabled AND username <> $1`, username).Scan(&n); err != nil {
		return fmt.Errorf("count admins: %w", err)
	}
	if n == 0 {
		return assent.Errorf(assent.ECONFLICT, "%s is the last enabled admin; make another user admin first.", username)
	}
	return nil
}

// SetPassword sets another user's password; admins only.
func (s *UserService) SetPassword(ctx context.Context, username, pw string) error {
	if _, err := assent.RequireRole(ctx, assent.RoleAdmin); err != nil {
		return err
	}
	return s.setPassword(ctx, username, pw)
}

func (s *UserService) setPassword(ctx context.Context, username, pw string) error {
	if err := assent.ValidatePassword(pw); err != nil {
		return err
	}
	hash, err := password.Hash(pw, s.db.PasswordParams)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, updated_at = $2 WHERE username = $3`, hash, ms(tx.now), username)
		if err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return assent.Errorf(assent.ENOTFOUND, "User %q not found.", username)
		}
		// A new password ends every session: whoever knew the old one is out.
		ended, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE username = $1`, username)
		if err != nil {
			return fmt.Errorf("end sessions: %w", err)
		}
		n, _ := ended.RowsAffected()
		// The event says that the password changed, never what it is.
		tx.record("user", username, "user.password_set", nil, map[string]any{"sessions_ended": n})
		return nil
	})
}

// ChangeOwnPassword checks the current password, then sets the next one.
func (s *UserService) ChangeOwnPassword(ctx context.Context, current, next string) error {
	actor, err := assent.RequireRole(ctx, assent.RoleViewer)
	if err != nil {
		return err
	}
	// The current password first: someone at an unlocked screen learns
	// nothing about the rules before proving who they are.
	var hash string
	if err := s.db.read.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE username = $1`, actor.Username).Scan(&hash); err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	if ok, _ := password.Check(current, hash); !ok {
		return &assent.Error{Code: assent.EUNAUTHORIZED, Message: "The current password is wrong.",
			Details: []assent.ErrorDetail{{Location: "current_password", Message: "is wrong"}}}
	}
	if err := assent.ValidatePassword(next); err != nil {
		return err
	}
	return s.setPassword(ctx, actor.Username, next)
}

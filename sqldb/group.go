package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"assent"
)

// GroupService implements assent.GroupService.
type GroupService struct{ db *DB }

// NewGroupService returns the group service of db.
func NewGroupService(db *DB) *GroupService { return &GroupService{db: db} }

var _ assent.GroupService = (*GroupService)(nil)

// FindGroup returns one group with its members.
func (s *GroupService) FindGroup(ctx context.Context, name string) (*assent.Group, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleViewer); err != nil {
		return nil, err
	}
	return findGroup(ctx, s.db.read, name)
}

type rowsQueryer interface {
	queryer
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func findGroup(ctx context.Context, q rowsQueryer, name string) (*assent.Group, error) {
	g := &assent.Group{Name: name, Members: []string{}}
	var created int64
	err := q.QueryRowContext(ctx, `SELECT description, created_at FROM user_groups WHERE name = $1`, name).Scan(&g.Description, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, assent.Errorf(assent.ENOTFOUND, "Group %q not found.", name)
	} else if err != nil {
		return nil, fmt.Errorf("find group: %w", err)
	}
	g.CreatedAt = fromMS(created)
	rows, err := q.QueryContext(ctx, `SELECT username FROM group_members WHERE group_name = $1 ORDER BY username`, name)
	if err != nil {
		return nil, fmt.Errorf("find group members: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return nil, err
		}
		g.Members = append(g.Members, u)
	}
	return g, rows.Err()
}

// FindGroups lists all groups with their members.
func (s *GroupService) FindGroups(ctx context.Context) ([]*assent.Group, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleViewer); err != nil {
		return nil, err
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT g.name, g.description, g.created_at, m.username
		FROM user_groups g LEFT JOIN group_members m ON m.group_name = g.name ORDER BY g.name, m.username`)
	if err != nil {
		return nil, fmt.Errorf("find groups: %w", err)
	}
	defer rows.Close()
	groups := []*assent.Group{}
	for rows.Next() {
		var name, desc string
		var created int64
		var member sql.NullString
		if err := rows.Scan(&name, &desc, &created, &member); err != nil {
			return nil, err
		}
		if len(groups) == 0 || groups[len(groups)-1].Name != name {
			groups = append(groups, &assent.Group{Name: name, Description: desc, CreatedAt: fromMS(created), Members: []string{}})
		}
		if member.Valid {
			g := groups[len(groups)-1]
			g.Members = append(g.Members, member.String)
		}
	}
	return groups, rows.Err()
}

// CreateGroup adds an empty group; admins only.
func (s *GroupService) CreateGroup(ctx context.Context, name, description string) (*assent.Group, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleAdmin); err != nil {
		return nil, err
	}
	if err := assent.ValidateGroupName(name); err != nil {
		return nil, err
	}
	if len(description) > 1000 {
		return nil, assent.Invalid("description", "must be at most 1000 characters")
	}
	g := &assent.Group{Name: name, Description: description, Members: []string{}}
	err := s.db.inTx(ctx, func(tx *Tx) error {
		g.CreatedAt = tx.now
		_, err := tx.ExecContext(ctx, `INSERT INTO user_groups (name, description, created_at) VALUES ($1, $2, $3)`, name, description, ms(tx.now))
		if isUniqueViolation(err) {
			return &assent.Error{Code: assent.ECONFLICT, Message: fmt.Sprintf("The group %q exists.", name),
				Details: []assent.ErrorDetail{{Location: "name", Message: "is taken"}}}
		} else if err != nil {
			return fmt.Errorf("create group: %w", err)
		}
		tx.record("group", name, "group.create", nil, map[string]any{"description": description})
		return nil
	})
	return g, err
}

// SetGroupMembers replaces the members; admins only.
func (s *GroupService) SetGroupMembers(ctx context.Context, name string, usernames []string) (*assent.Group, error) {
	return s.changeMembers(ctx, name, func(current []string) ([]string, error) { return usernames, nil })
}

// AddGroupMember adds one member; admins only.
func (s *GroupService) AddGroupMember(ctx context.Context, name, username string) (*assent.Group, error) {
	return s.changeMembers(ctx, name, func(current []string) ([]string, error) {
		if slices.Contains(current, username) {
			return current, nil
		}
		return append(slices.Clone(current), username), nil
	})
}

// RemoveGroupMember removes one member; admins only.
func (s *GroupService) RemoveGroupMember(ctx context.Context, name, username string) (*assent.Group, error) {
	return s.changeMembers(ctx, name, func(current []string) ([]string, error) {
		i := slices.Index(current, username)
		if i < 0 {
			return nil, assent.Errorf(assent.ENOTFOUND, "%s is not a member of %s.", username, name)
		}
		return slices.Delete(slices.Clone(current), i, i+1), nil
	})
}

// changeMembers loads the members, asks edit for the new list, and writes
// the difference with one event listing the members before and after.
func (s *GroupService) changeMembers(ctx context.Context, name string, edit func(current []string) ([]string, error)) (*assent.Group, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleAdmin); err != nil {
		return nil, err
	}
	var g *assent.Group
	err := s.db.inTx(ctx, func(tx *Tx) error {
		if err := tx.lock(ctx, "group:"+name); err != nil {
			return err
		}
		var err error
		if g, err = findGroup(ctx, tx, name); err != nil {
			return err
		}
		next, err := edit(g.Members)
		if err != nil {
			return err
		}
		// Check before sorting so that members[i] points into what the caller sent.
		if err := ensureUsersExist(ctx, tx, next); err != nil {
			return err
		}
		next = append([]string{}, slices.Compact(slices.Sorted(slices.Values(next)))...)
		if slices.Equal(next, g.Members) {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM group_members WHERE group_name = $1`, name); err != nil {
			return fmt.Errorf("set members: %w", err)
		}
		for _, u := range next {
			if _, err := tx.ExecContext(ctx, `INSERT INTO group_members (group_name, username) VALUES ($1, $2)`, name, u); err != nil {
				return fmt.Errorf("set members: %w", err)
			}
		}
		tx.record("group", name, "group.members", map[string]any{"members": g.Members}, map[string]any{"members": next})
		g.Members = next
		return nil
	})
	return g, err
}

// ensureUsersExist names, as members[i], every username that has no account.
func ensureUsersExist(ctx context.Context, tx *Tx, usernames []string) error {
	var p assent.Problems
	for i, u := range usernames {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM users WHERE username = $1`, u).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			p.Add(fmt.Sprintf("members[%d]", i), "no user %q", u)
		} else if err != nil {
			return err
		}
	}
	return p.Err()
}

package assent

import (
	"context"
	"regexp"
	"time"
)

// Group is a named set of users; sign-off configurations and principal
// fields refer to it as "group:<name>".
type Group struct {
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Members     []string  `json:"members"`
	CreatedAt   time.Time `json:"created_at"`
}

var groupNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// ValidateGroupName checks the name of a new group.
func ValidateGroupName(name string) error {
	if !groupNamePattern.MatchString(name) {
		return Invalid("name", "must be 1 to 63 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit")
	}
	return nil
}

// GroupService manages groups and their members. Changes need an admin.
type GroupService interface {
	// FindGroup returns one group with its members. ENOTFOUND.
	FindGroup(ctx context.Context, name string) (*Group, error)

	// FindGroups lists all groups in name order with their members.
	FindGroups(ctx context.Context) ([]*Group, error)

	// CreateGroup adds an empty group. EINVALID, ECONFLICT when the name is taken.
	CreateGroup(ctx context.Context, name, description string) (*Group, error)

	// SetGroupMembers replaces the members. EINVALID naming unknown users.
	SetGroupMembers(ctx context.Context, name string, usernames []string) (*Group, error)

	// AddGroupMember adds one user; adding a member twice changes nothing.
	AddGroupMember(ctx context.Context, name, username string) (*Group, error)

	// RemoveGroupMember removes one user. ENOTFOUND when not a member.
	RemoveGroupMember(ctx context.Context, name, username string) (*Group, error)
}

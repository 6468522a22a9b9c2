package sqldb

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"assent"
)

// members resolves principal sources into usernames for one item: users,
// groups, principal fields of the item or of its nearest ancestor of a
// type. Disabled users are left out. It caches what it reads, so one
// resolver serves all the groups of a sign-off.
type members struct {
	q         rowsQueryer
	item      *assent.Item
	ancestors []*assent.Item // parent first; nil until read
	groups    map[string][]string
}

func newMembers(q rowsQueryer, item *assent.Item) *members {
	return &members{q: q, item: item, groups: map[string][]string{}}
}

// resolve returns the enabled users named by sources, sorted.
func (m *members) resolve(ctx context.Context, sources []assent.PrincipalSource) ([]string, error) {
	var names []string
	for _, src := range sources {
		kind, value, _ := strings.Cut(string(src), ":")
		switch kind {
		case "user":
			names = append(names, value)
		case "group":
			g, err := m.group(ctx, value)
			if err != nil {
				return nil, err
			}
			names = append(names, g...)
		case "field":
			values, err := m.field(ctx, value)
			if err != nil {
				return nil, err
			}
			for _, v := range values {
				if g, ok := strings.CutPrefix(v, "group:"); ok {
					members, err := m.group(ctx, g)
					if err != nil {
						return nil, err
					}
					names = append(names, members...)
				} else {
					names = append(names, v)
				}
			}
		}
	}
	slices.Sort(names)
	names = slices.Compact(names)
	return m.enabled(ctx, names)
}

// field reads a principals field of the item ("reviewers") or of its
// nearest ancestor of a type ("project.reviewers").
func (m *members) field(ctx context.Context, ref string) ([]string, error) {
	it := m.item
	typ, field, ok := strings.Cut(ref, ".")
	if !ok {
		field = ref
	} else {
		it = nil
		ancestors, err := m.readAncestors(ctx)
		if err != nil {
			return nil, err
		}
		for _, a := range ancestors {
			if a.Type == typ {
				it = a
				break
			}
		}
		if it == nil {
			return nil, nil
		}
	}
	list, _ := it.Fields[field].([]any)
	out := make([]string, 0, len(list))
	for _, v := range list {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out, nil
}

func (m *members) readAncestors(ctx context.Context) ([]*assent.Item, error) {
	if m.ancestors != nil {
		return m.ancestors, nil
	}
	m.ancestors = []*assent.Item{}
	for id, depth := m.item.Parent, 0; id != nil && depth < 8; depth++ {
		a, err := scanItem(m.q.QueryRowContext(ctx, `SELECT `+itemColumns+` FROM items WHERE id = $1`, *id))
		if err != nil {
			return nil, fmt.Errorf("read ancestor %s: %w", *id, err)
		}
		m.ancestors = append(m.ancestors, a)
		id = a.Parent
	}
	return m.ancestors, nil
}

func (m *members) group(ctx context.Context, name string) ([]string, error) {
	if g, ok := m.groups[name]; ok {
		return g, nil
	}
	rows, err := m.q.QueryContext(ctx, `SELECT username FROM group_members WHERE group_name = $1`, name)
	if err != nil {
		return nil, fmt.Errorf("group members: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return nil, fmt.Errorf("group members: %w", err)
		}
		out = append(out, u)
	}
	m.groups[name] = out
	return out, rows.Err()
}

// enabled keeps the names of existing users who are not disabled.
func (m *members) enabled(ctx context.Context, names []string) ([]string, error) {
	out := []string{}
	for _, n := range names {
		var disabled bool
		err := m.q.QueryRowContext(ctx, `SELECT disabled FROM users WHERE username = $1`, n).Scan(&disabled)
		if err == nil && !disabled {
			out = append(out, n)
		}
	}
	return out, nil
}

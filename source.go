package assent

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Source is a connected ML platform that owns projects, bundles, models and
// model versions. Assent keeps a copy of each of its objects as a
// governable item.
type Source struct {
	ID          string `json:"id"`
	Kind        string `json:"kind"` // "push": the platform calls the sync API
	DisplayName string `json:"display_name"`
	// LinkTemplate builds the address of an object in its platform, with
	// {kind}, {key}, {parent_key}, {project_key} and {attributes.NAME}
	// replaced by the object's values, escaped for a URL path.
	LinkTemplate string     `json:"link_template"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	LastSyncAt   *time.Time `json:"last_sync_at"`
}

// SourceKindPush is a source that sends its objects through the sync API.
const SourceKindPush = "push"

// SourceKinds lists the kinds a source may have.
var SourceKinds = []string{SourceKindPush}

// SourceUpdate is what registering or changing a source takes.
type SourceUpdate struct {
	Kind         string `json:"kind"`
	DisplayName  string `json:"display_name"`
	LinkTemplate string `json:"link_template"`
}

// Validate names each bad field of a source update.
func (u *SourceUpdate) Validate(id string) error {
	var p Problems
	if err := checkSourceID(id); err != "" {
		p.Add("source", "%s", err)
	}
	if u.Kind == "" {
		u.Kind = SourceKindPush
	}
	if u.Kind != SourceKindPush {
		p.Add("kind", "must be %q", SourceKindPush)
	}
	u.DisplayName = strings.TrimSpace(u.DisplayName)
	if u.DisplayName == "" {
		u.DisplayName = id
	}
	if len(u.DisplayName) > 200 {
		p.Add("display_name", "must be at most 200 characters")
	}
	if u.LinkTemplate != "" {
		l, err := url.Parse(strings.NewReplacer("{", "", "}", "").Replace(u.LinkTemplate))
		if err != nil || (l.Scheme != "http" && l.Scheme != "https") || l.Host == "" {
			p.Add("link_template", "must be an http or https address, such as https://dss.example.com/projects/{project_key}/")
		}
	}
	return p.Err()
}

// checkSourceID says what is wrong with a source id, or "".
func checkSourceID(id string) string {
	if id == "" || len(id) > 64 {
		return "must be 1 to 64 characters"
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return "may hold only lower-case letters, digits, '-', '_' and '.'"
		}
	}
	return ""
}

// SourceService registers sources.
type SourceService interface {
	// PutSource registers a source or changes it. Admins. EINVALID.
	PutSource(ctx context.Context, id string, upd SourceUpdate) (src *Source, created bool, err error)

	// FindSource returns one source. ENOTFOUND.
	FindSource(ctx context.Context, id string) (*Source, error)

	// FindSources lists every source by id.
	FindSources(ctx context.Context) ([]*Source, error)
}

// ObjectURL builds the address of a governable item in its platform from
// the source's link template; "" without a template. Registries build
// hundreds per page, so it scans the template once instead of replacing
// each placeholder in turn.
func ObjectURL(linkTemplate string, g *GovernableItem, projectKey string) string {
	if linkTemplate == "" {
		return ""
	}
	var b strings.Builder
	rest := linkTemplate
	for {
		i := strings.IndexByte(rest, '{')
		j := strings.IndexByte(rest[max(i, 0):], '}')
		if i < 0 || j < 0 {
			b.WriteString(rest)
			return b.String()
		}
		b.WriteString(rest[:i])
		name := rest[i+1 : i+j]
		switch {
		case name == "kind":
			b.WriteString(url.PathEscape(g.Kind))
		case name == "key":
			b.WriteString(url.PathEscape(g.Key))
		case name == "parent_key" && g.ParentKey != nil:
			b.WriteString(url.PathEscape(*g.ParentKey))
		case name == "project_key":
			b.WriteString(url.PathEscape(projectKey))
		case strings.HasPrefix(name, "attributes."):
			b.WriteString(url.PathEscape(fmt.Sprint(valueOr(g.Attributes[name[len("attributes."):]]))))
		}
		rest = rest[i+j+1:]
	}
}

func valueOr(v any) any {
	if v == nil {
		return ""
	}
	return v
}

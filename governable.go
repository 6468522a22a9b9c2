package assent

import (
	"context"
	"time"
)

// The kinds of governable items, the objects a source owns.
const (
	KindProject      = "project"
	KindBundle       = "bundle"
	KindModel        = "model"
	KindModelVersion = "model_version"
)

// GovernableKinds lists the kinds, parents before children.
var GovernableKinds = []string{KindProject, KindBundle, KindModel, KindModelVersion}

// ParentKind is the kind a kind's parent must have; "" for a project,
// which has none.
func ParentKind(kind string) string {
	switch kind {
	case KindBundle, KindModel:
		return KindProject
	case KindModelVersion:
		return KindModel
	}
	return ""
}

// KindDepth orders kinds so that parents come before children; -1 for an
// unknown kind.
func KindDepth(kind string) int {
	switch kind {
	case KindProject:
		return 0
	case KindBundle, KindModel:
		return 1
	case KindModelVersion:
		return 2
	}
	return -1
}

// The statuses of a governable item.
const (
	StatusGovernable = "governable"
	StatusGoverned   = "governed"
	StatusHidden     = "hidden"
)

// GovernableItem is Assent's copy of an object of a source. Users cannot
// edit it: it changes only by sync. Governing it creates a governed item.
type GovernableItem struct {
	ID     string  `json:"id"`
	Source string  `json:"source"`
	Kind   string  `json:"kind"`
	Key    string  `json:"key"`
	Parent *string `json:"parent"` // the parent's governable id
	// ParentKey is the parent's key in the source, as the sync gave it.
	ParentKey *string `json:"parent_key"`
	// ParentName is the parent's name, for showing where an item belongs.
	ParentName      string         `json:"parent_name,omitempty"`
	Name            string         `json:"name"`
	Attributes      map[string]any `json:"attributes"`
	Status          string         `json:"status"`
	DeletedInSource bool           `json:"deleted_in_source"`
	GovernedItem    *string        `json:"governed_item"`
	// URL opens the object in its platform, from the source's link template.
	URL       string    `json:"url,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// GovernableFilter selects governable items. Status "" hides hidden items;
// "all" shows every status.
type GovernableFilter struct {
	Kind    string
	Status  string
	Source  string
	Parent  string // governable id
	Key     string
	Q       string // name contains, any case
	Deleted *bool  // deleted in source
	Limit   int
	Cursor  string
}

// GovernRequest is what governing a governable item takes.
type GovernRequest struct {
	// Template is the template id for the item; "" takes the rule's
	// template for its kind, else the standard one.
	Template string `json:"template,omitempty"`
	// GovernChildren also governs the item's existing children, and
	// theirs, of the kinds in ChildrenKinds (every kind when empty).
	GovernChildren bool     `json:"govern_children,omitempty"`
	ChildrenKinds  []string `json:"children_kinds,omitempty"`
	// ChildrenTemplates names a template per child kind.
	ChildrenTemplates map[string]string `json:"children_templates,omitempty"`
	// GovernParents governs parents that are not governed yet with their
	// recommended templates, instead of refusing.
	GovernParents bool `json:"govern_parents,omitempty"`
	// AttachTo links a project to an existing governed project instead of
	// creating one.
	AttachTo string `json:"attach_to,omitempty"`
	// BusinessInitiative links the governed project to an initiative.
	BusinessInitiative string `json:"business_initiative,omitempty"`
}

// GovernResult is the governed item and every item governed with it.
type GovernResult struct {
	Item *Item `json:"item"`
	// Governed lists the governable ids governed by this call, the item's
	// own first, then parents and children.
	Governed []string `json:"governed"`
}

// GovernableService lists governable items and governs and hides them.
type GovernableService interface {
	// FindGovernableItem returns one governable item. ENOTFOUND.
	FindGovernableItem(ctx context.Context, id string) (*GovernableItem, error)

	// FindGovernableItems lists governable items by source, then path
	// (project, model, version names), with the cursor of the next page.
	FindGovernableItems(ctx context.Context, f GovernableFilter) ([]*GovernableItem, string, error)

	// GovernItem creates the governed item of a governable item. Members.
	// ECONFLICT when it is governed or hidden, or a parent is not governed
	// (naming the parent); EINVALID for a missing, archived or wrong-type
	// template, or a bad initiative or project to attach to.
	GovernItem(ctx context.Context, id string, req GovernRequest) (*GovernResult, error)

	// UngovernItem unlinks a governable item from its governed item, which
	// is archived when it governs nothing else. Members. ECONFLICT when it
	// is not governed or a child is still governed.
	UngovernItem(ctx context.Context, id string) (*GovernableItem, error)

	// HideItem hides (true) or shows (false) an item and its descendants.
	// Members. ECONFLICT when hiding a governed item.
	HideItem(ctx context.Context, id string, hidden bool) (*GovernableItem, error)

	// FindSourceObjects lists the governable items a governed item governs.
	FindSourceObjects(ctx context.Context, itemID string) ([]*GovernableItem, error)
}

package assent

import (
	"context"
	"time"
)

// Item is a governed item: an instance of a template version with field
// values and a workflow.
type Item struct {
	ID              string         `json:"id"`
	Type            string         `json:"type"`
	Name            string         `json:"name"`
	Template        TemplateRef    `json:"template"`
	Revision        int64          `json:"revision"`
	Parent          *string        `json:"parent"`
	GovernableItems []string       `json:"governable_items"`
	Fields          map[string]any `json:"fields"`
	Workflow        Workflow       `json:"workflow"`
	Archived        bool           `json:"archived"`
	CreatedAt       time.Time      `json:"created_at"`
	UpdatedAt       time.Time      `json:"updated_at"`
	CreatedBy       string         `json:"created_by"`
}

// TemplateRef names a template version.
type TemplateRef struct {
	ID      string `json:"id"`
	Version int    `json:"version,omitempty"` // 0 when asking for the newest active one
}

// StepStatus is the state of one workflow step.
type StepStatus string

const (
	StepNotStarted StepStatus = "NOT_STARTED"
	StepOngoing    StepStatus = "ONGOING"
	StepFinished   StepStatus = "FINISHED"
	StepSkipped    StepStatus = "SKIPPED"
)

// Workflow is an item's progress through its template's steps.
type Workflow struct {
	CurrentStep string      `json:"current_step"`
	Steps       []StepState `json:"steps"`
}

// StepState is one step of an item's workflow.
type StepState struct {
	ID     string     `json:"id"`
	Name   string     `json:"name"`
	Status StepStatus `json:"status"`
}

// CurrentStep applies Dataiku's rule: the first ONGOING step, else the
// first NOT_STARTED one, else the last; "" without steps.
func CurrentStep(steps []StepState) string {
	for _, s := range steps {
		if s.Status == StepOngoing {
			return s.ID
		}
	}
	for _, s := range steps {
		if s.Status == StepNotStarted {
			return s.ID
		}
	}
	if len(steps) == 0 {
		return ""
	}
	return steps[len(steps)-1].ID
}

// NewItem is what creating a governed item takes.
type NewItem struct {
	Template TemplateRef    `json:"template"` // version 0: the newest active one
	Name     string         `json:"name"`
	Parent   *string        `json:"parent,omitempty"`
	Fields   map[string]any `json:"fields,omitempty"`
}

// MigrationPlan says what moving an item to another version of its template
// does; a dry run returns it without writing.
type MigrationPlan struct {
	Item    string      `json:"item"`
	From    TemplateRef `json:"from"`
	To      TemplateRef `json:"to"`
	Kept    []string    `json:"kept"`    // fields carried over
	Dropped []string    `json:"dropped"` // fields the new version lacks or types differently; their values stay in the event
	Added   []string    `json:"added"`   // new fields set to their default
	// Missing are new required fields without a default: while any is
	// missing the migration is refused.
	Missing      []string `json:"missing"`
	StepsKept    []string `json:"steps_kept"`
	StepsAdded   []string `json:"steps_added"`
	StepsDropped []string `json:"steps_dropped"`
	Applied      bool     `json:"applied"`
}

// ItemUpdate changes what it sets. Fields are merged: a nil value clears
// one. Revision, when given, must be the item's current revision.
type ItemUpdate struct {
	Name     *string        `json:"name,omitempty"`
	Fields   map[string]any `json:"fields,omitempty"`
	Revision *int64         `json:"revision,omitempty"`
}

// ItemFilter selects items; zero values select all that are not archived.
type ItemFilter struct {
	Type     string
	Template string
	Q        string            // name contains, any case
	Step     string            // current step
	Parent   string            // parent item id
	Signoff  string            // state of the gating sign-off
	Fields   map[string]string // field id → value, compared as text
	Archived *bool             // nil: not archived; true: only archived
	Limit    int
	Cursor   string
}

// ItemService stores governed items.
type ItemService interface {
	// CreateItem creates an item from an active template version. Members
	// and admins. EINVALID naming fields.<id> for each bad value.
	CreateItem(ctx context.Context, n NewItem) (*Item, error)

	// FindItem returns one item. ENOTFOUND.
	FindItem(ctx context.Context, id string) (*Item, error)

	// MigrateItem moves an item to another active version of its template,
	// or with dryRun only says what it would do. EINVALID listing the
	// missing required fields; ECONFLICT for an archived item.
	MigrateItem(ctx context.Context, id string, version int, dryRun bool) (*MigrationPlan, error)

	// FindItems lists items in name order with the cursor of the next page.
	FindItems(ctx context.Context, f ItemFilter) ([]*Item, string, error)

	// UpdateItem changes the name and fields. ESTALE when the revision
	// given is not current (nothing is written); ECONFLICT when archived;
	// EINVALID naming fields.<id>.
	UpdateItem(ctx context.Context, id string, upd ItemUpdate) (*Item, error)

	// SetItemStep sets a workflow step's status by the rules of the
	// workflow. ESTALE, ECONFLICT (archived, or a rule refuses), ENOTFOUND.
	SetItemStep(ctx context.Context, id, step string, status StepStatus, revision *int64) (*Item, error)

	// ArchiveItem archives (true) or restores (false) an item. ESTALE.
	ArchiveItem(ctx context.Context, id string, archived bool, revision *int64) (*Item, error)
}

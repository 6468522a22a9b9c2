package assent

import (
	"context"
	"encoding/json"
	"time"
)

// Template defines a type of governed item: its fields, how the overview
// shows them, its workflow steps and the sign-off of each step. Templates
// are versioned; an item keeps the version it was created with.
type Template struct {
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	ItemType    string          `json:"item_type"`
	Parent      *TemplateParent `json:"parent,omitempty"`
	Fields      []FieldDef      `json:"fields"`
	Overview    []Section       `json:"overview,omitempty"`
	Steps       []StepDef       `json:"steps,omitempty"`
}

// TemplateParent names the type of an item's parent and, when the parent
// is chosen by the user, the reference field that holds it.
type TemplateParent struct {
	Type  string `json:"type"`
	Field string `json:"field,omitempty"`
}

// FieldType is the kind of value a field holds.
type FieldType string

// The field types. Values: text is Markdown; a category value is its
// option's label; a date is YYYY-MM-DD; a reference is an item id; a file
// is attachment ids; principals are usernames or "group:<name>".
const (
	FieldText       FieldType = "text"
	FieldNumber     FieldType = "number"
	FieldBoolean    FieldType = "boolean"
	FieldCategory   FieldType = "category"
	FieldDate       FieldType = "date"
	FieldReference  FieldType = "reference"
	FieldPrincipals FieldType = "principals"
	FieldFile       FieldType = "file"
	FieldJSON       FieldType = "json"
)

// FieldTypes lists every field type, in the order the docs present them.
var FieldTypes = []FieldType{FieldText, FieldNumber, FieldBoolean, FieldCategory, FieldDate, FieldReference, FieldPrincipals, FieldFile, FieldJSON}

// FieldDef is one field of a template.
type FieldDef struct {
	ID       string    `json:"id"`
	Label    string    `json:"label"`
	Help     string    `json:"help,omitempty"`
	Type     FieldType `json:"type"`
	List     bool      `json:"list,omitempty"`
	Required bool      `json:"required,omitempty"`
	ReadOnly bool      `json:"read_only,omitempty"`
	// Number bounds.
	Min *float64 `json:"min,omitempty"`
	Max *float64 `json:"max,omitempty"`
	// Category options, as labels; a list field takes several.
	Options []string `json:"options,omitempty"`
	// Reference: the item types it may point to.
	ReferenceTypes []string `json:"reference_types,omitempty"`
	// JSON: an optional JSON Schema the value must satisfy.
	Schema json.RawMessage `json:"schema,omitempty"`
	// Default is the value of a new item, and of existing items when a
	// migration adds the field.
	Default any `json:"default,omitempty"`
}

// Section is a titled group of fields on the item's overview.
type Section struct {
	ID     string   `json:"id"`
	Title  string   `json:"title"`
	Fields []string `json:"fields"`
}

// StepDef is one workflow step.
type StepDef struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	Fields []string `json:"fields,omitempty"`
	// VisibleWhen shows the step only when a field has one of some values.
	VisibleWhen *Condition     `json:"visible_when,omitempty"`
	Signoff     *SignoffConfig `json:"signoff,omitempty"`
}

// Condition holds when a field's value is one of In.
type Condition struct {
	Field string `json:"field"`
	In    []any  `json:"in"`
}

// SignoffConfig configures the review of a step: feedback groups, then a
// final approval.
type SignoffConfig struct {
	FeedbackGroups []FeedbackGroupDef `json:"feedback_groups,omitempty"`
	// Approvers give the final approval.
	Approvers []PrincipalSource `json:"approvers"`
	// Mandatory: the step cannot be finished before the approval is APPROVED.
	Mandatory bool `json:"mandatory,omitempty"`
	// NoSelfApproval: whoever requested the approval may not give it.
	NoSelfApproval bool `json:"no_self_approval,omitempty"`
	// GatesDeployment: deployment checks look at this sign-off.
	GatesDeployment bool `json:"gates_deployment,omitempty"`
}

// FeedbackGroupDef is a group of reviewers whose feedback a sign-off collects.
type FeedbackGroupDef struct {
	ID      string            `json:"id"`
	Name    string            `json:"name"`
	Members []PrincipalSource `json:"members"`
}

// PrincipalSource says where reviewers come from: "user:<username>",
// "group:<name>", "field:<field>" (a principals field of the item) or
// "field:<type>.<field>" (of the nearest ancestor of that type).
type PrincipalSource string

// TemplateStatus is the state of a template version.
type TemplateStatus string

const (
	TemplateDraft    TemplateStatus = "draft"    // being written; governs nothing
	TemplateActive   TemplateStatus = "active"   // governs and creates items
	TemplateArchived TemplateStatus = "archived" // kept for the items that use it
)

// TemplateVersion is one stored version of a template.
type TemplateVersion struct {
	TemplateID string         `json:"template_id"`
	Version    int            `json:"version"`
	Status     TemplateStatus `json:"status"`
	Builtin    bool           `json:"builtin"`
	Definition *Template      `json:"definition"`
	CreatedAt  time.Time      `json:"created_at"`
	CreatedBy  string         `json:"created_by"`
	// Items counts the items that use this version.
	Items int `json:"items"`
}

// TemplateSummary is a template as listed: its versions without definitions.
type TemplateSummary struct {
	ID       string             `json:"id"`
	Name     string             `json:"name"`
	ItemType string             `json:"item_type"`
	Builtin  bool               `json:"builtin"`
	Versions []*TemplateVersion `json:"versions"`
}

// TemplateService stores template versions. Changes need an admin.
type TemplateService interface {
	// FindTemplates lists every template with its versions (no definitions).
	FindTemplates(ctx context.Context) ([]*TemplateSummary, error)

	// FindTemplateVersion returns one version with its definition; version
	// 0 means the newest active one. ENOTFOUND.
	FindTemplateVersion(ctx context.Context, id string, version int) (*TemplateVersion, error)

	// AddTemplateVersion validates t against the other templates and stores
	// it as the next version of t.ID, draft or active. EINVALID with every
	// problem; ECONFLICT when the id belongs to a template of another item type.
	AddTemplateVersion(ctx context.Context, t *Template, status TemplateStatus) (*TemplateVersion, error)

	// SetTemplateVersionStatus moves a version between draft, active and
	// archived. ECONFLICT for a move back to draft.
	SetTemplateVersionStatus(ctx context.Context, id string, version int, status TemplateStatus) (*TemplateVersion, error)

	// TemplateContext returns what validating a new template needs to know
	// of the stored ones.
	TemplateContext(ctx context.Context) (TemplateContext, error)

	// DeleteTemplateVersion removes an unused version. ECONFLICT when items
	// use it or it is a built-in one.
	DeleteTemplateVersion(ctx context.Context, id string, version int) error
}

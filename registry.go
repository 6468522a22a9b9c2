package assent

import "context"

// RegistryEntry is one row of the model or bundle registry: a source
// object with its governance state, whatever that state is.
type RegistryEntry struct {
	Governable *GovernableItem `json:"governable"`
	// Governed is the governed item's summary, or nil.
	Governed *GovernedSummary `json:"governed"`
	// Focus is a model version's metric to focus, when it has points of
	// it or of data drift.
	Focus *MetricSummary `json:"focus,omitempty"`
}

// GovernedSummary is what a registry shows of a governed item.
type GovernedSummary struct {
	ID          string      `json:"id"`
	Name        string      `json:"name"`
	Template    TemplateRef `json:"template"`
	CurrentStep string      `json:"current_step"`
	Archived    bool        `json:"archived"`
	// GatingStep is the step whose sign-off gates deployment, and
	// GatingStatus that step's status; SignoffState its sign-off's state
	// ("" until the step has a sign-off).
	GatingStep   string     `json:"gating_step,omitempty"`
	GatingStatus StepStatus `json:"gating_status,omitempty"`
	SignoffState string     `json:"signoff_state,omitempty"`
}

// RegistryModel is a model with its project and versions, newest first.
type RegistryModel struct {
	Project  RegistryEntry   `json:"project"`
	Model    RegistryEntry   `json:"model"`
	Versions []RegistryEntry `json:"versions"`
}

// RegistryBundle is a bundle with its project.
type RegistryBundle struct {
	Project RegistryEntry `json:"project"`
	Bundle  RegistryEntry `json:"bundle"`
}

// RegistryFilter selects registry rows. Hidden items are left out unless
// asked for; items deleted in their source stay, marked as such.
type RegistryFilter struct {
	Q             string // project, model or bundle name contains, any case
	Source        string
	Project       string // governable id
	IncludeHidden bool
	// Signoff keeps the rows whose gating sign-off (a model's: one of its
	// versions') is in this state.
	Signoff string
	// Focus is the metric whose latest value and drift each model version
	// shows; DefaultFocusMetric when empty.
	Focus  string
	Limit  int
	Cursor string
}

// RegistryService reads the model and bundle registries.
type RegistryService interface {
	// FindModels lists models by project and model name with their versions.
	FindModels(ctx context.Context, f RegistryFilter) ([]*RegistryModel, string, error)

	// FindBundles lists bundles by project and bundle name.
	FindBundles(ctx context.Context, f RegistryFilter) ([]*RegistryBundle, string, error)
}

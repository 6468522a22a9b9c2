package assent

import "context"

// MaxSyncItems bounds a sync batch; a larger one is refused whole.
const MaxSyncItems = 10000

// SyncItem is one object of a source in a sync batch.
type SyncItem struct {
	Kind string `json:"kind"`
	Key  string `json:"key"`
	// Parent is the parent's key in the same source: a project for a
	// bundle or model, a model for a model version.
	Parent string `json:"parent,omitempty"`
	// Name is shown to people; the key when left empty.
	Name       string         `json:"name,omitempty"`
	Attributes map[string]any `json:"attributes,omitempty"`
}

// SyncBatch is one batch of a sync. Run groups the batches of one full
// sync; the batch with Final marks the source's items not seen in the run
// as deleted in the source. Final without Run is a full sync by itself.
type SyncBatch struct {
	Items []SyncItem `json:"items"`
	// Metrics and Deployments name model versions and bundles by key;
	// they may belong to items of this batch or of earlier ones.
	Metrics     []MetricPoint `json:"metrics,omitempty"`
	Deployments []Deployment  `json:"deployments,omitempty"`
	Run         string        `json:"run,omitempty"`
	Final       bool          `json:"final,omitempty"`
}

// SyncResult counts what a batch did and gives the id of every key.
type SyncResult struct {
	Created   int          `json:"created"`
	Updated   int          `json:"updated"`
	Unchanged int          `json:"unchanged"`
	Deleted   int          `json:"deleted"`
	Governed  int          `json:"governed"` // by auto-governance rules
	Metrics   MetricResult `json:"metrics"`
	// Deployments counts the deployment records added.
	Deployments int           `json:"deployments"`
	Items       []SyncItemRef `json:"items"`
}

// SyncItemRef is the governable id of a key.
type SyncItemRef struct {
	Key string `json:"key"`
	ID  string `json:"id"`
}

// SyncService applies batches from a source.
type SyncService interface {
	// Sync applies one batch in one transaction: all of it or nothing.
	// Members. ENOTFOUND for an unknown source; EINVALID naming items[i]
	// for each bad item; ETOOLARGE over MaxSyncItems.
	Sync(ctx context.Context, source string, b SyncBatch) (*SyncResult, error)
}

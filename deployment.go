package assent

import (
	"context"
	"regexp"
	"strings"
	"time"
)

// The policies of a deployment target: what a deployment check answers
// for an item whose gating sign-off is not approved.
const (
	PolicyPrevent = "PREVENT"  // block
	PolicyWarn    = "WARN"     // warn, and let the platform ask for confirmation
	PolicyNoCheck = "NO_CHECK" // allow without looking
)

// Policies lists the policies, strictest first.
var Policies = []string{PolicyPrevent, PolicyWarn, PolicyNoCheck}

// DeploymentTarget is where a platform deploys: an infrastructure with a
// stage (dev, test, prod, …) and a policy.
type DeploymentTarget struct {
	Name        string    `json:"name"`
	Stage       string    `json:"stage"`
	Policy      string    `json:"policy"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	UpdatedBy   string    `json:"updated_by"`
}

// DeploymentTargetUpdate is the body of PUT /deployment-targets/{name}.
type DeploymentTargetUpdate struct {
	Stage       string `json:"stage"`
	Policy      string `json:"policy"`
	Description string `json:"description"`
}

var targetNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

// ValidTargetName says whether name can name a deployment target: it
// appears in paths, so letters, digits, dot, dash and underscore.
func ValidTargetName(name string) bool { return targetNamePattern.MatchString(name) }

// Validate checks the update.
func (u *DeploymentTargetUpdate) Validate(name string) error {
	var p Problems
	if !ValidTargetName(name) {
		p.Add("name", "must be 1 to 100 letters, digits, dots, dashes or underscores, starting with a letter or digit")
	}
	u.Stage = strings.TrimSpace(u.Stage)
	if u.Stage == "" || len(u.Stage) > 40 {
		p.Add("stage", "must be 1 to 40 characters, such as dev, test or prod")
	}
	// Required, so that replacing a target without it never turns a gate
	// off by default.
	if u.Policy != PolicyPrevent && u.Policy != PolicyWarn && u.Policy != PolicyNoCheck {
		p.Add("policy", "must be PREVENT, WARN or NO_CHECK")
	}
	if len(u.Description) > 2000 {
		p.Add("description", "must be at most 2000 characters")
	}
	return p.Err()
}

// The statuses of a deployment record.
const (
	DeploymentDeployed   = "deployed"
	DeploymentUndeployed = "undeployed"
	DeploymentFailed     = "failed"
)

// Deployment records that a model version or bundle was deployed to a
// target (or taken off it, or failed to deploy) at a time. The same
// record sent again changes nothing.
type Deployment struct {
	ID string `json:"id"`
	// Item is the governable id; in a sync batch Key names it by its key
	// in the source instead.
	Item   string    `json:"item,omitempty"`
	Key    string    `json:"key,omitempty"`
	Target string    `json:"target"`
	Status string    `json:"status"` // deployed when empty
	Time   time.Time `json:"time"`   // now when empty
	// Reference is the platform's own id of the deployment, if any.
	Reference  string    `json:"reference,omitempty"`
	RecordedBy string    `json:"recorded_by"`
	RecordedAt time.Time `json:"recorded_at"`
}

// DeploymentFilter selects deployment records, newest first.
type DeploymentFilter struct {
	Item   string // governable id
	Target string
	Limit  int
	Cursor string
}

// TargetStatus is where one item stands on one target: its latest
// deployment record, how many there are, and its latest check.
type TargetStatus struct {
	Target    DeploymentTarget `json:"target"`
	Latest    *Deployment      `json:"latest"`
	Count     int              `json:"count"`
	LastCheck *CheckRecord     `json:"last_check"`
}

// CheckRecord is the latest check of an item against a target.
type CheckRecord struct {
	Decision     string    `json:"decision"`
	Policy       string    `json:"policy"`
	SignoffState string    `json:"signoff_state"`
	Time         time.Time `json:"time"`
	Actor        string    `json:"actor"`
}

// DeploymentService keeps deployment targets and deployments, and answers
// deployment checks.
type DeploymentService interface {
	// PutTarget creates or replaces a target; created says which. Admins.
	PutTarget(ctx context.Context, name string, u DeploymentTargetUpdate) (t *DeploymentTarget, created bool, err error)

	// FindTarget reads one target. Viewers. ENOTFOUND when unknown.
	FindTarget(ctx context.Context, name string) (*DeploymentTarget, error)

	// FindTargets lists every target by name. Viewers.
	FindTargets(ctx context.Context) ([]*DeploymentTarget, error)

	// RecordDeployments stores deployment records in one transaction, all
	// or none, and says how many were new; at is the list's location for
	// errors ("" for a single record). Members. A record already there is
	// returned as it was.
	RecordDeployments(ctx context.Context, records []Deployment, at string) ([]*Deployment, int, error)

	// FindDeployments lists records newest first. Viewers.
	FindDeployments(ctx context.Context, f DeploymentFilter) ([]*Deployment, string, error)

	// FindTargetStatuses says where an item stands on each target it was
	// deployed to or checked against. Viewers.
	FindTargetStatuses(ctx context.Context, item string) ([]*TargetStatus, error)

	// FindWorkflowLock names the PREVENT target that locks a governed
	// item's workflow after its gating step (DESIGN §2), "" when it is not
	// locked. Viewers.
	FindWorkflowLock(ctx context.Context, item string) (string, error)

	// CheckDeployment answers whether an item may deploy to a target and
	// records the check. Viewers. ENOTFOUND for an unknown target or item.
	CheckDeployment(ctx context.Context, req DeploymentCheckRequest) (*DeploymentCheck, error)
}

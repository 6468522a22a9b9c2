package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
)

func init() {
	scenarios = append(scenarios, scenario{
		name: "signoff",
		about: "sign-off actions: each worker walks its own model version's review through request feedback, feedback, " +
			"edit, request approval, approve and reset, one action per request",
		run: signoffs.run,
	})
}

// signoffs keeps, per worker, the model version it reviews and where its
// cycle stands.
var signoffs = &signoffWalker{versions: map[int]*reviewedItem{}}

type signoffWalker struct {
	mu       sync.Mutex
	versions map[int]*reviewedItem
}

type reviewedItem struct {
	id       string
	step     int    // index in signoffCycle of the next action
	feedback string // id of this cycle's feedback
}

// signoffCycle is one review, ending with a reset so that it starts again.
var signoffCycle = []struct {
	action, method, path string
	body                 map[string]any
}{
	{"request feedback", http.MethodPost, "/request-feedback", map[string]any{"notify": []string{}}},
	{"feedback", http.MethodPost, "/feedback", map[string]any{"group": "it_ops", "status": "MINOR_ISSUE", "comment": "Check the location bias."}},
	{"edit feedback", http.MethodPatch, "/feedback/", map[string]any{"status": "MAJOR_ISSUE"}},
	{"request approval", http.MethodPost, "/request-approval", map[string]any{}},
	{"approve", http.MethodPost, "/approval", map[string]any{"status": "APPROVED", "comment": "Fine."}},
	{"reset", http.MethodPost, "/reset", map[string]any{}},
}

func (s *signoffWalker) run(ctx context.Context, c *client, worker, i int) error {
	s.mu.Lock()
	it := s.versions[worker]
	s.mu.Unlock()
	if it == nil {
		id, err := newReviewedVersion(ctx, c, worker)
		if err != nil {
			return err
		}
		s.mu.Lock()
		s.versions[worker] = &reviewedItem{id: id}
		s.mu.Unlock()
		return nil
	}
	step := signoffCycle[it.step]
	path := "/api/v1/items/" + it.id + "/signoffs/review" + step.path
	if step.path == "/feedback/" {
		path += it.feedback
	}
	var out struct {
		Feedback []struct {
			ID string `json:"id"`
		} `json:"feedback"`
	}
	if err := c.do(ctx, step.method, path, step.body, &out); err != nil {
		return fmt.Errorf("%s: %w", step.action, err)
	}
	if len(out.Feedback) > 0 {
		it.feedback = out.Feedback[0].ID
	}
	it.step = (it.step + 1) % len(signoffCycle)
	return nil
}

// newReviewedVersion creates a project whose reviewer and approver is the
// load program's user, a model and a version, and returns the version.
func newReviewedVersion(ctx context.Context, c *client, worker int) (string, error) {
	var me struct {
		Username string `json:"username"`
	}
	if err := c.do(ctx, http.MethodGet, "/api/v1/me", nil, &me); err != nil {
		return "", err
	}
	var project, model, version struct {
		ID string `json:"id"`
	}
	who := []string{me.Username}
	if err := c.do(ctx, http.MethodPost, "/api/v1/items", map[string]any{"template": map[string]string{"id": "standard-project"},
		"name": fmt.Sprintf("Reviewed project %d", worker), "fields": map[string]any{"reviewers_it_ops": who, "final_approvers": who}}, &project); err != nil {
		return "", err
	}
	if err := c.do(ctx, http.MethodPost, "/api/v1/items", map[string]any{"template": map[string]string{"id": "standard-model"},
		"name": fmt.Sprintf("Reviewed model %d", worker), "parent": project.ID}, &model); err != nil {
		return "", err
	}
	if err := c.do(ctx, http.MethodPost, "/api/v1/items", map[string]any{"template": map[string]string{"id": "standard-model-version"},
		"name": fmt.Sprintf("Reviewed version %d", worker), "parent": model.ID}, &version); err != nil {
		return "", err
	}
	return version.ID, nil
}

package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

func init() {
	scenarios = append(scenarios, scenario{
		name:  "register-models",
		about: "POST /api/v1/sources/{source}/sync, one object a request: a model, then its 3 versions (4 requests a model)",
		setup: modelRegistrations.setup,
		run:   modelRegistrations.run,
	})
}

const (
	// registrySource is the source the scenario registers and syncs to.
	registrySource = "assent-load"
	// registryProjects is how many projects setup syncs; worker w adds
	// its models to project w mod registryProjects.
	registryProjects = 8
	// requestsPerModel is one request for the model and one per version.
	requestsPerModel = 4
)

// modelRegistrations names every object after the run, so that runs
// against the same server create new objects rather than find old ones.
var modelRegistrations = &modelRegistrar{}

type modelRegistrar struct {
	prefix string // of this run's keys; set by setup before the workers start
}

// syncItem and syncBatch are the sync request as the API takes it.
type syncItem struct {
	Kind       string         `json:"kind"`
	Key        string         `json:"key"`
	Parent     string         `json:"parent,omitempty"`
	Name       string         `json:"name"`
	Attributes map[string]any `json:"attributes,omitempty"`
}

type syncBatch struct {
	Items []syncItem `json:"items"`
}

type syncResult struct {
	Created, Updated, Unchanged int
}

// setup registers the source, which takes an admin's token, and syncs the
// projects in one batch.
func (r *modelRegistrar) setup(ctx context.Context, c *client) error {
	r.prefix = "load-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	src := map[string]string{"kind": "push", "display_name": "assent-load", "link_template": "https://ml.example.com/projects/{project_key}/"}
	if err := c.do(ctx, http.MethodPut, "/api/v1/sources/"+registrySource, src, nil); err != nil {
		return err
	}
	var b syncBatch
	for p := range registryProjects {
		b.Items = append(b.Items, syncItem{Kind: "project", Key: r.projectKey(p), Name: fmt.Sprintf("Load %s project %d", r.prefix, p)})
	}
	return r.sync(ctx, c, b, registryProjects)
}

func (r *modelRegistrar) projectKey(p int) string { return fmt.Sprintf("%s.p%d", r.prefix, p) }

// run sends the worker's i-th request: call 0 of every 4 registers a
// model, calls 1 to 3 its versions, the last one active.
func (r *modelRegistrar) run(ctx context.Context, c *client, worker, i int) error {
	n, step := i/requestsPerModel, i%requestsPerModel
	model := fmt.Sprintf("%s.w%d.m%d", r.prefix, worker, n)
	var it syncItem
	if step == 0 {
		it = syncItem{Kind: "model", Key: model, Parent: r.projectKey(worker % registryProjects),
			Name:       fmt.Sprintf("Predict target_%d_%d (binary)", worker, n),
			Attributes: map[string]any{"prediction_type": "binary_classification", "target": fmt.Sprintf("target_%d_%d", worker, n)}}
	} else {
		it = syncItem{Kind: "model_version", Key: fmt.Sprintf("%s.v%d", model, step), Parent: model,
			Name: fmt.Sprintf("Random forest (s1) - v%d", step),
			Attributes: map[string]any{"active": step == requestsPerModel-1, "algorithm": "Random forest",
				"metrics": map[string]any{"auc": 0.7 + 0.05*float64(step)}}}
	}
	return r.sync(ctx, c, syncBatch{Items: []syncItem{it}}, 1)
}

// sync sends a batch and checks that it created what it sent: a run that
// only found existing objects would measure something else.
func (r *modelRegistrar) sync(ctx context.Context, c *client, b syncBatch, created int) error {
	var res syncResult
	if err := c.do(ctx, http.MethodPost, "/api/v1/sources/"+registrySource+"/sync", b, &res); err != nil {
		return err
	}
	if res.Created != created {
		return fmt.Errorf("POST /api/v1/sources/%s/sync: created %d, want %d", registrySource, res.Created, created)
	}
	return nil
}

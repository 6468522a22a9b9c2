package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

func init() {
	scenarios = append(scenarios, scenario{
		name: "deployment-check",
		about: "POST /api/v1/deployment-checks: random checks of 1,000 model versions (300 governed) against " +
			"three targets (NO_CHECK, WARN, PREVENT), each answered and recorded",
		setup: deploymentChecks.setup,
		run:   deploymentChecks.run,
	})
}

const (
	// deploySource is the source whose versions the scenario checks.
	deploySource = "assent-load-deploy"
	// deployProjects × deployModels × deployVersions versions are synced;
	// the first deployGovernedModels models of each project are governed
	// with their versions.
	deployProjects, deployModels, deployVersions = 10, 10, 10
	deployGovernedModels                         = 3
)

// deploymentChecks names its objects after the run, so that runs against
// the same server start from versions that were never checked.
var deploymentChecks = &deploymentChecker{}

type deploymentChecker struct {
	// Set by setup before the workers start, only read after.
	prefix   string
	versions []string // governable ids
	targets  []string
}

// deployTargets are the three policies; the names are shared by runs.
var deployTargets = []struct{ name, stage, policy string }{
	{"load-dev", "dev", "NO_CHECK"},
	{"load-test", "test", "WARN"},
	{"load-prod", "prod", "PREVENT"},
}

// setup registers the source and the targets (an admin's token), syncs the
// versions in one batch and governs some models with their versions.
func (d *deploymentChecker) setup(ctx context.Context, c *client) error {
	d.prefix = "deploy-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	src := map[string]string{"kind": "push", "display_name": "assent-load deployments"}
	if err := c.do(ctx, http.MethodPut, "/api/v1/sources/"+deploySource, src, nil); err != nil {
		return err
	}
	d.targets = nil
	for _, t := range deployTargets {
		body := map[string]string{"stage": t.stage, "policy": t.policy, "description": "assent-load deployment-check scenario"}
		if err := c.do(ctx, http.MethodPut, "/api/v1/deployment-targets/"+t.name, body, nil); err != nil {
			return err
		}
		d.targets = append(d.targets, t.name)
	}
	var b syncBatch
	for p := range deployProjects {
		pk := fmt.Sprintf("%s.p%d", d.prefix, p)
		b.Items = append(b.Items, syncItem{Kind: "project", Key: pk, Name: fmt.Sprintf("Load %s project %d", d.prefix, p)})
		for m := range deployModels {
			mk := fmt.Sprintf("%s.m%d", pk, m)
			b.Items = append(b.Items, syncItem{Kind: "model", Key: mk, Parent: pk, Name: fmt.Sprintf("Predict target_%d_%d (binary)", p, m)})
			for v := range deployVersions {
				b.Items = append(b.Items, syncItem{Kind: "model_version", Key: fmt.Sprintf("%s.v%d", mk, v), Parent: mk,
					Name: fmt.Sprintf("Random forest (s1) - v%d", v), Attributes: map[string]any{"active": v == deployVersions-1}})
			}
		}
	}
	var res struct {
		Created int
		Items   []struct{ Key, ID string }
	}
	if err := c.do(ctx, http.MethodPost, "/api/v1/sources/"+deploySource+"/sync", b, &res); err != nil {
		return err
	}
	if res.Created != len(b.Items) {
		return fmt.Errorf("POST /api/v1/sources/%s/sync: created %d, want %d", deploySource, res.Created, len(b.Items))
	}
	ids := map[string]string{}
	for _, it := range res.Items {
		ids[it.Key] = it.ID
	}
	d.versions = nil
	for _, it := range b.Items {
		if it.Kind == "model_version" {
			d.versions = append(d.versions, ids[it.Key])
		}
	}
	for p := range deployProjects {
		for m := range deployGovernedModels {
			id := ids[fmt.Sprintf("%s.p%d.m%d", d.prefix, p, m)]
			body := map[string]any{"govern_parents": true, "govern_children": true}
			if err := c.do(ctx, http.MethodPost, "/api/v1/governable-items/"+id+"/govern", body, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// run checks a random version against a random target.
func (d *deploymentChecker) run(ctx context.Context, c *client, _, _ int) error {
	body := map[string]string{"target": d.targets[rand.IntN(len(d.targets))], "item": d.versions[rand.IntN(len(d.versions))]}
	return c.do(ctx, http.MethodPost, "/api/v1/deployment-checks", body, nil)
}

package main

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"log/slog"

	"assent"
	"assent/sqldb"
)

// demoFiles is the example of the tutorial: targets.json creates the
// deployment targets, sources.json registers the sources, and
// <source>.json is each one's full sync (objects, metric history and
// deployments), a batch that `assent push --source <source>` also takes.
//
//go:embed demo/*.json
var demoFiles embed.FS

// demoTarget is one entry of demo/targets.json.
type demoTarget struct {
	Name string `json:"name"`
	assent.DeploymentTargetUpdate
}

// demoSource is one entry of demo/sources.json.
type demoSource struct {
	ID string `json:"id"`
	assent.SourceUpdate
}

// loadDemo registers the demo's sources and syncs their objects through
// the same services as the API, as the actor "demo". Each batch is a full
// sync, so loading again changes nothing and writes no event.
func loadDemo(ctx context.Context, db *sqldb.DB, logger *slog.Logger) error {
	ctx = assent.NewContextWithUser(ctx, assent.SystemUser("demo"))
	ctx = assent.NewContextWithRequestID(ctx, "demo")
	var targets []demoTarget
	if err := readDemoFile("targets.json", &targets); err != nil {
		return err
	}
	deployments := sqldb.NewDeploymentService(db)
	for _, t := range targets {
		if _, _, err := deployments.PutTarget(ctx, t.Name, t.DeploymentTargetUpdate); err != nil {
			return fmt.Errorf("demo target %s: %w", t.Name, err)
		}
	}
	var sources []demoSource
	if err := readDemoFile("sources.json", &sources); err != nil {
		return err
	}
	sourceService := sqldb.NewSourceService(db)
	syncService := sqldb.NewGovernableService(db, sqldb.NewItemService(db))
	for _, src := range sources {
		var batch assent.SyncBatch
		if err := readDemoFile(src.ID+".json", &batch); err != nil {
			return err
		}
		if _, _, err := sourceService.PutSource(ctx, src.ID, src.SourceUpdate); err != nil {
			return fmt.Errorf("demo source %s: %w", src.ID, err)
		}
		res, err := syncService.Sync(ctx, src.ID, batch)
		if err != nil {
			return fmt.Errorf("demo source %s: %w", src.ID, err)
		}
		logger.Info("loaded the demo", "source", src.ID, "created", res.Created, "updated", res.Updated,
			"unchanged", res.Unchanged, "deleted", res.Deleted, "metric_points", res.Metrics.Added, "deployments", res.Deployments)
	}
	return nil
}

// readDemoFile decodes one embedded file, refusing unknown fields so that
// a typo in the data fails the tests rather than vanishing.
func readDemoFile(name string, v any) error {
	data, err := demoFiles.ReadFile("demo/" + name)
	if err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("demo data %s: %w", name, err)
	}
	return nil
}

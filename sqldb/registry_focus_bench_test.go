package sqldb_test

import (
	"database/sql"
	"fmt"
	"testing"
	"time"

	"assent"
	"assent/sqldb"
	"assent/sqldb/sqldbtest"
)

// focusFleet syncs 1,000 projects × 10 models × 10 versions (100,000
// versions) in batches of 5,000 items, each version with its training AUC
// in the batch, as a platform sends them; then three evaluation runs of
// AUC and data drift for every version through AddMetrics (600,000
// points). It returns the number of metric points stored.
func focusFleet(tb testing.TB, g *governance, metrics *sqldb.MetricService) int {
	tb.Helper()
	const projects, models, versions = 1000, 10, 10
	var items []assent.SyncItem
	var training []assent.MetricPoint
	var ids []string
	stored := 0
	flush := func() {
		res, err := g.governables.Sync(member, "dss", assent.SyncBatch{Items: items, Metrics: training})
		if err != nil {
			tb.Fatal(err)
		}
		if res.Metrics.Added != len(training) {
			tb.Fatalf("sync added %d of %d training points", res.Metrics.Added, len(training))
		}
		stored += len(training)
		isVersion := map[string]bool{}
		for _, pt := range training {
			isVersion[pt.Key] = true
		}
		for _, ref := range res.Items {
			if isVersion[ref.Key] {
				ids = append(ids, ref.ID)
			}
		}
		items, training = items[:0], training[:0]
	}
	for p := range projects {
		pk := fmt.Sprintf("P%04d", p)
		items = append(items, assent.SyncItem{Kind: "project", Key: pk, Name: fmt.Sprintf("Project %04d", p)})
		for m := range models {
			mk := fmt.Sprintf("%s.m%02d", pk, m)
			items = append(items, assent.SyncItem{Kind: "model", Key: mk, Parent: pk, Name: fmt.Sprintf("Model %02d of project %04d", m, p)})
			for v := range versions {
				vk := fmt.Sprintf("%s.v%d", mk, v)
				items = append(items, assent.SyncItem{Kind: "model_version", Key: vk, Parent: mk, Name: fmt.Sprintf("Random forest - v%d", v),
					Attributes: map[string]any{"algorithm": "random_forest", "active": v == versions-1}})
				training = append(training, assent.MetricPoint{Key: vk, Name: "auc", Value: 0.85 + float64(v)/100, Time: benchEpoch, Origin: assent.OriginTraining})
			}
		}
		if len(items) >= 5000 {
			flush()
		}
	}
	if len(items) > 0 {
		flush()
	}
	if len(ids) != projects*models*versions {
		tb.Fatalf("%d versions synced", len(ids))
	}
	var points []assent.MetricPoint
	for run := range 3 {
		at := benchEpoch.AddDate(0, 0, 7*(run+1))
		origin := fmt.Sprintf("eval-%d", run+1)
		for i, id := range ids {
			points = append(points,
				assent.MetricPoint{Item: id, Name: "auc", Value: 0.85 - 0.01*float64(run) + float64(i%10)/100, Time: at, Origin: origin},
				assent.MetricPoint{Item: id, Name: "data_drift", Value: 0.05 * float64(run+1), Time: at, Origin: origin})
			if len(points) == assent.MaxMetricPoints {
				addPoints(tb, metrics, points)
				stored += len(points)
				points = points[:0]
			}
		}
	}
	if len(points) > 0 {
		addPoints(tb, metrics, points)
		stored += len(points)
	}
	return stored
}

// BenchmarkRegistryFocus measures the model registry with the metric to
// focus (AUC: latest value, drift from training, latest data drift) with
// 100,000 versions that all have metrics: the first page, and the 100th
// page through its cursor. On PostgreSQL the tables are vacuumed and
// analyzed after the load, as autovacuum does within a minute or so of a
// bulk load; without statistics the planner reads the new tables blind.
func BenchmarkRegistryFocus(b *testing.B) {
	eachBenchDSN(b, func(b *testing.B, dsn string) {
		db := sqldbtest.Open(b, dsn)
		g := newGovernance(b, db)
		start := time.Now()
		n := focusFleet(b, g, sqldb.NewMetricService(db))
		b.Logf("loaded 111,000 items and %d metric points in %v", n, time.Since(start).Round(time.Millisecond))
		if db.Dialect() == "postgres" {
			analyze(b, dsn, "governable_items, items, signoffs, metric_series")
		}

		cursor := ""
		for range 99 {
			_, next, err := g.registry.FindModels(member, assent.RegistryFilter{Focus: "auc", Cursor: cursor})
			if err != nil {
				b.Fatal(err)
			}
			cursor = next
		}
		check := func(b *testing.B, page []*assent.RegistryModel, err error) {
			if err != nil || len(page) != assent.DefaultPageSize || len(page[0].Versions) != 10 {
				b.Fatalf("%d models, %v", len(page), err)
			}
			f := page[0].Versions[0].Focus
			if f == nil || f.Latest == nil || f.Drift == nil || f.DataDrift == nil || f.Latest.Origin != "eval-3" {
				b.Fatalf("focus %+v", f)
			}
		}
		for _, c := range []struct{ name, cursor string }{{"first-page", ""}, {"page-100", cursor}} {
			b.Run(c.name, func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					page, _, err := g.registry.FindModels(member, assent.RegistryFilter{Focus: "auc", Cursor: c.cursor})
					check(b, page, err)
				}
				b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
			})
		}
	})
}

// eachBenchDSN is eachBenchDB for benchmarks that also need the URL.
func eachBenchDSN(b *testing.B, body func(b *testing.B, dsn string)) {
	b.Run("sqlite", func(b *testing.B) { body(b, sqldbtest.SQLiteURL(b)) })
	b.Run("postgres", func(b *testing.B) { body(b, sqldbtest.PostgresURL(b)) })
}

// analyze vacuums and analyzes tables on PostgreSQL.
func analyze(b *testing.B, dsn string, tables string) {
	conn, err := sql.Open("pgx", dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Exec(`VACUUM (ANALYZE) ` + tables); err != nil {
		b.Fatal(err)
	}
}

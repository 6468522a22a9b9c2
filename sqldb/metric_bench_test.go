package sqldb_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"assent"
	"assent/sqldb"
	"assent/sqldb/sqldbtest"
)

// benchEpoch is where the benchmarks' series start: far enough in the past
// that years of points stay behind the server's clock.
var benchEpoch = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// syncVersions syncs projects × models × versions model versions into
// source, in batches of 5,000 items, parents first, and returns the ids of
// the versions in key order.
func syncVersions(tb testing.TB, g *governance, source string, projects, models, versions int) []string {
	tb.Helper()
	var all []assent.SyncItem
	for p := range projects {
		pk := fmt.Sprintf("%s.P%04d", source, p)
		all = append(all, assent.SyncItem{Kind: "project", Key: pk, Name: fmt.Sprintf("Project %04d", p)})
		for m := range models {
			mk := fmt.Sprintf("%s.m%02d", pk, m)
			all = append(all, assent.SyncItem{Kind: "model", Key: mk, Parent: pk, Name: fmt.Sprintf("Model %02d of project %04d", m, p)})
			for v := range versions {
				all = append(all, assent.SyncItem{Kind: "model_version", Key: fmt.Sprintf("%s.v%d", mk, v), Parent: mk, Name: fmt.Sprintf("Random forest - v%d", v)})
			}
		}
	}
	kinds := map[string]string{}
	for _, it := range all {
		kinds[it.Key] = it.Kind
	}
	var ids []string
	for len(all) > 0 {
		n := min(5000, len(all))
		res, err := g.governables.Sync(member, source, assent.SyncBatch{Items: all[:n]})
		if err != nil {
			tb.Fatal(err)
		}
		for _, ref := range res.Items {
			if kinds[ref.Key] == assent.KindModelVersion {
				ids = append(ids, ref.ID)
			}
		}
		all = all[n:]
	}
	return ids
}

// wave is a metric value that moves slowly, so that buckets differ.
func wave(i int) float64 { return 0.8 + 0.1*math.Sin(float64(i)/977) }

// addPoints stores points through the service and fails unless all are new.
func addPoints(tb testing.TB, metrics *sqldb.MetricService, points []assent.MetricPoint) {
	tb.Helper()
	res, err := metrics.AddMetrics(member, points)
	if err != nil {
		tb.Fatal(err)
	}
	if res.Added != len(points) {
		tb.Fatalf("added %d of %d points: %+v", res.Added, len(points), res)
	}
}

// BenchmarkAddMetrics measures ingest through the store, one transaction
// per batch of 10,000 points, in the shapes of the issue: "series" is 10
// versions × 1,000 consecutive one-minute points of one metric, each
// batch continuing the last (the append path); "sparse" is one point for
// each of 10,000 versions, an evaluation run over a fleet whose series
// exist; "sparse-new" is the same with a new metric name every batch, so
// that each point creates its series.
func BenchmarkAddMetrics(b *testing.B) {
	const batch = assent.MaxMetricPoints
	eachBenchDB(b, func(b *testing.B, db *sqldb.DB) {
		g := newGovernance(b, db)
		metrics := sqldb.NewMetricService(db)
		// 100 projects × 10 models × 10 versions.
		versions := syncVersions(b, g, "dss", 100, 10, 10)
		points := make([]assent.MetricPoint, batch)

		next := 0 // batches sent so far; the next batch continues from there
		b.Run("series", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				for v := range 10 {
					for j := range 1000 {
						k := next*1000 + j
						points[v*1000+j] = assent.MetricPoint{Item: versions[v], Name: "auc", Value: wave(k + v), Time: benchEpoch.Add(time.Duration(k) * time.Minute)}
					}
				}
				next++
				b.StartTimer()
				addPoints(b, metrics, points)
			}
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "points/s")
		})

		// The fleet's first evaluation run creates the series.
		run := 0
		sparse := func(name string) {
			for v := range batch {
				points[v] = assent.MetricPoint{Item: versions[v], Name: name, Value: wave(run + v), Time: benchEpoch.Add(time.Duration(run) * time.Hour), Origin: "nightly"}
			}
			run++
		}
		sparse("accuracy")
		addPoints(b, metrics, points)
		b.Run("sparse", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				sparse("accuracy")
				b.StartTimer()
				addPoints(b, metrics, points)
			}
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "points/s")
		})
		names := 0
		b.Run("sparse-new", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				names++
				sparse(fmt.Sprintf("custom:m%d", names))
				b.StartTimer()
				addPoints(b, metrics, points)
			}
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "points/s")
		})
	})
}

// BenchmarkMetricSeriesRead loads two series of 1,000,000 points each,
// one at one-second spacing (11.6 days) and one at one-minute spacing (1.9
// years), then reads each downsampled to 500 buckets: over the whole range,
// over its middle half, and over one day in the middle. On PostgreSQL the
// tables are vacuumed and analyzed after the load, as autovacuum would be
// (and so that it does not run during the reads).
func BenchmarkMetricSeriesRead(b *testing.B) {
	const total = 1_000_000
	eachBenchDSN(b, func(b *testing.B, dsn string) {
		db := sqldbtest.Open(b, dsn)
		g := newGovernance(b, db)
		metrics := sqldb.NewMetricService(db)
		versions := syncVersions(b, g, "dss", 1, 1, 2)
		for n, spacing := range []time.Duration{time.Second, time.Minute} {
			item := versions[n]
			start := time.Now()
			points := make([]assent.MetricPoint, assent.MaxMetricPoints)
			for done := 0; done < total; done += len(points) {
				for j := range points {
					points[j] = assent.MetricPoint{Item: item, Name: "auc", Value: wave(done + j), Time: benchEpoch.Add(time.Duration(done+j) * spacing)}
				}
				addPoints(b, metrics, points)
			}
			b.Logf("loaded %d points at %v spacing into one series: %.0f points/s", total, spacing, total/time.Since(start).Seconds())
			if db.Dialect() == "postgres" {
				analyze(b, dsn, "metric_series, metric_points, metric_rollups")
			}

			last := benchEpoch.Add((total - 1) * spacing)
			mid := benchEpoch.Add(total / 2 * spacing)
			ranges := []struct {
				name     string
				from, to time.Time
			}{
				{"whole", time.Time{}, time.Time{}},
				{"middle-half", benchEpoch.Add(total / 4 * spacing), benchEpoch.Add(total * 3 / 4 * spacing)},
				{"one-day", mid.Add(-12 * time.Hour), mid.Add(12 * time.Hour)},
			}
			for _, r := range ranges {
				if r.name == "one-day" && spacing == time.Minute {
					continue // 1,440 points: a short read, not the case here
				}
				b.Run(fmt.Sprintf("%v/%s", spacing, r.name), func(b *testing.B) {
					for i := 0; i < b.N; i++ {
						list, err := metrics.FindMetricSeries(member, assent.MetricQuery{Item: item, Name: "auc", From: r.from, To: r.to, Points: 500})
						if err != nil {
							b.Fatal(err)
						}
						s := list[0]
						if len(s.Buckets) == 0 || len(s.Buckets) > 500 || s.Latest.Time != last {
							b.Fatalf("%d buckets, %d points, latest %v", len(s.Buckets), len(s.Points), s.Latest)
						}
					}
					b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
				})
			}
		}
	})
}

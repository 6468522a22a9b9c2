package sqldb_test

import (
	"fmt"
	"testing"

	"assent"
	"assent/sqldb"
)

// fleet is the inventory: 1,000 projects × 10 models × 9 versions
// (101,000 items), in batches of 5,000, parents before children.
func fleet() [][]assent.SyncItem {
	const projects, models, versions, batch = 1000, 10, 9, 5000
	var all []assent.SyncItem
	for p := range projects {
		pk := fmt.Sprintf("P%04d", p)
		all = append(all, assent.SyncItem{Kind: "project", Key: pk, Name: fmt.Sprintf("Project %04d", p)})
		for m := range models {
			mk := fmt.Sprintf("%s.m%02d", pk, m)
			all = append(all, assent.SyncItem{Kind: "model", Key: mk, Parent: pk, Name: fmt.Sprintf("Model %02d of project %04d", m, p)})
			for v := range versions {
				all = append(all, assent.SyncItem{Kind: "model_version", Key: fmt.Sprintf("%s.v%d", mk, v), Parent: mk, Name: fmt.Sprintf("Random forest - v%d", v),
					Attributes: map[string]any{"algorithm": "random_forest", "active": v == versions-1, "auc": 0.8 + float64(v)/100}})
			}
		}
	}
	var out [][]assent.SyncItem
	for len(all) > 0 {
		n := min(batch, len(all))
		out, all = append(out, all[:n]), all[n:]
	}
	return out
}

func syncAll(tb testing.TB, g *governance, source string, batches [][]assent.SyncItem) int {
	n := 0
	for _, items := range batches {
		if _, err := g.governables.Sync(member, source, assent.SyncBatch{Items: items}); err != nil {
			tb.Fatal(err)
		}
		n += len(items)
	}
	return n
}

// BenchmarkSync measures a first sync of 101,000 items into a new source.
func BenchmarkSync(b *testing.B) {
	batches := fleet()
	eachBenchDB(b, func(b *testing.B, db *sqldb.DB) {
		g := newGovernance(b, db)
		items := 0
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			source := fmt.Sprintf("platform-%d", i)
			if _, _, err := sqldb.NewSourceService(db).PutSource(admin, source, assent.SourceUpdate{}); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			items += syncAll(b, g, source, batches)
		}
		b.ReportMetric(float64(items)/b.Elapsed().Seconds(), "items/s")
	})
}

// BenchmarkResync measures syncing the same 101,000 unchanged items again.
func BenchmarkResync(b *testing.B) {
	batches := fleet()
	eachBenchDB(b, func(b *testing.B, db *sqldb.DB) {
		g := newGovernance(b, db)
		syncAll(b, g, "dss", batches)
		items := 0
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			items += syncAll(b, g, "dss", batches)
		}
		b.ReportMetric(float64(items)/b.Elapsed().Seconds(), "items/s")
	})
}

// BenchmarkFleetReads measures the registry's first page and a search by
// name with 90,000 versions in the database.
func BenchmarkFleetReads(b *testing.B) {
	batches := fleet()
	eachBenchDB(b, func(b *testing.B, db *sqldb.DB) {
		g := newGovernance(b, db)
		syncAll(b, g, "dss", batches)
		b.Run("ModelRegistryFirstPage", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				page, _, err := g.registry.FindModels(member, assent.RegistryFilter{})
				if err != nil || len(page) != assent.DefaultPageSize || len(page[0].Versions) != 9 {
					b.Fatalf("%d models, %v", len(page), err)
				}
			}
		})
		b.Run("GovernableSearchByName", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				list, _, err := g.governables.FindGovernableItems(member, assent.GovernableFilter{Q: fmt.Sprintf("model 07 of project %04d", i%1000)})
				if err != nil || len(list) != 1 {
					b.Fatalf("%d found, %v", len(list), err)
				}
			}
		})
	})
}

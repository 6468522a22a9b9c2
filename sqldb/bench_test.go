package sqldb_test

import (
	"fmt"
	"testing"
	"time"

	"assent"
	"assent/sqldb"
	"assent/sqldb/sqldbtest"
	"assent/templates"
)

// eachBenchDB runs body on SQLite, and on PostgreSQL when ASSENT_TEST_POSTGRES_URL is set.
func eachBenchDB(b *testing.B, body func(b *testing.B, db *sqldb.DB)) {
	b.Run("sqlite", func(b *testing.B) { body(b, sqldbtest.Open(b, sqldbtest.SQLiteURL(b))) })
	b.Run("postgres", func(b *testing.B) { body(b, sqldbtest.Open(b, sqldbtest.PostgresURL(b))) })
}

// eventBatchSize is how many events one import transaction appends.
const eventBatchSize = 5000

// benchEvents returns a batch of events shaped like field edits of model versions.
func benchEvents(batch int) []*assent.Event {
	evs := make([]*assent.Event, eventBatchSize)
	for i := range evs {
		id := fmt.Sprintf("mv-%d", batch*eventBatchSize+i)
		evs[i] = &assent.Event{
			Time: time.Now(), Actor: "ada", RequestID: "req-" + id,
			ObjectType: "model_version", ObjectID: id, Action: "item.update",
			Before: []byte(`{"fields":{"review_notes":"Checked the drift report; AUC holds at 0.91."}}`),
			After:  []byte(`{"fields":{"review_notes":"Checked the drift report; AUC holds at 0.91. Approved for staging."}}`),
		}
	}
	return evs
}

func BenchmarkAppendEvents(b *testing.B) {
	eachBenchDB(b, func(b *testing.B, db *sqldb.DB) {
		events := sqldb.NewEventService(db)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := events.AppendEvents(admin, benchEvents(i)); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N*eventBatchSize)/b.Elapsed().Seconds(), "events/s")
	})
}

func BenchmarkSeal(b *testing.B) {
	const perOp = 100_000
	eachBenchDB(b, func(b *testing.B, db *sqldb.DB) {
		events, audit := sqldb.NewEventService(db), sqldb.NewAuditService(db)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			for j := range perOp / eventBatchSize {
				if err := events.AppendEvents(admin, benchEvents(i*perOp/eventBatchSize+j)); err != nil {
					b.Fatal(err)
				}
			}
			b.StartTimer()
			// On PostgreSQL a transaction running anywhere in the cluster holds
			// back what may be sealed, so seal until every event is.
			sealed := 0
			for tries := 0; sealed < perOp && tries < 100; tries++ {
				n, err := audit.Seal(b.Context())
				if err != nil {
					b.Fatal(err)
				}
				sealed += n
			}
			if sealed != perOp {
				b.Fatalf("sealed %d events, want %d", sealed, perOp)
			}
		}
		b.ReportMetric(float64(b.N*perOp)/b.Elapsed().Seconds(), "events/s")
	})
}

// BenchmarkItemUpdate measures field updates with revision checks, one
// item per goroutine, on SQLite.
func BenchmarkItemUpdate(b *testing.B) {
	db := sqldbtest.Open(b, sqldbtest.SQLiteURL(b))
	standard, err := templates.Standard()
	if err != nil {
		b.Fatal(err)
	}
	if err := sqldb.NewTemplateService(db).EnsureBuiltinTemplates(admin, standard); err != nil {
		b.Fatal(err)
	}
	items := sqldb.NewItemService(db)
	ada := as("ada", assent.RoleMember)
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		it, err := items.CreateItem(ada, assent.NewItem{Template: assent.TemplateRef{ID: "standard-project"}, Name: "Load"})
		if err != nil {
			b.Error(err)
			return
		}
		for n := 0; pb.Next(); n++ {
			if it, err = items.UpdateItem(ada, it.ID, assent.ItemUpdate{Revision: &it.Revision, Fields: map[string]any{"progress_notes": fmt.Sprintf("update %d", n)}}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
}

package notify_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"testing"

	"assent"
	"assent/notify"
	"assent/sqldb"
	"assent/sqldb/sqldbtest"
)

// benchDeliveries is the figure: 10,000 deliveries to a local
// receiver in under 10 s.
const benchDeliveries = 10000

// BenchmarkWebhookDeliveries measures the worker delivering 10,000 outbox
// messages, made by one sync batch of 10,000 new items (one
// governable.create event each), to a receiver that checks every
// signature. Making the messages is not timed.
func BenchmarkWebhookDeliveries(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchDeliver(b, sqldbtest.SQLiteURL(b)) })
	b.Run("postgres", func(b *testing.B) { benchDeliver(b, sqldbtest.PostgresURL(b)) })
}

func benchDeliver(b *testing.B, dsn string) {
	db := sqldbtest.Open(b, dsn)
	if _, _, err := sqldb.NewSourceService(db).PutSource(admin, "bench", assent.SourceUpdate{}); err != nil {
		b.Fatal(err)
	}
	r := &receiver{got: map[string]int{}}
	srv := httptest.NewServer(r)
	b.Cleanup(srv.Close)
	hooks := sqldb.NewWebhookService(db)
	hooks.AllowPrivate = true
	// Made after the source, so that every message is one of the sync's.
	_, secret, err := hooks.CreateWebhook(admin, assent.NewWebhook{URL: srv.URL + "/hook", EventTypes: []string{"*"}})
	if err != nil {
		b.Fatal(err)
	}
	r.secret = secret
	governables := sqldb.NewGovernableService(db, sqldb.NewItemService(db))
	w := notify.NewWorker(sqldb.NewOutboxService(db), notify.NewClient(true), slog.New(slog.DiscardHandler))
	w.Batch = 256

	delivered := 0
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		items := make([]assent.SyncItem, benchDeliveries)
		for j := range items {
			items[j] = assent.SyncItem{Kind: assent.KindProject, Key: fmt.Sprintf("P%d-%05d", i, j)}
		}
		res, err := governables.Sync(admin, "bench", assent.SyncBatch{Items: items})
		if err != nil || res.Created != benchDeliveries {
			b.Fatalf("sync: %+v, %v", res, err)
		}
		b.StartTimer()
		for {
			n, err := w.Round(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			if n == 0 {
				break
			}
			delivered += n
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(delivered)/b.Elapsed().Seconds(), "deliveries/s")

	r.mu.Lock()
	defer r.mu.Unlock()
	if want := b.N * benchDeliveries; len(r.got) != want || delivered != want || r.bad != 0 {
		b.Fatalf("%d distinct deliveries received from %d taken, %d bad signatures; want %d", len(r.got), delivered, r.bad, want)
	}
	for id, n := range r.got {
		if n != 1 {
			b.Fatalf("%s received %d times", id, n)
		}
	}
}

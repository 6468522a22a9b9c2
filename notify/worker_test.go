package notify_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"assent"
	"assent/notify"
	"assent/sqldb"
	"assent/sqldb/sqldbtest"
)

var admin = assent.NewContextWithUser(context.Background(), assent.SystemUser("test-admin"))

// receiver is a webhook endpoint that checks signatures and counts what
// it got by delivery id; answer decides each reply.
type receiver struct {
	secret string
	mu     sync.Mutex
	got    map[string]int
	bad    int
	answer func(n int) int // n: how many requests came before
	calls  atomic.Int64
	delay  time.Duration
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	n := int(r.calls.Add(1)) - 1
	body, _ := io.ReadAll(req.Body)
	time.Sleep(r.delay)
	r.mu.Lock()
	defer r.mu.Unlock()
	if !notify.Verify(r.secret, req.Header.Get("webhook-id"), req.Header.Get("webhook-timestamp"), req.Header.Get("webhook-signature"), body) {
		r.bad++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	status := http.StatusOK
	if r.answer != nil {
		status = r.answer(n)
	}
	if status < 300 {
		r.got[req.Header.Get("webhook-id")]++
	}
	w.WriteHeader(status)
}

// setup opens a database with a webhook for source events pointing at a
// new receiver, and returns a worker for it with short waits.
func setup(t *testing.T, dsn string, r *receiver) (*sqldb.DB, *notify.Worker, string) {
	t.Helper()
	db := sqldbtest.Open(t, dsn)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	hooks := sqldb.NewWebhookService(db)
	hooks.AllowPrivate = true
	hook, secret, err := hooks.CreateWebhook(admin, assent.NewWebhook{URL: srv.URL + "/hook", EventTypes: []string{"source.*"}})
	if err != nil {
		t.Fatal(err)
	}
	r.secret, r.got = secret, map[string]int{}
	w := notify.NewWorker(sqldb.NewOutboxService(db), notify.NewClient(true), slog.New(slog.DiscardHandler))
	w.BaseBackoff, w.MaxBackoff, w.Poll, w.Lease = 5*time.Millisecond, 20*time.Millisecond, 5*time.Millisecond, 300*time.Millisecond
	return db, w, hook.ID
}

// announce makes n events the webhook wants.
func announce(t *testing.T, db *sqldb.DB, n int) {
	t.Helper()
	for i := range n {
		if _, _, err := sqldb.NewSourceService(db).PutSource(admin, fmt.Sprintf("src-%d", i), assent.SourceUpdate{}); err != nil {
			t.Fatal(err)
		}
	}
}

// drain runs rounds until the outbox has nothing due for a while.
func drain(t *testing.T, w *notify.Worker) {
	t.Helper()
	idle := 0
	for deadline := time.Now().Add(20 * time.Second); idle < 20; {
		if time.Now().After(deadline) {
			t.Fatal("the outbox did not drain")
		}
		n, err := w.Round(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			idle++
			time.Sleep(10 * time.Millisecond)
		} else {
			idle = 0
		}
	}
}

func TestWebhookRetriedUntilAccepted(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, dsn string) {
		r := &receiver{answer: func(n int) int {
			if n < 2 {
				return http.StatusServiceUnavailable
			}
			return http.StatusOK
		}}
		db, w, hook := setup(t, dsn, r)
		announce(t, db, 1)
		drain(t, w)
		if r.bad != 0 || len(r.got) != 1 || r.calls.Load() != 3 {
			t.Fatalf("bad signatures %d, delivered %v after %d calls; want one id delivered after 3 calls", r.bad, r.got, r.calls.Load())
		}
		deliveries, _, err := sqldb.NewWebhookService(db).FindDeliveries(admin, hook, 10, "")
		if err != nil || len(deliveries) != 1 {
			t.Fatalf("deliveries %v, %v", deliveries, err)
		}
		d := deliveries[0]
		if d.Status != "delivered" || d.Attempts != 3 || len(d.Log) != 3 || d.Log[0].StatusCode != 503 || d.Log[2].StatusCode != 200 || r.got[d.ID] != 1 {
			t.Fatalf("delivery %+v", d)
		}
	})
}

func TestWebhookDisabledAfterFailures(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, dsn string) {
		r := &receiver{answer: func(int) int { return http.StatusInternalServerError }}
		db, w, hook := setup(t, dsn, r)
		if _, err := sqldb.NewUserService(db).CreateUser(admin, assent.NewUser{Username: "root", Role: assent.RoleAdmin, Password: "password-root", Email: "root@example.com"}); err != nil {
			t.Fatal(err)
		}
		w.MaxAttempts, w.FailureLimit = 2, 3
		announce(t, db, 2)
		drain(t, w)
		h, err := sqldb.NewWebhookService(db).FindWebhook(admin, hook)
		if err != nil || h.Enabled || h.ConsecutiveFailures < 3 {
			t.Fatalf("webhook %+v, %v", h, err)
		}
		deliveries, _, _ := sqldb.NewWebhookService(db).FindDeliveries(admin, hook, 10, "")
		// Each failed after its two attempts, or waits, untried, while the
		// webhook is disabled.
		for _, d := range deliveries {
			if !(d.Status == "failed" && d.Attempts == 2 || d.Status == "pending" && d.Attempts < 2) {
				t.Errorf("delivery %+v, want failed after 2 attempts or held", d)
			}
		}
		n, err := w.Round(context.Background())
		if err != nil || n != 0 {
			t.Fatalf("a disabled webhook's messages were taken: %d, %v", n, err)
		}
		evs, _, _ := sqldb.NewEventService(db).FindEvents(admin, assent.EventFilter{Action: "webhook.disable"})
		if len(evs) != 1 {
			t.Fatalf("%d webhook.disable events", len(evs))
		}
		mails, _, err := sqldb.NewWebhookService(db).FindDeliveries(admin, sqldb.EmailDeliveries, 10, "")
		if err != nil || len(mails) != 1 || mails[0].Webhook != "root@example.com" || mails[0].EventType != "webhook.disable" {
			t.Fatalf("the admin was not told: %+v, %v", mails, err)
		}
		// No mailer here: the mail failed for good after its attempts, visible in the log.
		if mails[0].Status != "failed" || len(mails[0].Log) != 2 || !strings.Contains(mails[0].Log[0].Error, "not configured") {
			t.Fatalf("mail delivery %+v", mails[0])
		}
	})
}

func TestCrashedWorkerLosesNothing(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, dsn string) {
		r := &receiver{delay: 20 * time.Millisecond}
		db, w, _ := setup(t, dsn, r)
		announce(t, db, 40)
		w.Batch = 16
		ctx, stop := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { w.Run(ctx); close(done) }()
		time.Sleep(30 * time.Millisecond) // in the middle of the first batch
		stop()
		<-done
		drain(t, w) // a new start, once the leases run out
		time.Sleep(w.Lease)
		drain(t, w)
		if len(r.got) != 40 {
			t.Fatalf("%d of 40 messages delivered", len(r.got))
		}
	})
}

func TestTwoWorkersShareTheOutbox(t *testing.T) {
	dsn := sqldbtest.PostgresURL(t)
	r := &receiver{}
	db, w1, _ := setup(t, dsn, r)
	w1.Lease = time.Minute // no lease runs out: any double delivery is the claim's fault
	w2 := *w1
	announce(t, db, 200)
	var wg sync.WaitGroup
	for _, w := range []*notify.Worker{w1, &w2} {
		wg.Go(func() { drain(t, w) })
	}
	wg.Wait()
	if len(r.got) != 200 {
		t.Fatalf("%d of 200 delivered", len(r.got))
	}
	for id, n := range r.got {
		if n != 1 {
			t.Fatalf("%s delivered %d times by two workers", id, n)
		}
	}
}

func TestPrivateAddressesRefused(t *testing.T) {
	db := sqldbtest.Open(t, sqldbtest.SQLiteURL(t))
	_, _, err := sqldb.NewWebhookService(db).CreateWebhook(admin, assent.NewWebhook{URL: "http://127.0.0.1:9/hook", EventTypes: []string{"*"}})
	if e, ok := err.(*assent.Error); !ok || e.Code != assent.EINVALID || e.Details[0].Location != "url" {
		t.Fatalf("loopback webhook: %v", err)
	}
	// And the client refuses to dial one, whatever the name resolved to.
	_, err = notify.NewClient(false).Get("http://127.0.0.1:9/")
	if err == nil {
		t.Fatal("dialled a loopback address")
	}
}

func TestSilentReceiverTimesOutWithoutPileUp(t *testing.T) {
	hang := make(chan struct{})
	db := sqldbtest.Open(t, sqldbtest.SQLiteURL(t))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	hooks := sqldb.NewWebhookService(db)
	hooks.AllowPrivate = true
	hook, _, err := hooks.CreateWebhook(admin, assent.NewWebhook{URL: srv.URL, EventTypes: []string{"source.*"}})
	if err != nil {
		t.Fatal(err)
	}
	announce(t, db, 20)
	w := notify.NewWorker(sqldb.NewOutboxService(db), notify.NewClient(true), slog.New(slog.DiscardHandler))
	w.Client.Timeout = 100 * time.Millisecond
	before := runtime.NumGoroutine()
	start := time.Now()
	if n, err := w.Round(context.Background()); err != nil || n != 20 {
		t.Fatalf("round: %d, %v", n, err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("a round against a silent receiver took %s", took)
	}
	deliveries, _, _ := hooks.FindDeliveries(admin, hook.ID, 50, "")
	for _, d := range deliveries {
		if d.Status != "pending" || len(d.Log) != 1 || !strings.Contains(d.Log[0].Error, "Timeout") {
			t.Fatalf("delivery %+v: want a timed-out attempt and a retry to come", d)
		}
	}
	close(hang) // the receiver's handlers end; the worker must have left nothing behind
	time.Sleep(300 * time.Millisecond)
	if after := runtime.NumGoroutine(); after > before+10 {
		t.Fatalf("%d goroutines before the round, %d after", before, after)
	}
}

func TestDeletedWebhookGetsNothingAndItsAddressStaysPrivate(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, dsn string) {
		r := &receiver{}
		db, w, hook := setup(t, dsn, r)
		announce(t, db, 3)
		if err := sqldb.NewWebhookService(db).DeleteWebhook(admin, hook); err != nil {
			t.Fatal(err)
		}
		drain(t, w)
		if len(r.got) != 0 {
			t.Fatalf("a deleted webhook got %d messages", len(r.got))
		}
		deliveries, _, _ := sqldb.NewWebhookService(db).FindDeliveries(admin, hook, 10, "")
		for _, d := range deliveries {
			if d.Status != "failed" {
				t.Fatalf("delivery %+v of a deleted webhook", d)
			}
		}
		evs, _, _ := sqldb.NewEventService(db).FindEvents(admin, assent.EventFilter{ObjectType: "webhook"})
		for _, e := range evs {
			if strings.Contains(string(e.Before)+string(e.After), "/hook") {
				t.Fatalf("event %s shows the webhook's path: %s %s", e.Action, e.Before, e.After)
			}
		}
	})
}

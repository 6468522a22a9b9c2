package main

import (
	"context"
	"strings"
	"testing"
	"time"
)

// newTestClient returns a client of f that already holds the fake token.
func newTestClient(t *testing.T, f *fakeServer, clients int) *client {
	t.Helper()
	c, err := newClient(f.URL, clients, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c.token = fakeToken
	return c
}

// meScenario returns the registered "me" scenario.
func meScenario(t *testing.T) scenario {
	t.Helper()
	sc, ok := findScenario("me")
	if !ok {
		t.Fatal(`no "me" scenario`)
	}
	return sc
}

func TestRunLoad(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		f := newFakeServer(t)
		p := plan{clients: 4, duration: 200 * time.Millisecond}
		r := runLoad(context.Background(), newTestClient(t, f, 4), meScenario(t), p)

		if r.requests == 0 {
			t.Fatal("no requests measured")
		}
		// Without a warm-up every request the server saw was measured.
		if got, want := int64(r.requests), f.me.Load(); got != want {
			t.Errorf("requests = %d, server saw %d", got, want)
		}
		if r.errors != 0 || len(r.samples) != 0 {
			t.Errorf("errors = %d %q, want none", r.errors, r.samples)
		}
		if got := len(r.latencies); got != r.requests {
			t.Errorf("latencies = %d, want one per request (%d)", got, r.requests)
		}
		if n := f.badAuth.Load(); n != 0 {
			t.Errorf("%d requests without the Bearer token", n)
		}
	})

	t.Run("ErrorsOn500", func(t *testing.T) {
		f := newFakeServer(t)
		f.failEvery.Store(4)
		p := plan{clients: 3, duration: 200 * time.Millisecond}
		r := runLoad(context.Background(), newTestClient(t, f, 3), meScenario(t), p)

		if got, want := int64(r.errors), f.failed.Load(); got == 0 || got != want {
			t.Errorf("errors = %d, server answered 500 %d times", got, want)
		}
		if got, want := len(r.latencies), r.requests-r.errors; got != want {
			t.Errorf("latencies = %d, want one per success (%d)", got, want)
		}
		// Every 500 is of one kind, so one sample however many failed.
		if len(r.samples) != 1 || !strings.Contains(r.samples[0], "GET /api/v1/me: 500 Internal Server Error: Internal error") {
			t.Errorf("samples = %q", r.samples)
		}
		if s := summarize("me", p, r); s.ok() {
			t.Errorf("summary ok with %d errors in %d requests", s.Errors, s.Requests)
		}
	})

	t.Run("StopsAfterDuration", func(t *testing.T) {
		f := newFakeServer(t)
		p := plan{clients: 8, warmup: 100 * time.Millisecond, duration: 300 * time.Millisecond}
		start := time.Now()
		r := runLoad(context.Background(), newTestClient(t, f, 8), meScenario(t), p)
		took := time.Since(start)

		if took < p.warmup+p.duration || took > p.warmup+p.duration+2*time.Second {
			t.Errorf("run took %v, want about %v", took, p.warmup+p.duration)
		}
		if r.elapsed < p.duration {
			t.Errorf("elapsed = %v, want at least %v", r.elapsed, p.duration)
		}
		// The warm-up's requests reached the server but were not counted.
		if got, saw := int64(r.requests), f.me.Load(); got == 0 || got >= saw {
			t.Errorf("measured %d of the %d requests the server saw", got, saw)
		}
	})

	t.Run("StopsAtMaxRequests", func(t *testing.T) {
		f := newFakeServer(t)
		p := plan{clients: 5, duration: time.Minute, maxRequests: 50}
		start := time.Now()
		r := runLoad(context.Background(), newTestClient(t, f, 5), meScenario(t), p)

		if r.requests != 50 || f.me.Load() != 50 {
			t.Errorf("requests = %d, server saw %d, want 50", r.requests, f.me.Load())
		}
		if took := time.Since(start); took > 10*time.Second {
			t.Errorf("run took %v, should have stopped at 50 requests", took)
		}
	})

	t.Run("StopsOnCancel", func(t *testing.T) {
		f := newFakeServer(t)
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		p := plan{clients: 4, duration: time.Minute}
		start := time.Now()
		r := runLoad(ctx, newTestClient(t, f, 4), meScenario(t), p)

		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("run took %v after cancel", took)
		}
		if r.errors != 0 {
			t.Errorf("errors = %d %q; requests cut by the cancel are not the server's fault", r.errors, r.samples)
		}
	})
}

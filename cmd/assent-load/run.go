package main

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// maxErrorSamples is how many distinct errors a run keeps to print.
const maxErrorSamples = 5

// plan says how hard and how long to load the server.
type plan struct {
	clients     int           // concurrent workers, each with one request in flight
	warmup      time.Duration // run but not measured, so pools and caches fill first
	duration    time.Duration // measured time
	maxRequests int           // stop after this many measured requests; 0 for no bound
}

// result is what a run measured. Only requests started after the warm-up
// count.
type result struct {
	requests  int             // measured requests, failed ones included
	errors    int             // measured requests that failed
	latencies []time.Duration // of the measured requests that succeeded
	elapsed   time.Duration   // from the end of the warm-up until the last worker stopped
	samples   []string        // the first few distinct errors
}

// workerResult is one worker's share of a result, kept apart so that workers
// never contend on a lock for the common case of a success.
type workerResult struct {
	requests, errors int
	latencies        []time.Duration
}

// runLoad runs sc with p.clients workers until p.duration has passed after the
// warm-up, p.maxRequests measured requests have been started, or ctx is
// cancelled. Workers stop starting requests at the deadline and let the one
// in flight finish (the client's timeout bounds it), so the run ends by
// itself and no request is cut short and miscounted as an error.
func runLoad(ctx context.Context, c *client, sc scenario, p plan) result {
	start := time.Now()
	measureFrom := start.Add(p.warmup)
	stopAt := measureFrom.Add(p.duration)

	var started atomic.Int64 // measured requests started, for maxRequests
	errs := newErrorSet(maxErrorSamples)
	parts := make([]workerResult, p.clients)
	var wg sync.WaitGroup
	for w := range p.clients {
		wg.Go(func() {
			parts[w] = work(ctx, c, sc, w, p, measureFrom, stopAt, &started, errs)
		})
	}
	wg.Wait()

	var r result
	r.elapsed = max(time.Since(measureFrom), 0) // negative if cancelled during the warm-up
	for _, part := range parts {
		r.requests += part.requests
		r.errors += part.errors
		r.latencies = append(r.latencies, part.latencies...)
	}
	r.samples = errs.list // no worker is left to add to it
	return r
}

// work is one worker's loop: one request at a time, timed from just before
// the call to just after the response body has been read.
func work(ctx context.Context, c *client, sc scenario, w int, p plan,
	measureFrom, stopAt time.Time, started *atomic.Int64, errs *errorSet) workerResult {
	var r workerResult
	for i := 0; ctx.Err() == nil; i++ {
		t0 := time.Now()
		if !t0.Before(stopAt) {
			break
		}
		measured := !t0.Before(measureFrom)
		if measured && p.maxRequests > 0 && started.Add(1) > int64(p.maxRequests) {
			break
		}
		err := sc.run(ctx, c, w, i)
		d := time.Since(t0)
		switch {
		case !measured:
		case err != nil && ctx.Err() != nil:
			// Interrupted by the user: the server is not at fault.
		case err != nil:
			r.requests++
			r.errors++
			errs.add(err)
		default:
			r.requests++
			r.latencies = append(r.latencies, d)
		}
	}
	return r
}

package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"time"
)

// maxErrorRate is the share of failed requests above which a run fails.
const maxErrorRate = 0.01

// summary is the outcome of a run, printed as text and, with --json, as one
// JSON object. Latencies are in milliseconds to keep the JSON plain numbers.
type summary struct {
	Scenario     string   `json:"scenario"`
	Clients      int      `json:"clients"`
	DurationSec  float64  `json:"duration_s"` // as asked
	WarmupSec    float64  `json:"warmup_s"`
	MaxRequests  int      `json:"max_requests,omitempty"`
	MeasuredSec  float64  `json:"measured_s"` // as it took
	Requests     int      `json:"requests"`
	Errors       int      `json:"errors"`
	Throughput   float64  `json:"throughput_rps"`
	P50ms        float64  `json:"p50_ms"`
	P90ms        float64  `json:"p90_ms"`
	P99ms        float64  `json:"p99_ms"`
	Maxms        float64  `json:"max_ms"`
	ErrorSamples []string `json:"error_samples,omitempty"`
}

// summarize computes throughput and percentiles. Both cover successful
// requests only, so that a server failing fast does not look fast. It sorts
// r.latencies in place rather than copy what may be millions of values.
func summarize(name string, p plan, r result) summary {
	lat := r.latencies
	slices.Sort(lat)
	s := summary{
		Scenario:     name,
		Clients:      p.clients,
		DurationSec:  p.duration.Seconds(),
		WarmupSec:    p.warmup.Seconds(),
		MaxRequests:  p.maxRequests,
		MeasuredSec:  r.elapsed.Seconds(),
		Requests:     r.requests,
		Errors:       r.errors,
		P50ms:        ms(percentile(lat, 50)),
		P90ms:        ms(percentile(lat, 90)),
		P99ms:        ms(percentile(lat, 99)),
		Maxms:        ms(percentile(lat, 100)),
		ErrorSamples: r.samples,
	}
	if r.elapsed > 0 {
		s.Throughput = float64(len(lat)) / r.elapsed.Seconds()
	}
	return s
}

// percentile returns the nearest-rank p-th percentile of sorted: the
// smallest value that at least p% of the values do not exceed. Unlike
// interpolation it always names a latency that was observed.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// ms converts d to fractional milliseconds.
func ms(d time.Duration) float64 {
	return float64(d) / float64(time.Millisecond)
}

// ok reports whether the run passes: something was measured and at most 1%
// of it failed.
func (s summary) ok() bool {
	return s.Requests > 0 && float64(s.Errors) <= maxErrorRate*float64(s.Requests)
}

// writeHeader prints what is about to run, before the results take a while.
func writeHeader(w io.Writer, name string, p plan) {
	bound := p.duration.String()
	if p.maxRequests > 0 {
		bound += fmt.Sprintf(" or %d requests", p.maxRequests)
	}
	warm := fmt.Sprintf("after %s warm-up", p.warmup)
	if p.warmup == 0 {
		warm = "no warm-up"
	}
	fmt.Fprintf(w, "scenario %s: %d clients, %s (%s)\n", name, p.clients, bound, warm)
}

// writeText prints the results for a person.
func (s summary) writeText(w io.Writer) {
	fmt.Fprintf(w, "requests %d  errors %d  throughput %.1f req/s\n", s.Requests, s.Errors, s.Throughput)
	if s.Requests > s.Errors {
		fmt.Fprintf(w, "latency p50 %s  p90 %s  p99 %s  max %s\n",
			fmtMs(s.P50ms), fmtMs(s.P90ms), fmtMs(s.P99ms), fmtMs(s.Maxms))
	} else {
		fmt.Fprintln(w, "latency: no request succeeded")
	}
	if len(s.ErrorSamples) > 0 {
		fmt.Fprintf(w, "first distinct errors:\n")
		for _, e := range s.ErrorSamples {
			fmt.Fprintf(w, "  %s\n", e)
		}
	}
}

// fmtMs shows a latency with the unit that keeps a useful digit: loopback
// requests often take well under a millisecond.
func fmtMs(v float64) string {
	switch {
	case v < 1:
		return fmt.Sprintf("%.0fµs", v*1000)
	case v < 1000:
		return fmt.Sprintf("%.1fms", v)
	default:
		return fmt.Sprintf("%.2fs", v/1000)
	}
}

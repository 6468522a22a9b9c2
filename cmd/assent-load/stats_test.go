package main

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	// 1ms..100ms in random order: the nearest-rank pth percentile is p ms.
	var lat []time.Duration
	for i := 1; i <= 100; i++ {
		lat = append(lat, time.Duration(i)*time.Millisecond)
	}
	rand.Shuffle(len(lat), func(i, j int) { lat[i], lat[j] = lat[j], lat[i] })
	p := plan{clients: 1, duration: 2 * time.Second}
	s := summarize("me", p, result{requests: 101, errors: 1, latencies: lat, elapsed: 2 * time.Second})

	for _, tt := range []struct {
		name      string
		got, want float64
	}{
		{"p50", s.P50ms, 50},
		{"p90", s.P90ms, 90},
		{"p99", s.P99ms, 99},
		{"max", s.Maxms, 100},
		{"throughput", s.Throughput, 50}, // 100 successes in 2s; the error does not count
	} {
		if tt.got != tt.want {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	if !s.ok() {
		t.Errorf("1 error in 101 requests should pass")
	}

	t.Run("Small", func(t *testing.T) {
		one := []time.Duration{7}
		for _, q := range []float64{0, 50, 99, 100} {
			if got := percentile(one, q); got != 7 {
				t.Errorf("percentile([7], %v) = %v", q, got)
			}
		}
		if got := percentile(nil, 50); got != 0 {
			t.Errorf("percentile(nil) = %v, want 0", got)
		}
		two := []time.Duration{1, 2}
		if got := percentile(two, 50); got != 1 {
			t.Errorf("p50 of [1 2] = %v, want 1", got)
		}
		if got := percentile(two, 51); got != 2 {
			t.Errorf("p51 of [1 2] = %v, want 2", got)
		}
	})
}

func TestSummaryOK(t *testing.T) {
	for _, tt := range []struct {
		name             string
		requests, errors int
		want             bool
	}{
		{"OK", 100, 0, true},
		{"OKAtOnePercent", 100, 1, true},
		{"ErrTooManyErrors", 100, 2, false},
		{"ErrNothingMeasured", 0, 0, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := summary{Requests: tt.requests, Errors: tt.errors}
			if got := s.ok(); got != tt.want {
				t.Errorf("ok() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFmtMs(t *testing.T) {
	for v, want := range map[float64]string{0.085: "85µs", 1.234: "1.2ms", 20.06: "20.1ms", 1500: "1.50s"} {
		if got := fmtMs(v); got != want {
			t.Errorf("fmtMs(%v) = %q, want %q", v, got, want)
		}
	}
}

package main

import (
	"context"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"assent/sqldb/sqldbtest"
)

// BenchmarkServeReady measures the time from starting `assent serve` on an
// existing database to the server listening with migrations checked.
func BenchmarkServeReady(b *testing.B) {
	for _, kind := range []string{"sqlite", "postgres"} {
		b.Run(kind, func(b *testing.B) {
			flags := []string{"--data-dir", filepath.Join(b.TempDir(), "data"), "--log-level", "error"}
			if kind == "postgres" {
				flags = append(flags, "--database-url", sqldbtest.PostgresURL(b))
			}
			b.Setenv("ASSENT_ADMIN_PASSWORD", "bench-admin-password")
			start := func() func() {
				ctx, cancel := context.WithCancel(context.Background())
				ready, done := make(chan struct{}), make(chan error, 1)
				m := &Main{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard, OnListen: func(string) { close(ready) }}
				go func() {
					done <- m.Run(ctx, slices.Concat([]string{"assent"}, flags, []string{"serve", "--addr", "127.0.0.1:0"}))
				}()
				select {
				case <-ready:
				case err := <-done:
					b.Fatal(err)
				}
				return func() { cancel(); <-done }
			}
			start()() // the first start creates the database and the admin
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				stop := start()
				b.StopTimer()
				stop()
				b.StartTimer()
			}
		})
	}
}

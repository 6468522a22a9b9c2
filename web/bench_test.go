package web_test

import (
	"io"
	"net/http"
	"testing"

	"assent/sqldb/sqldbtest"
)

// BenchmarkMe measures an authenticated GET /api/v1/me through the whole
// stack (HTTP, token lookup, huma, JSON) on SQLite, with parallel clients.
func BenchmarkMe(b *testing.B) {
	e := newEnv(b, sqldbtest.SQLiteURL(b))
	benchGet(b, e.srv.URL+"/api/v1/me", e.tokens[viewer])
}

func benchGet(b *testing.B, url, token string) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("GET", url, nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
}

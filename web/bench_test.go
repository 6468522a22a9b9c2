package web_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
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

// BenchmarkTimelinePage measures the server time of the Timeline page with
// 50 events on SQLite: the handler called directly, without the network.
func BenchmarkTimelinePage(b *testing.B) {
	e := newEnv(b, sqldbtest.SQLiteURL(b))
	for i := range 60 {
		body := fmt.Sprintf(`{"username":"user%d","role":"viewer","display_name":"User %d","email":"u%d@example.com"}`, i, i, i)
		if status, resp := e.do(admin, "POST", "/api/v1/users", body); status != 201 {
			b.Fatalf("%d %s", status, resp)
		}
	}
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	resp, err := client.PostForm(e.srv.URL+"/login", url.Values{"username": {"admin"}, "password": {"password-admin"}})
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	u, _ := url.Parse(e.srv.URL)
	cookies := jar.Cookies(u)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest("GET", "/timeline", nil)
		for _, c := range cookies {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		e.server.ServeHTTP(rec, req)
		if rec.Code != 200 || strings.Count(rec.Body.String(), "<tr>") < 50 {
			b.Fatalf("status %d, %d rows", rec.Code, strings.Count(rec.Body.String(), "<tr>"))
		}
	}
}

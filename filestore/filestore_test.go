package filestore

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

// TestDeleteKeepsReusedContent: a sweep deletes a content stored before its
// cutoff, unless a Put reused it since; a Put after a delete stores it anew.
func TestDeleteKeepsReusedContent(t *testing.T) {
	ctx := context.Background()
	s, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	put := func() string {
		sha, _, err := s.Put(ctx, strings.NewReader("model card"), 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		return sha
	}
	sha := put()
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(s.path(sha), old, old); err != nil {
		t.Fatal(err)
	}
	cutoff := time.Now().Add(-time.Minute)
	put() // reused: fresh again
	if err := s.Delete(ctx, sha, cutoff); err != nil {
		t.Fatal(err)
	}
	read := func() string {
		f, err := s.Open(ctx, sha)
		if err != nil {
			return err.Error()
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		return string(b)
	}
	if got := read(); got != "model card" {
		t.Fatalf("a reused content was deleted: %s", got)
	}
	if err := os.Chtimes(s.path(sha), old, old); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, sha, cutoff); err != nil {
		t.Fatal(err)
	}
	if got := read(); !strings.Contains(got, "missing") {
		t.Fatalf("an old content was kept: %q", got)
	}
	put()
	if got := read(); got != "model card" {
		t.Fatalf("after a delete, Put did not store the content again: %s", got)
	}
	if entries, _ := os.ReadDir(s.dir + "/tmp"); len(entries) != 0 {
		t.Fatalf("left in tmp: %v", entries)
	}
}

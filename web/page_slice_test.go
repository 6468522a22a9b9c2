package web

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"assent"
)

func TestPageOf(t *testing.T) {
	all := []string{"a", "b", "c", "d", "e"}
	id := func(s string) string { return s }
	var walked []string
	cursor := ""
	for range 10 {
		page, next, err := pageOf(all, id, 2, cursor)
		if err != nil {
			t.Fatal(err)
		}
		walked = append(walked, page...)
		if next == "" {
			break
		}
		cursor = next
	}
	if diff := cmp.Diff(all, walked); diff != "" {
		t.Fatal(diff)
	}
	if _, _, err := pageOf(all, id, 2, "!!"); assent.ErrorCode(err) != assent.EINVALID {
		t.Fatalf("bad cursor: %v", err)
	}
}

package web

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"assent"
)

// TestFormRoundTrip: what the edit form shows of a value reads back as the
// same value when saved unchanged.
func TestFormRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		f assent.FieldDef
		v any
	}{
		{assent.FieldDef{ID: "notes", Type: assent.FieldText}, "line one\nline two"},
		{assent.FieldDef{ID: "tags", Type: assent.FieldText, List: true}, []any{"a, with comma", "b"}},
		{assent.FieldDef{ID: "score", Type: assent.FieldNumber}, 0.25},
		{assent.FieldDef{ID: "ok", Type: assent.FieldBoolean}, true},
		{assent.FieldDef{ID: "rating", Type: assent.FieldCategory, Options: []string{"Low", "High"}}, "High"},
		{assent.FieldDef{ID: "day", Type: assent.FieldDate}, "2026-11-28"},
		{assent.FieldDef{ID: "people", Type: assent.FieldPrincipals}, []any{"ada", "group:risk"}},
		{assent.FieldDef{ID: "extra", Type: assent.FieldJSON}, map[string]any{"n": 1.0}},
	} {
		form := url.Values{"f_" + tc.f.ID: {formText(&tc.f, tc.v)}}
		r := httptest.NewRequest("POST", "/", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.ParseForm()
		got, _, err := formValue(&tc.f, r)
		if err != nil {
			t.Fatalf("%s: %v", tc.f.ID, err)
		}
		if diff := cmp.Diff(tc.v, got); diff != "" {
			t.Errorf("%s round trip (-want +got):\n%s", tc.f.ID, diff)
		}
	}
}

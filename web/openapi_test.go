package web_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"assent/sqldb/sqldbtest"
)

// TestOpenAPIValid loads the served description and validates it, in the
// 3.1 form served at openapi.json and the 3.0 form for older tools.
func TestOpenAPIValid(t *testing.T) {
	e := newEnv(t, sqldbtest.SQLiteURL(t))
	for _, path := range []string{"/api/v1/openapi.json", "/api/v1/openapi-3.0.json"} {
		status, body := e.do(anonymous, "GET", path, "")
		if status != http.StatusOK {
			t.Fatalf("%s: status %d", path, status)
		}
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData([]byte(body))
		if err != nil {
			t.Fatalf("%s: load: %v", path, err)
		}
		if err := doc.Validate(context.Background()); err != nil {
			t.Fatalf("%s: invalid: %v", path, err)
		}
		for _, p := range []string{"/me", "/users", "/users/{username}", "/groups/{name}/members", "/timeline", "/auth/tokens", "/tokens/{id}"} {
			if doc.Paths.Find(p) == nil {
				t.Errorf("%s: no path %s", path, p)
			}
		}
	}
}

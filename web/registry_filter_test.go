package web_test

import (
	"strings"
	"testing"

	"assent/sqldb/sqldbtest"
)

func TestRegistryFiltersOnSignoffState(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		if status, body := e.do(admin, "PUT", "/api/v1/sources/dss", `{}`); status != 201 {
			t.Fatalf("source: %d %s", status, body)
		}
		if status, body := e.do(member, "POST", "/api/v1/sources/dss/sync", tutorialSync); status != 200 {
			t.Fatalf("sync: %d %s", status, body)
		}
		var list struct{ Items []struct{ ID string } }
		_, body := e.do(viewer, "GET", "/api/v1/governable-items?key=GT.m.v2", "")
		decode(t, body, &list)
		if status, body := e.do(member, "POST", "/api/v1/governable-items/"+list.Items[0].ID+"/govern", `{"govern_parents":true}`); status != 201 {
			t.Fatalf("govern: %d %s", status, body)
		}
		b := e.browser(t)
		b.signIn("viewer")
		for state, shown := range map[string]bool{"NOT_STARTED": true, "APPROVED": false, "": true} {
			resp, page := b.do("GET", "/model-registry?signoff="+state, nil)
			if resp.StatusCode != 200 || strings.Contains(page, "Predict authorized_flag (binary)") != shown {
				t.Errorf("signoff=%s: %d, model shown %v, want %v", state, resp.StatusCode, !shown, shown)
			}
		}
		if _, page := b.do("GET", "/model-registry", nil); !strings.Contains(page, `<option value="APPROVED">Approved</option>`) {
			t.Error("the registry offers no sign-off filter")
		}
	})
}

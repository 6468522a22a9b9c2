package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"assent/sqldb/sqldbtest"
)

func TestMetricsAndDeploymentsAPI(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		e.do(admin, "PUT", "/api/v1/sources/design-node", `{"display_name":"Design node"}`)
		withMetrics := strings.TrimSuffix(tutorialSync, "]}") + `],
			"metrics":[{"key":"GT.m.v2","name":"auc","value":0.91,"time":"2026-06-01T00:00:00Z","origin":"training"},
			           {"key":"GT.m.v2","name":"auc","value":0.85,"time":"2026-07-01T00:00:00Z","origin":"eval-1"}]}`
		status, body := e.do(member, "POST", "/api/v1/sources/design-node/sync", withMetrics)
		if status != 200 || !strings.Contains(body, `"metrics":{"added":2`) {
			t.Fatalf("sync with metrics: %d %s", status, body)
		}
		var items struct{ Items []struct{ ID, Key string } }
		_, body = e.do(viewer, "GET", "/api/v1/governable-items?key=GT.m.v2", "")
		decode(t, body, &items)
		v2 := items.Items[0].ID
		_, body = e.do(viewer, "GET", "/api/v1/governable-items?key=GT.m", "")
		decode(t, body, &items)
		model := items.Items[0].ID

		t.Run("Metrics", func(t *testing.T) {
			point := func(item, value, tm string) string {
				return fmt.Sprintf(`{"item":%q,"name":"auc","value":%s,"time":%q,"origin":"eval-2"}`, item, value, tm)
			}
			good := point(v2, "0.80", "2026-08-01T00:00:00Z")
			if status, body := e.do(viewer, "POST", "/api/v1/metrics", `{"points":[`+good+`]}`); status != 403 {
				t.Fatalf("viewer sends metrics: %d %s", status, body)
			}
			if status, body := e.do(member, "POST", "/api/v1/metrics", `{"points":[`+good+`]}`); status != 200 || !strings.Contains(body, `{"added":1,"corrected":0,"unchanged":0}`) {
				t.Fatalf("add: %d %s", status, body)
			}
			if status, body := e.do(member, "POST", "/api/v1/metrics", `{"points":[`+good+`]}`); status != 200 || !strings.Contains(body, `"unchanged":1`) {
				t.Fatalf("add again: %d %s", status, body)
			}
			future := time.Now().Add(72 * time.Hour).UTC().Format(time.RFC3339)
			bad := `{"points":[` + strings.Join([]string{good, point("gi_nope", "1", "2026-08-01T00:00:00Z"), point(v2, "1e400", "2026-08-01T00:00:00Z"),
				point(v2, "0.5", future), point(model, "0.5", "2026-08-01T00:00:00Z")}, ",") + `]}`
			status, body := e.do(member, "POST", "/api/v1/metrics", bad)
			for _, loc := range []string{"points[1].item", "points[2].value", "points[3].time", "points[4].item"} {
				if status != 422 || !strings.Contains(body, `"location":"`+loc+`"`) {
					t.Fatalf("bad points: %d; want %s in %s", status, loc, body)
				}
			}
			// What JSON cannot read is named too, not refused as a whole body.
			unread := `{"points":[` + good + `,{"item":"` + v2 + `","name":"auc","time":"yesterday"},{"item":"` + v2 + `","name":"auc","time":"2026-08-01T00:00:00Z"},` +
				`{"item":"` + v2 + `","name":"auc","value":"high","time":"2026-08-01T00:00:00Z"}]}`
			status, body = e.do(member, "POST", "/api/v1/metrics", unread)
			for _, loc := range []string{"points[1].value", "points[2].value", "points[3].value"} {
				if status != 422 || !strings.Contains(body, `"location":"`+loc+`"`) {
					t.Fatalf("unreadable points: %d; want %s in %s", status, loc, body)
				}
			}
			status, body = e.do(member, "POST", "/api/v1/metrics", `{"points":[{"item":"`+v2+`","name":"auc","value":1,"time":"yesterday"}]}`)
			if status != 422 || !strings.Contains(body, `"location":"points[0].time"`) {
				t.Fatalf("a time that is not RFC 3339: %d %s", status, body)
			}
			var many strings.Builder
			many.WriteString(`{"points":[`)
			for i := range 10001 {
				if i > 0 {
					many.WriteByte(',')
				}
				many.WriteString(point(v2, "0.5", time.Date(2026, 1, 1, 0, 0, i, 0, time.UTC).Format(time.RFC3339)))
			}
			many.WriteString(`]}`)
			if status, body := e.do(member, "POST", "/api/v1/metrics", many.String()); status != http.StatusRequestEntityTooLarge || !strings.Contains(body, `"location":"points"`) {
				t.Fatalf("too many points: %d %.300s", status, body)
			}

			var out struct {
				Series []struct {
					Name, Label string
					Drift       *float64
					Points      []struct{ Value float64 }
				}
			}
			status, body = e.do(viewer, "GET", "/api/v1/governable-items/"+v2+"/metrics?name=auc", "")
			decode(t, body, &out)
			if status != 200 || len(out.Series) != 1 || out.Series[0].Label != "ROC AUC" || len(out.Series[0].Points) != 3 || out.Series[0].Drift == nil {
				t.Fatalf("series: %d %s", status, body)
			}
			for _, q := range []string{"points=0", "points=10001", "from=2026-09-01T00:00:00Z&to=2026-08-01T00:00:00Z"} {
				if status, body := e.do(viewer, "GET", "/api/v1/governable-items/"+v2+"/metrics?"+q, ""); status != 422 {
					t.Fatalf("%s: %d %s", q, status, body)
				}
			}
			if status, _ := e.do(viewer, "GET", "/api/v1/governable-items/gi_nope/metrics", ""); status != 404 {
				t.Fatalf("unknown item: %d", status)
			}
			status, body = e.do(viewer, "GET", "/api/v1/model-registry?focus=auc", "")
			if status != 200 || !strings.Contains(body, `"focus":{"name":"auc","label":"ROC AUC","latest":{"time":"2026-08-01T00:00:00Z","value":0.8`) {
				t.Fatalf("registry focus: %d %s", status, body)
			}
		})
		t.Run("Deployments", func(t *testing.T) {
			if status, body := e.do(member, "PUT", "/api/v1/deployment-targets/prod", `{"stage":"prod","policy":"PREVENT"}`); status != 403 {
				t.Fatalf("member puts a target: %d %s", status, body)
			}
			if status, body := e.do(admin, "PUT", "/api/v1/deployment-targets/prod", `{"stage":"prod","policy":"MAYBE"}`); status != 422 || !strings.Contains(body, `"location":"policy"`) {
				t.Fatalf("bad policy: %d %s", status, body)
			}
			if status, body := e.do(admin, "PUT", "/api/v1/deployment-targets/prod", `{"stage":"prod","policy":"PREVENT"}`); status != 201 || !strings.Contains(body, `"policy":"PREVENT"`) {
				t.Fatalf("put target: %d %s", status, body)
			}
			status, body := e.do(viewer, "POST", "/api/v1/deployment-checks", `{"target":"prod","source":"design-node","key":"GT.m.v2"}`)
			if status != 200 || !strings.Contains(body, `"decision":"block"`) || !strings.Contains(body, `"code":"NOT_GOVERNED"`) {
				t.Fatalf("check: %d %s", status, body)
			}
			if status, body := e.do(viewer, "POST", "/api/v1/deployment-checks", `{"target":"moon","item":"`+v2+`"}`); status != 404 {
				t.Fatalf("unknown target: %d %s", status, body)
			}
			if status, body := e.do(member, "POST", "/api/v1/deployments", `{"item":"`+v2+`","target":"prod","time":"2026-11-01T10:00:00Z"}`); status != 201 || !strings.Contains(body, `"status":"deployed"`) {
				t.Fatalf("record: %d %s", status, body)
			}
			if status, body := e.do(member, "POST", "/api/v1/deployments", `{"item":"`+v2+`","target":"prod","time":"2026-11-01T10:00:00Z"}`); status != 200 || !strings.Contains(body, `"status":"deployed"`) {
				t.Fatalf("the same record again: %d %s", status, body)
			}
			if status, body := e.do(member, "POST", "/api/v1/deployments", `{"item":"`+v2+`"}`); status != 422 || !strings.Contains(body, `"location":"target"`) {
				t.Fatalf("no target: %d %s", status, body)
			}
			if status, body := e.do(member, "POST", "/api/v1/deployments", `{"item":"`+v2+`","target":"prod","status":"gone"}`); status != 422 {
				t.Fatalf("bad status: %d %s", status, body)
			}
			status, body = e.do(viewer, "GET", "/api/v1/governable-items/"+v2+"/deployments", "")
			if status != 200 || !strings.Contains(body, `"count":1`) || !strings.Contains(body, `"decision":"block"`) {
				t.Fatalf("item deployments: %d %s", status, body)
			}
		})
	})
}

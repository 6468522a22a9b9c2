package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"assent"
	"assent/sqldb"
	"assent/sqldb/sqldbtest"
)

// countEvents counts every event of the audit trail, page by page.
func countEvents(t *testing.T, db *sqldb.DB) int {
	t.Helper()
	ctx := assent.NewContextWithUser(context.Background(), assent.SystemUser("test"))
	n, cursor := 0, ""
	for {
		page, next, err := sqldb.NewEventService(db).FindEvents(ctx, assent.EventFilter{Limit: assent.MaxPageSize, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		n += len(page)
		if next == "" {
			return n
		}
		cursor = next
	}
}

func TestLoadDemo(t *testing.T) {
	sqldbtest.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		var logs bytes.Buffer
		logger := slog.New(slog.NewTextHandler(&logs, nil))
		if err := loadDemo(context.Background(), db, logger); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(logs.String(), "created=15 updated=0 unchanged=0 deleted=0 metric_points=323 deployments=4") {
			t.Fatalf("first load:\n%s", logs.String())
		}
		events := countEvents(t, db)
		// 3 targets, the source, 15 items, the metric history of 7 versions
		// and 4 deployments.
		if events != 30 {
			t.Errorf("first load wrote %d events, want 30", events)
		}

		ctx := assent.NewContextWithUser(context.Background(), assent.SystemUser("test"))
		src, err := sqldb.NewSourceService(db).FindSource(ctx, "design-node")
		if err != nil || src.DisplayName != "Design node" || src.LinkTemplate != "https://dss.example.com/projects/{project_key}/" {
			t.Fatalf("source: %+v, %v", src, err)
		}
		govs := sqldb.NewGovernableService(db, sqldb.NewItemService(db))
		items, _, err := govs.FindGovernableItems(ctx, assent.GovernableFilter{Source: "design-node", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		byKey := map[string]*assent.GovernableItem{}
		kinds := map[string]int{}
		for _, it := range items {
			byKey[it.Key] = it
			kinds[it.Kind]++
		}
		if want := map[string]int{"project": 2, "bundle": 3, "model": 3, "model_version": 7}; !equalCounts(kinds, want) {
			t.Errorf("kinds = %v, want %v", kinds, want)
		}
		project, model := byKey["GOVERN_TUTORIAL"], byKey["GOVERN_TUTORIAL.authorized_flag"]
		v1, v2 := byKey["GOVERN_TUTORIAL.authorized_flag.v1"], byKey["GOVERN_TUTORIAL.authorized_flag.v2"]
		switch {
		case project == nil || project.Name != "Govern Tutorial":
			t.Errorf("project: %+v", project)
		case model == nil || model.Name != "Predict authorized_flag (binary)" || *model.Parent != project.ID:
			t.Errorf("model: %+v", model)
		case v1 == nil || v1.Name != "Random forest (s1) - v1" || v1.Attributes["active"] != false || *v1.Parent != model.ID:
			t.Errorf("v1: %+v", v1)
		case v2 == nil || v2.Name != "Random forest (s1) - v2" || v2.Attributes["active"] != true:
			t.Errorf("v2: %+v", v2)
		case byKey["CHURN"] == nil || byKey["CHURN"].Name != "Churn Prediction":
			t.Errorf("second project: %+v", byKey["CHURN"])
		}

		// A second load is a full sync that finds everything as it was.
		logs.Reset()
		if err := loadDemo(context.Background(), db, logger); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(logs.String(), "created=0 updated=0 unchanged=15 deleted=0") {
			t.Errorf("second load:\n%s", logs.String())
		}
		if n := countEvents(t, db); n != events {
			t.Errorf("second load wrote %d events", n-events)
		}
	})
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// The demo's batch is also a file that `assent push` takes.
func TestDemoFilesArePushable(t *testing.T) {
	var sources []demoSource
	if err := readDemoFile("sources.json", &sources); err != nil {
		t.Fatal(err)
	}
	var targets []demoTarget
	if err := readDemoFile("targets.json", &targets); err != nil {
		t.Fatal(err)
	}
	for _, target := range targets {
		if err := target.Validate(target.Name); err != nil {
			t.Errorf("target %s: %v", target.Name, err)
		}
	}
	for _, s := range sources {
		if err := s.Validate(s.ID); err != nil {
			t.Errorf("source %s: %v", s.ID, err)
		}
		var b assent.SyncBatch
		if err := readDemoFile(s.ID+".json", &b); err != nil {
			t.Error(err)
		}
		if b.Run == "" || !b.Final {
			t.Errorf("%s.json: want a run and final, a full sync of the source", s.ID)
		}
	}
}

func TestMain_ServeDemo(t *testing.T) {
	dbFlags := []string{"--data-dir", filepath.Join(t.TempDir(), "data"), "--log-level", "warn"}
	t.Setenv("ASSENT_ADMIN_PASSWORD", "demo-admin-password")
	t.Setenv("ASSENT_DEMO", "true")
	for start := range 2 {
		url, stop := serve(t, dbFlags...)
		token := signIn(t, url, "admin", "demo-admin-password")
		status, body := request(t, "GET", url+"/api/v1/governable-items?source=design-node&kind=model_version&limit=100", token, "")
		if status != http.StatusOK {
			t.Fatalf("start %d: governable items: %d %s", start, status, body)
		}
		var list struct{ Items []assent.GovernableItem }
		if err := json.Unmarshal([]byte(body), &list); err != nil {
			t.Fatal(err)
		}
		if len(list.Items) != 7 || !strings.Contains(body, "Random forest (s1) - v2") {
			t.Fatalf("start %d: %d versions:\n%s", start, len(list.Items), body)
		}
		status, body = request(t, "GET", url+"/api/v1/governable-items?source=design-node&key=GOVERN_TUTORIAL", token, "")
		if status != http.StatusOK || !strings.Contains(body, `"url":"https://dss.example.com/projects/GOVERN_TUTORIAL/"`) {
			t.Errorf("start %d: project: %d %s", start, status, body)
		}
		// v2's metric history: AUC drifts down from its training value
		// and the data drift rises; v1 was deployed to prod, then taken off.
		var v2 string
		for _, g := range list.Items {
			if g.Key == "GOVERN_TUTORIAL.authorized_flag.v2" {
				v2 = g.ID
			}
		}
		var metrics struct {
			Series []struct {
				Name   string
				Drift  *float64
				Points []struct{ Value float64 }
			}
		}
		status, body = request(t, "GET", url+"/api/v1/governable-items/"+v2+"/metrics", token, "")
		if err := json.Unmarshal([]byte(body), &metrics); err != nil || status != http.StatusOK {
			t.Fatalf("start %d: metrics: %d %s", start, status, body)
		}
		byName := map[string]int{}
		for i, s := range metrics.Series {
			byName[s.Name] = i
		}
		auc, drift := metrics.Series[byName["auc"]], metrics.Series[byName["data_drift"]]
		if len(metrics.Series) != 8 || len(auc.Points) != 27 || auc.Drift == nil || *auc.Drift > -0.03 ||
			drift.Points[len(drift.Points)-1].Value < 3*drift.Points[0].Value {
			t.Errorf("start %d: v2's metrics do not tell the story: %d series, auc drift %v", start, len(metrics.Series), auc.Drift)
		}
		status, body = request(t, "GET", url+"/api/v1/deployments?target=automation-prod", token, "")
		if status != http.StatusOK || strings.Count(body, `"target":"automation-prod"`) != 2 || !strings.Contains(body, `"status":"undeployed"`) {
			t.Errorf("start %d: prod history: %d %s", start, status, body)
		}
		if err := stop(); err != nil {
			t.Fatal(err)
		}
	}
}

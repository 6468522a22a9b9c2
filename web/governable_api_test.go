package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"assent/sqldb/sqldbtest"
)

const tutorialSync = `{"items":[
	{"kind":"project","key":"GOVERN_TUTORIAL","name":"Govern Tutorial"},
	{"kind":"bundle","key":"GT.b1","parent":"GOVERN_TUTORIAL","name":"v1 bundle"},
	{"kind":"model","key":"GT.m","parent":"GOVERN_TUTORIAL","name":"Predict authorized_flag (binary)"},
	{"kind":"model_version","key":"GT.m.v1","parent":"GT.m","name":"Random forest (s1) - v1"},
	{"kind":"model_version","key":"GT.m.v2","parent":"GT.m","name":"Random forest (s1) - v2","attributes":{"active":true}}]}`

func TestSourcesAndGovernAPI(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		src := `{"display_name":"Design node","link_template":"https://dss.example.com/projects/{project_key}/"}`
		if status, body := e.do(member, "PUT", "/api/v1/sources/design-node", src); status != 403 {
			t.Fatalf("member registers a source: %d %s", status, body)
		}
		if status, body := e.do(admin, "PUT", "/api/v1/sources/design-node", src); status != 201 || !strings.Contains(body, `"kind":"push"`) {
			t.Fatalf("register: %d %s", status, body)
		}
		if status, _ := e.do(admin, "PUT", "/api/v1/sources/design-node", src); status != 200 {
			t.Fatalf("register again: %d", status)
		}
		if status, body := e.do(admin, "PUT", "/api/v1/sources/Bad%20Name", `{"link_template":"ftp://x"}`); status != 422 ||
			!strings.Contains(body, `"location":"source"`) || !strings.Contains(body, `"location":"link_template"`) {
			t.Fatalf("bad source: %d %s", status, body)
		}

		if status, body := e.do(viewer, "POST", "/api/v1/sources/design-node/sync", tutorialSync); status != 403 {
			t.Fatalf("viewer syncs: %d %s", status, body)
		}
		status, body := e.do(member, "POST", "/api/v1/sources/design-node/sync", tutorialSync)
		if status != 200 || !strings.Contains(body, `"created":5`) || !strings.Contains(body, `"key":"GT.m.v2","id":"gi_`) {
			t.Fatalf("sync: %d %s", status, body)
		}
		if status, body := e.do(member, "POST", "/api/v1/sources/design-node/sync", tutorialSync); status != 200 || !strings.Contains(body, `"unchanged":5`) {
			t.Fatalf("sync again: %d %s", status, body)
		}
		if status, body := e.do(member, "POST", "/api/v1/sources/nowhere/sync", tutorialSync); status != 404 {
			t.Fatalf("unknown source: %d %s", status, body)
		}
		bad := `{"items":[{"kind":"model","key":"X","parent":"NOPE","name":"x"},{"kind":"model","key":"X","parent":"GOVERN_TUTORIAL","name":"x"}]}`
		if status, body := e.do(member, "POST", "/api/v1/sources/design-node/sync", bad); status != 422 ||
			!strings.Contains(body, `"location":"items[0].parent"`) || !strings.Contains(body, `"location":"items[1].key"`) {
			t.Fatalf("bad batch: %d %s", status, body)
		}
		var big strings.Builder
		big.WriteString(`{"items":[`)
		for i := range 10001 {
			if i > 0 {
				big.WriteByte(',')
			}
			fmt.Fprintf(&big, `{"kind":"project","key":"p%d","name":"p"}`, i)
		}
		big.WriteString(`]}`)
		if status, body := e.do(member, "POST", "/api/v1/sources/design-node/sync", big.String()); status != http.StatusRequestEntityTooLarge || !strings.Contains(body, `"location":"items"`) {
			t.Fatalf("too many items: %d %.300s", status, body)
		}

		var list struct {
			Items []struct{ ID, Key, Status, URL string }
		}
		status, body = e.do(viewer, "GET", "/api/v1/governable-items?source=design-node&kind=project", "")
		decode(t, body, &list)
		if status != 200 || len(list.Items) != 1 || list.Items[0].URL != "https://dss.example.com/projects/GOVERN_TUTORIAL/" {
			t.Fatalf("list projects: %d %s", status, body)
		}
		project := list.Items[0].ID
		status, body = e.do(viewer, "GET", "/api/v1/governable-items?q=random%20FOREST&status=all", "")
		decode(t, body, &list)
		if status != 200 || len(list.Items) != 2 {
			t.Fatalf("search: %d %s", status, body)
		}
		version := list.Items[0].ID

		if status, body := e.do(member, "POST", "/api/v1/governable-items/"+version+"/govern", `{}`); status != 409 || !strings.Contains(body, "Predict authorized_flag (binary)") {
			t.Fatalf("govern a version under an ungoverned model: %d %s", status, body)
		}
		if status, body := e.do(member, "POST", "/api/v1/governable-items/"+project+"/govern", `{"template":"standard-bundle"}`); status != 422 || !strings.Contains(body, `"location":"template"`) {
			t.Fatalf("wrong-type template: %d %s", status, body)
		}
		status, body = e.do(member, "POST", "/api/v1/governable-items/"+version+"/govern", `{"govern_parents":true}`)
		if status != 201 || !strings.Contains(body, `"type":"model_version"`) || !strings.Contains(body, `"governable_items":["`+version+`"]`) {
			t.Fatalf("govern with parents: %d %s", status, body)
		}
		if status, body := e.do(member, "POST", "/api/v1/governable-items/"+version+"/govern", `{}`); status != 409 || !strings.Contains(body, "already governed") {
			t.Fatalf("govern twice: %d %s", status, body)
		}
		var item struct{ ID string }
		decode(t, body, &item)
		status, body = e.do(viewer, "GET", "/api/v1/governable-items/"+project, "")
		if status != 200 || !strings.Contains(body, `"status":"governed"`) || !strings.Contains(body, `"governed_item":"item_`) {
			t.Fatalf("governed project: %d %s", status, body)
		}

		status, body = e.do(viewer, "GET", "/api/v1/model-registry?q=tutorial", "")
		if status != 200 || !strings.Contains(body, `"name":"Predict authorized_flag (binary)"`) || !strings.Contains(body, `"gating_step":"review"`) || !strings.Contains(body, `"current_step":"development"`) {
			t.Fatalf("model registry: %d %s", status, body)
		}
		if status, body := e.do(viewer, "GET", "/api/v1/bundle-registry", ""); status != 200 || !strings.Contains(body, `"name":"v1 bundle"`) || !strings.Contains(body, `"governed":null`) {
			t.Fatalf("bundle registry: %d %s", status, body)
		}

		bundle := ""
		status, body = e.do(viewer, "GET", "/api/v1/governable-items?kind=bundle", "")
		decode(t, body, &list)
		bundle = list.Items[0].ID
		if status, body := e.do(viewer, "POST", "/api/v1/governable-items/"+bundle+"/hide", ""); status != 403 {
			t.Fatalf("viewer hides: %d %s", status, body)
		}
		if status, body := e.do(member, "POST", "/api/v1/governable-items/"+bundle+"/hide", ""); status != 200 || !strings.Contains(body, `"status":"hidden"`) {
			t.Fatalf("hide: %d %s", status, body)
		}
		if status, body := e.do(viewer, "GET", "/api/v1/governable-items?kind=bundle", ""); status != 200 || strings.Contains(body, bundle) {
			t.Fatalf("hidden bundle listed by default: %d %s", status, body)
		}
		if status, body := e.do(member, "POST", "/api/v1/governable-items/"+project+"/hide", ""); status != 409 || !strings.Contains(body, "ungovern it") {
			t.Fatalf("hide a governed project: %d %s", status, body)
		}
		if status, body := e.do(member, "POST", "/api/v1/governable-items/"+bundle+"/unhide", ""); status != 200 || !strings.Contains(body, `"status":"governable"`) {
			t.Fatalf("unhide: %d %s", status, body)
		}

		status, body = e.do(viewer, "GET", "/api/v1/governable-items?kind=model_version&status=governed", "")
		decode(t, body, &list)
		if status != 200 || len(list.Items) != 1 {
			t.Fatalf("governed versions: %d %s", status, body)
		}
		status, body = e.do(viewer, "GET", "/api/v1/governable-items/"+list.Items[0].ID, "")
		var gi struct {
			GovernedItem string `json:"governed_item"`
		}
		decode(t, body, &gi)
		if status, body := e.do(viewer, "GET", "/api/v1/items/"+gi.GovernedItem+"/source-objects", ""); status != 200 || !strings.Contains(body, `"key":"GT.m.v1"`) {
			t.Fatalf("source objects: %d %s", status, body)
		}
		if status, body := e.do(member, "POST", "/api/v1/governable-items/"+list.Items[0].ID+"/ungovern", ""); status != 200 || !strings.Contains(body, `"status":"governable"`) {
			t.Fatalf("ungovern: %d %s", status, body)
		}
		if status, body := e.do(viewer, "GET", "/api/v1/items/"+gi.GovernedItem, ""); status != 200 || !strings.Contains(body, `"archived":true`) {
			t.Fatalf("ungoverned item: %d %s", status, body)
		}

		rules := `{"rules":[{"kind":"model_version","mode":"automated","template":"standard-model-version"}]}`
		if status, body := e.do(member, "PUT", "/api/v1/governance-rules", rules); status != 403 {
			t.Fatalf("member sets rules: %d %s", status, body)
		}
		if status, body := e.do(admin, "PUT", "/api/v1/governance-rules", `{"rules":[{"kind":"model","mode":"automated"}]}`); status != 422 || !strings.Contains(body, `"location":"rules[0].template"`) {
			t.Fatalf("bad rules: %d %s", status, body)
		}
		if status, body := e.do(admin, "PUT", "/api/v1/governance-rules", rules); status != 200 || !strings.Contains(body, `"mode":"automated"`) {
			t.Fatalf("rules: %d %s", status, body)
		}
		status, body = e.do(member, "POST", "/api/v1/sources/design-node/sync", `{"items":[{"kind":"model_version","key":"GT.m.v3","parent":"GT.m","name":"Random forest (s1) - v3"}]}`)
		if status != 200 || !strings.Contains(body, `"governed":1`) {
			t.Fatalf("auto-governed on sync: %d %s", status, body)
		}
		if status, body := e.do(viewer, "GET", "/api/v1/governance-rules", ""); status != 200 || !strings.Contains(body, `"template":"standard-model-version"`) {
			t.Fatalf("get rules: %d %s", status, body)
		}
	})
}

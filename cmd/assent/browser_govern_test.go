package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestBrowser_GovernItems follows the tutorial's "Govern items": govern
// the project from Governable items without its bundles, then the model
// with its versions from the Model registry; the governed project lists
// them, and the bundles stay governable.
func TestBrowser_GovernItems(t *testing.T) {
	url := serveForBrowser(t)
	api := browserAPI(t, url)
	api("PUT", "/sources/design-node", `{"display_name":"Design node","link_template":"https://dss.example.com/projects/{project_key}/"}`)
	var synced struct{ Items []struct{ Key, ID string } }
	json.Unmarshal([]byte(api("POST", "/sources/design-node/sync", `{"final":true,"items":[
		{"kind":"project","key":"GOVERN_TUTORIAL","name":"Govern Tutorial","attributes":{"owner":"admin"}},
		{"kind":"bundle","key":"GOVERN_TUTORIAL/bundle_v1","parent":"GOVERN_TUTORIAL","name":"bundle_v1"},
		{"kind":"bundle","key":"GOVERN_TUTORIAL/bundle_v2","parent":"GOVERN_TUTORIAL","name":"bundle_v2"},
		{"kind":"model","key":"GOVERN_TUTORIAL/rf","parent":"GOVERN_TUTORIAL","name":"Predict authorized_flag (binary)"},
		{"kind":"model_version","key":"GOVERN_TUTORIAL/rf/v1","parent":"GOVERN_TUTORIAL/rf","name":"Random forest (s1) - v1","attributes":{"algorithm":"random_forest"}},
		{"kind":"model_version","key":"GOVERN_TUTORIAL/rf/v2","parent":"GOVERN_TUTORIAL/rf","name":"Random forest (s1) - v2","attributes":{"algorithm":"random_forest","active":true}}
	]}`)), &synced)
	ids := map[string]string{}
	for _, it := range synced.Items {
		ids[it.Key] = it.ID
	}
	project, model, v2 := ids["GOVERN_TUTORIAL"], ids["GOVERN_TUTORIAL/rf"], ids["GOVERN_TUTORIAL/rf/v2"]
	if project == "" || model == "" || v2 == "" {
		t.Fatalf("sync answered ids %v", ids)
	}

	b := newBrowser(t, url)
	b.signIn("admin", browserAdminPassword)

	// Govern the project with the standard template, without its bundles.
	b.visit("/")
	b.click(`nav a[href="/governable-items"]`)
	b.screenshot("govern-governable-items")
	b.click("#govern-" + project)
	b.waitFor(`document.querySelector("#govern-dialog[open] #f-template") !== null`)
	b.fill("#f-template", "standard-project")
	if b.eval(`String(document.querySelector("#f-children-bundle").checked)`) != "true" {
		t.Error("Govern all of its bundles is not checked at first")
	}
	b.click("#f-children-bundle")
	if b.eval(`String(document.querySelector("#f-children-bundle").checked)`) != "false" {
		t.Fatal("Govern all of its bundles stays checked")
	}
	b.screenshot("govern-project-dialog")
	b.click("#govern-submit")
	governedProject, ok := strings.CutPrefix(b.path(), "/items/")
	if !ok {
		t.Fatalf("after governing the project: at %s", b.path())
	}
	if got := b.text(".flash"); !strings.Contains(got, "Govern Tutorial") {
		t.Errorf("flash %q", got)
	}
	if got := b.text("#source-objects"); !strings.Contains(got, "Govern Tutorial") || !strings.Contains(got, "design-node") {
		t.Errorf("source objects: %q", got)
	}

	// Govern the model and its versions from the model registry.
	b.click(`nav a[href="/model-registry"]`)
	b.click("#govern-" + model)
	b.waitFor(`document.querySelector("#govern-dialog[open] #f-template") !== null`)
	if got := b.value("#f-template"); got != "standard-model" {
		t.Errorf("model template pre-selected: %q", got)
	}
	if b.eval(`String(document.querySelector("#f-children-model_version").checked)`) != "true" {
		t.Error("Govern all of its model versions is not checked")
	}
	b.click("#govern-submit")
	if !strings.HasPrefix(b.path(), "/items/") {
		t.Fatalf("after governing the model: at %s", b.path())
	}
	b.visit("/model-registry")
	if got := b.text("#row-" + v2); !strings.Contains(got, "governed") || !strings.Contains(got, "Model version") {
		t.Errorf("version row in the registry: %q", got)
	}
	b.click("#row-" + v2 + " a.item-name")
	b.waitFor(`document.querySelector("#details-` + v2 + `") !== null`)
	if got := b.text("#details-" + v2); !strings.Contains(got, "active") || !strings.Contains(got, "random_forest") {
		t.Errorf("details of v2: %q", got)
	}
	b.screenshot("govern-model-registry")

	// The governed project lists the model and both versions.
	b.visit("/items/" + governedProject)
	got := b.text("#related-items")
	for _, want := range []string{"Predict authorized_flag (binary)", "Random forest (s1) - v1", "Random forest (s1) - v2"} {
		if !strings.Contains(got, want) {
			t.Errorf("related items lack %q: %q", want, got)
		}
	}
	b.screenshot("govern-project-item")

	// The bundles are still governable.
	b.visit("/governable-items")
	b.click("#toggle-" + project)
	b.waitFor(`document.querySelector("#row-` + ids["GOVERN_TUTORIAL/bundle_v1"] + `") !== null`)
	for _, key := range []string{"GOVERN_TUTORIAL/bundle_v1", "GOVERN_TUTORIAL/bundle_v2"} {
		if got := b.text("#row-" + ids[key] + " .gov-status"); got != "governable" || !b.exists("#govern-"+ids[key]) {
			t.Errorf("bundle %s: status %q, Govern button %v", key, got, b.exists("#govern-"+ids[key]))
		}
	}
	b.click("#toggle-" + model)
	b.waitFor(`document.querySelector("#row-` + v2 + `") !== null`)
	b.screenshot("govern-governable-open")

	// The project's own page, the govern form as a page of its own, and
	// the governance rules.
	b.visit("/governable-items/" + project)
	if got := b.text("#governed-by"); !strings.Contains(got, "Govern Tutorial") {
		t.Errorf("governed by: %q", got)
	}
	b.screenshot("govern-governable-item")
	b.visit("/governable-items/" + ids["GOVERN_TUTORIAL/bundle_v1"] + "/govern")
	b.screenshot("govern-form-page")
	b.visit("/admin/governance-rules")
	b.screenshot("govern-rules")

	// On a phone.
	b.resize(phoneWidth, phoneHeight)
	b.visit("/governable-items?open=" + project + "," + model)
	b.screenshot("govern-governable-phone")
	b.click("#govern-" + ids["GOVERN_TUTORIAL/bundle_v1"])
	b.waitFor(`document.querySelector("#govern-dialog[open]") !== null`)
	b.screenshot("govern-dialog-phone")
	b.visit("/model-registry?version=" + v2)
	b.screenshot("govern-model-registry-phone")
}

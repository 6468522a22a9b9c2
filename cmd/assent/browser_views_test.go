package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestBrowser_ProjectViews creates an initiative and a project through the
// New buttons, then reads a small portfolio in every view: the table
// filtered as one types and sorted by a click, the Kanban board, the
// matrix with another axis, the initiatives with their projects; on a
// laptop and on a phone.
func TestBrowser_ProjectViews(t *testing.T) {
	url := serveForBrowser(t)
	token := browserToken(t, url)
	api := func(method, path, body string) string {
		t.Helper()
		status, resp := request(t, method, url+"/api/v1"+path, token, body)
		if status != http.StatusCreated && status != http.StatusOK {
			t.Fatalf("%s %s: %d %s", method, path, status, resp)
		}
		var it struct{ ID string }
		json.Unmarshal([]byte(resp), &it)
		return it.ID
	}
	retention := api("POST", "/items", `{"template":{"id":"standard-business-initiative"},"name":"Customer retention"}`)
	ratings := []string{"Low", "Medium low", "Medium high", "High"}
	for i, name := range []string{"Card fraud scoring", "Churn prediction", "Claims triage", "Dormant accounts", "Email uplift",
		"Fraud rings graph", "Loan default", "Next best offer", "Pricing elasticity", "Store demand"} {
		fields := fmt.Sprintf(`{"business_initiative":%q,"qualification_value_rating":%q,"qualification_feasibility_rating":%q}`, retention, ratings[i%4], ratings[(i/2)%4])
		if i%5 == 4 {
			fields = "{}"
		}
		id := api("POST", "/items", `{"template":{"id":"standard-project"},"name":"`+name+`","fields":`+fields+`}`)
		for _, step := range []string{"exploration", "qualification", "progress"}[:i%4] {
			api("POST", "/items/"+id+"/workflow/"+step, `{"status":"FINISHED"}`)
		}
	}

	b := newBrowser(t, url)
	b.signIn("admin", browserAdminPassword)
	b.visit("/business-initiatives")
	b.click("details.view-create > summary")
	b.fill("#f-name", "Fraud reduction")
	b.fill("#f-description", "Halve card fraud losses within two years.")
	b.screenshot("views-initiative-new")
	b.click(`details.view-create button[type="submit"]`)
	initiative, ok := strings.CutPrefix(b.path(), "/items/")
	if !ok {
		t.Fatalf("after creating the initiative: at %s", b.path())
	}
	b.visit("/projects")
	b.click("details.view-create > summary")
	b.fill("#f-name", "Card fraud detection")
	b.fill("#f-business_initiative", initiative)
	b.click(`details.view-create button[type="submit"]`)
	if !strings.HasPrefix(b.path(), "/items/") {
		t.Fatalf("after creating the project: at %s", b.path())
	}

	b.visit("/projects")
	if n := len(b.texts("#items-table tbody tr")); n != 11 {
		t.Fatalf("%d rows", n)
	}
	b.screenshot("views-projects-table")
	b.fill("#filter-q", "fraud")
	b.waitFor(`document.querySelectorAll("#items-table tbody tr").length === 3 && location.search.includes("q=fraud")`)
	b.click(`#items-table th a[href*="sort=qualification_value_rating"]`)
	b.waitFor(`document.querySelector("#items-table th[aria-sort=descending]") !== null`)
	got := b.texts("#items-table tbody td:first-child")
	if strings.Join(got, ",") != "Fraud rings graph,Card fraud scoring,Card fraud detection" {
		t.Errorf("fraud projects by value, highest first: %v", got)
	}
	b.screenshot("views-projects-table-filtered")

	b.click(`nav.tabs a[href*="view=kanban"]`)
	b.click(".view-chips .chip-remove")
	cols := b.texts(".board-col h2")
	if strings.Join(cols, ",") != "Exploration,Qualification,In Progress,Validation and Roll-out,Delivered" {
		t.Errorf("columns %v", cols)
	}
	if got := b.text("#column-progress .count"); got != "2" {
		t.Errorf("%s projects in progress", got)
	}
	b.screenshot("views-projects-kanban")

	b.visit("/projects?view=matrix")
	if got := b.text(`td[data-x="Medium low"][data-y="Medium high"] ul.names`); !strings.Contains(got, "Claims triage") {
		t.Errorf("Medium low × Medium high holds %q", got)
	}
	if got := b.text("#unrated .count"); got != "3" {
		t.Errorf("%s not rated", got)
	}
	b.screenshot("views-projects-matrix")
	b.fill(`select[name="x"]`, "qualification_risk_rating")
	b.waitFor(`location.search.includes("x=qualification_risk_rating") && document.querySelector("#unrated .count").textContent === "11"`)

	b.visit("/business-initiatives")
	if got := b.text(`#row-` + retention + ` td:nth-child(4)`); got != "8 projects" {
		t.Errorf("Customer retention: %q", got)
	}
	b.screenshot("views-initiatives-table")
	b.visit("/business-initiatives?view=kanban")
	if cols := b.texts(".board-col h2"); strings.Join(cols, ",") != "Ideation,Decision,Progress" {
		t.Errorf("initiative columns %v", cols)
	}
	b.screenshot("views-initiatives-kanban")
	b.visit("/business-initiatives")
	b.click(`#row-` + retention + ` td:nth-child(4) a`)
	if got := b.path(); got != "/projects?initiative="+retention {
		t.Fatalf("the projects link leads to %s", got)
	}

	b.resize(phoneWidth, phoneHeight)
	b.visit("/projects")
	b.screenshot("views-projects-table-phone")
	b.visit("/projects?view=kanban")
	b.screenshot("views-projects-kanban-phone")
	b.visit("/projects?view=matrix")
	b.screenshot("views-projects-matrix-phone")
}

// browserToken gets an API token of the first admin.
// browserAPI returns a function that calls the API of the server at url
// as the admin and fails the test unless the answer is 200 or 201.
func browserAPI(t *testing.T, url string) func(method, path, body string) string {
	token := browserToken(t, url)
	return func(method, path, body string) string {
		t.Helper()
		status, resp := request(t, method, url+"/api/v1"+path, token, body)
		if status != http.StatusCreated && status != http.StatusOK {
			t.Fatalf("%s %s: %d %s", method, path, status, resp)
		}
		return resp
	}
}

func browserToken(t *testing.T, url string) string {
	t.Helper()
	status, body := request(t, "POST", url+"/api/v1/auth/tokens", "", `{"username":"admin","password":"`+browserAdminPassword+`"}`)
	if status != http.StatusCreated {
		t.Fatalf("token: %d %s", status, body)
	}
	var tok struct{ Token string }
	json.Unmarshal([]byte(body), &tok)
	return tok.Token
}

package web_test

import (
	"net/http"
	"strings"
	"testing"

	"assent/sqldb/sqldbtest"
)

const riskYAML = `id: risk-review
name: Risk review
item_type: risk_review
fields:
  - id: summary
    label: Summary
    type: text
    required: true
  - id: owners
    label: Owners
    type: principals
steps:
  - id: draft
    name: Draft
    fields: [summary]
  - id: decide
    name: Decide
    signoff:
      approvers: ["field:owners"]
`

// putTemplate sends a template as YAML.
func (e *env) putTemplate(c caller, path, body string) (int, string) {
	e.t.Helper()
	return e.send(c, "PUT", path, "application/yaml", strings.NewReader(body))
}

func TestTemplatesAPI(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		t.Run("ErrMemberCannotAdd", func(t *testing.T) {
			if status, _ := e.putTemplate(member, "/api/v1/templates/risk-review", riskYAML); status != http.StatusForbidden {
				t.Fatalf("status %d", status)
			}
		})
		t.Run("AddDraftThenActivate", func(t *testing.T) {
			status, body := e.putTemplate(admin, "/api/v1/templates/risk-review", riskYAML)
			if status != http.StatusCreated || !strings.Contains(body, `"status":"draft"`) || !strings.Contains(body, `"version":1`) {
				t.Fatalf("%d %s", status, body)
			}
			status, body = e.putTemplate(admin, "/api/v1/templates/risk-review?activate=true", riskYAML)
			if status != http.StatusCreated || !strings.Contains(body, `"status":"active"`) || !strings.Contains(body, `"version":2`) {
				t.Fatalf("%d %s", status, body)
			}
			if status, body := e.do(viewer, "GET", "/api/v1/templates/risk-review", ""); status != 200 || !strings.Contains(body, `"version":2`) {
				t.Fatalf("newest active: %d %s", status, body)
			}
			if status, body := e.do(admin, "PUT", "/api/v1/templates/risk-review/versions/1/status", `{"status":"archived"}`); status != 200 || !strings.Contains(body, `"archived"`) {
				t.Fatalf("archive: %d %s", status, body)
			}
		})
		t.Run("ErrEveryProblemWithLineAndColumn", func(t *testing.T) {
			broken := strings.Replace(riskYAML, "type: principals", "type: people", 1)
			broken = strings.Replace(broken, "fields: [summary]", "fields: [summary, nothing]", 1)
			status, body := e.putTemplate(admin, "/api/v1/templates/risk-review", broken)
			if status != http.StatusUnprocessableEntity {
				t.Fatalf("%d %s", status, body)
			}
			for _, want := range []string{`"location":"fields[1].type"`, `line 11, column 11`, `"location":"steps[0].fields[1]"`} {
				if !strings.Contains(body, want) {
					t.Errorf("answer lacks %s: %s", want, body)
				}
			}
		})
		t.Run("ErrPathAndBodyDisagree", func(t *testing.T) {
			if status, body := e.putTemplate(admin, "/api/v1/templates/other", riskYAML); status != http.StatusUnprocessableEntity || !strings.Contains(body, `"location":"id"`) {
				t.Fatalf("%d %s", status, body)
			}
		})
		t.Run("ErrTooLarge", func(t *testing.T) {
			big := riskYAML + "# " + strings.Repeat("x", 1<<20) + "\n"
			if status, body := e.putTemplate(admin, "/api/v1/templates/risk-review", big); status != http.StatusRequestEntityTooLarge {
				t.Fatalf("%d %.200s", status, body)
			}
		})
		t.Run("ItemsAndMigration", func(t *testing.T) {
			status, body := e.do(member, "POST", "/api/v1/items", `{"template":{"id":"risk-review"},"name":"Fraud risks","fields":{"summary":"Location bias"}}`)
			if status != http.StatusCreated {
				t.Fatalf("%d %s", status, body)
			}
			var it struct{ ID string }
			decode(t, body, &it)
			if status, body := e.do(admin, "DELETE", "/api/v1/templates/risk-review/versions/2", ""); status != http.StatusConflict || !strings.Contains(body, "1 items use version 2") {
				t.Fatalf("delete used version: %d %s", status, body)
			}
			v3 := strings.Replace(riskYAML, "    required: true\n", "    required: true\n  - id: regulation\n    label: Regulation\n    type: text\n    required: true\n", 1)
			if status, body := e.putTemplate(admin, "/api/v1/templates/risk-review?activate=true", v3); status != http.StatusCreated {
				t.Fatalf("v3: %d %s", status, body)
			}
			status, body = e.do(member, "POST", "/api/v1/items/"+it.ID+"/migrate", `{"version":3,"dry_run":true}`)
			if status != 200 || !strings.Contains(body, `"missing":["regulation"]`) || !strings.Contains(body, `"applied":false`) {
				t.Fatalf("dry run: %d %s", status, body)
			}
			status, body = e.do(member, "POST", "/api/v1/items/"+it.ID+"/migrate", `{"version":3}`)
			if status != http.StatusUnprocessableEntity || !strings.Contains(body, `"location":"fields.regulation"`) {
				t.Fatalf("refused migration: %d %s", status, body)
			}
			if status, body := e.do(viewer, "GET", "/api/v1/items/"+it.ID, ""); status != 200 || !strings.Contains(body, `"version":2`) {
				t.Fatalf("item after refusal: %d %s", status, body)
			}
		})
	})
}

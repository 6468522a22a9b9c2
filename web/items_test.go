package web_test

import (
	"net/http"
	"strings"
	"testing"

	"assent/sqldb/sqldbtest"
)

// doWith is do with extra headers.
func (e *env) doWith(c caller, method, path, body string, header ...string) (int, string) {
	e.t.Helper()
	return e.send(c, method, path, "application/json", strings.NewReader(body), header...)
}

func TestItemsAPI(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		status, body := e.do(member, "POST", "/api/v1/items", `{"template":{"id":"standard-project"},"name":"Card fraud"}`)
		if status != http.StatusCreated {
			t.Fatalf("%d %s", status, body)
		}
		var it struct{ ID string }
		decode(t, body, &it)
		path := "/api/v1/items/" + it.ID

		status, body = e.doWith(member, "PATCH", path, `{"fields":{"exploration_notes":"This project will use a data pipeline to model credit card fraud."}}`, "If-Match", `"1"`)
		if status != 200 || !strings.Contains(body, `"revision":2`) || !strings.Contains(body, `"status":"ONGOING"`) {
			t.Fatalf("update: %d %s", status, body)
		}
		if status, body := e.doWith(member, "PATCH", path, `{"fields":{"description":"late"}}`, "If-Match", `"1"`); status != http.StatusPreconditionFailed || !strings.Contains(body, "revision 2, not 1") {
			t.Fatalf("stale update: %d %s", status, body)
		}
		if status, body := e.do(member, "PATCH", path, `{"fields":{"qualification_value_rating":"Huge"}}`); status != 422 || !strings.Contains(body, `"location":"fields.qualification_value_rating"`) {
			t.Fatalf("bad value: %d %s", status, body)
		}
		if status, body := e.do(viewer, "PATCH", path, `{"fields":{"description":"x"}}`); status != 403 {
			t.Fatalf("viewer edit: %d %s", status, body)
		}
		status, body = e.do(member, "POST", path+"/workflow/exploration", `{"status":"FINISHED","revision":2}`)
		if status != 200 || !strings.Contains(body, `"current_step":"qualification"`) {
			t.Fatalf("finish: %d %s", status, body)
		}
		if status, body := e.do(viewer, "GET", "/api/v1/items?type=project&step=qualification&field.exploration_notes=This%20project%20will%20use%20a%20data%20pipeline%20to%20model%20credit%20card%20fraud.", ""); status != 200 || !strings.Contains(body, it.ID) {
			t.Fatalf("list: %d %s", status, body)
		}
		if status, body := e.do(viewer, "GET", "/api/v1/items?field.qualification_decision=Go", ""); status != 200 || strings.Contains(body, it.ID) {
			t.Fatalf("list by an unset field: %d %s", status, body)
		}
		if status, _ := e.do(member, "POST", path+"/archive", ""); status != 200 {
			t.Fatalf("archive: %d", status)
		}
		if status, body := e.do(member, "PATCH", path, `{"name":"Renamed"}`); status != http.StatusConflict || !strings.Contains(body, "archived") {
			t.Fatalf("edit archived: %d %s", status, body)
		}
		if status, _ := e.do(member, "POST", path+"/restore", ""); status != 200 {
			t.Fatalf("restore: %d", status)
		}
		status, body = e.do(viewer, "GET", path+"/timeline", "")
		for _, action := range []string{"item.create", "item.update", "item.workflow", "item.archive", "item.restore"} {
			if !strings.Contains(body, `"action":"`+action+`"`) {
				t.Errorf("item timeline lacks %s: %d", action, status)
			}
		}
	})
}

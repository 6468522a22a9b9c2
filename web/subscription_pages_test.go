package web_test

import (
	"net/http"
	"strings"
	"testing"

	"assent/sqldb/sqldbtest"
)

func TestFollowAndUnfollow(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		status, body := e.do(member, "POST", "/api/v1/items", `{"template":{"id":"standard-project"},"name":"Card fraud"}`)
		var it struct{ ID string }
		decode(t, body, &it)
		if status != 201 {
			t.Fatalf("create: %d %s", status, body)
		}
		if status, body := e.do(member, "GET", "/api/v1/items/"+it.ID+"/subscription", ""); status != 200 || !strings.Contains(body, `"subscribed":true`) {
			t.Fatalf("the creator does not follow the item: %d %s", status, body)
		}
		b := e.browser(t)
		b.signIn("member")
		if _, page := b.do("GET", "/items/"+it.ID, nil); !strings.Contains(page, `id="subscription"`) || !strings.Contains(page, "Unfollow") {
			t.Fatal("the item page has no Unfollow button")
		}
		if _, page := b.do("GET", "/items/"+it.ID+"/unsubscribe", nil); !strings.Contains(page, "Stop following Card fraud?") {
			t.Fatal("the unsubscribe link does not ask to confirm")
		}
		resp, _ := b.do("POST", "/items/"+it.ID+"/unsubscribe", nil)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("unsubscribe: %d", resp.StatusCode)
		}
		if _, page := b.do("GET", "/items/"+it.ID, nil); !strings.Contains(page, ">Follow<") {
			t.Fatal("after unsubscribing the page does not offer Follow")
		}
		// Editing again does not subscribe anew.
		if status, _ := e.do(member, "PATCH", "/api/v1/items/"+it.ID, `{"fields":{"description":"x"}}`); status != 200 {
			t.Fatalf("edit: %d", status)
		}
		if _, body := e.do(member, "GET", "/api/v1/items/"+it.ID+"/subscription", ""); !strings.Contains(body, `"subscribed":false`) {
			t.Fatalf("an edit subscribed again: %s", body)
		}
		if status, body := e.do(viewer, "POST", "/api/v1/items/"+it.ID+"/subscription", ""); status != 200 || !strings.Contains(body, `"subscribed":true`) {
			t.Fatalf("a viewer follows: %d %s", status, body)
		}
	})
}

package web_test

import (
	"net/http"
	"strings"
	"testing"

	"assent/sqldb/sqldbtest"
)

// expect is what one caller should get: a status and fragments of the body.
type expect struct {
	status int
	body   []string
}

// scenario is one endpoint tried by every caller. {caller} in path or body
// becomes the caller's username.
type scenario struct {
	name         string
	method, path string
	body         string
	want         map[caller]expect
	// others is what callers missing from want get.
	others expect
}

var (
	unauthenticated = expect{status: http.StatusUnauthorized, body: []string{`"status":401`}}
	badToken        = expect{status: http.StatusUnauthorized, body: []string{"unknown, revoked or expired"}}
	forbidden       = expect{status: http.StatusForbidden, body: []string{"admin role"}}
)

// refusals are the answers of callers who are not signed in or whose token
// no longer works; every scenario starts from them.
func refusals() map[caller]expect {
	return map[caller]expect{anonymous: unauthenticated, disabled: badToken, revoked: badToken, expired: badToken}
}

func with(m map[caller]expect, more map[caller]expect) map[caller]expect {
	for k, v := range more {
		m[k] = v
	}
	return m
}

var scenarios = []scenario{
	{name: "me", method: "GET", path: "/api/v1/me",
		want:   refusals(),
		others: expect{200, []string{`"username":"{caller}"`}}},
	{name: "list templates", method: "GET", path: "/api/v1/templates",
		want:   refusals(),
		others: expect{200, []string{`"id":"standard-project"`, `"builtin":true`}}},
	{name: "get a standard template", method: "GET", path: "/api/v1/templates/standard-model-version",
		want:   refusals(),
		others: expect{200, []string{`"gates_deployment":true`, `"field:project.reviewers_it_ops"`}}},
	{name: "archive a template version", method: "PUT", path: "/api/v1/templates/standard-model/versions/1/status", body: `{"status":"archived"}`,
		want:   with(refusals(), map[caller]expect{admin: {200, []string{`"status":"archived"`}}}),
		others: forbidden},
	{name: "delete a built-in version", method: "DELETE", path: "/api/v1/templates/standard-project/versions/1",
		want:   with(refusals(), map[caller]expect{admin: {409, []string{"built in"}}}),
		others: forbidden},
	{name: "create an item", method: "POST", path: "/api/v1/items", body: `{"template":{"id":"standard-business-initiative"},"name":"Fraud reduction"}`,
		want:   with(refusals(), map[caller]expect{viewer: {403, []string{"member role"}}}),
		others: expect{201, []string{`"type":"business_initiative"`, `"current_step":"ideation"`, `"revision":1`}}},
	{name: "sign in for a token", method: "POST", path: "/api/v1/auth/tokens", body: `{"username":"admin","password":"password-admin","name":"ci"}`,
		want:   map[caller]expect{disabled: badToken, revoked: badToken, expired: badToken},
		others: expect{201, []string{`"token":"assent_`, `"username":"admin"`}}},
	{name: "get a template version", method: "GET", path: "/api/v1/templates/standard-project/versions/1",
		want:   refusals(),
		others: expect{200, []string{`"builtin":true`, `"id":"qualification"`}}},
	{name: "get an unknown item", method: "GET", path: "/api/v1/items/item_nothing",
		want:   refusals(),
		others: expect{404, []string{`Item \"item_nothing\" not found.`}}},
	{name: "migrate an unknown item", method: "POST", path: "/api/v1/items/item_nothing/migrate", body: `{"version":1}`,
		want:   with(refusals(), map[caller]expect{viewer: {403, []string{"member role"}}}),
		others: expect{404, nil}},
	{name: "change own password", method: "PUT", path: "/api/v1/me/password",
		body:   `{"current_password":"password-{caller}","new_password":"changed-{caller}"}`,
		want:   refusals(),
		others: expect{204, nil}},
	{name: "list own tokens", method: "GET", path: "/api/v1/tokens",
		want:   refusals(),
		others: expect{200, []string{`"username":"{caller}"`}}},
	{name: "list everyone's tokens", method: "GET", path: "/api/v1/tokens?all=true",
		want:   with(refusals(), map[caller]expect{admin: {200, []string{`"username":"viewer"`, `"username":"member"`}}}),
		others: expect{403, []string{"Only an admin"}}},
	{name: "create own token", method: "POST", path: "/api/v1/tokens", body: `{"name":"ci","expires":"30d"}`,
		want:   refusals(),
		others: expect{201, []string{`"token":"assent_`, `"username":"{caller}"`}}},
	{name: "create token for another", method: "POST", path: "/api/v1/tokens", body: `{"name":"ci","username":"admin"}`,
		want:   with(refusals(), map[caller]expect{admin: {201, []string{`"username":"admin"`}}}),
		others: expect{403, []string{"Only an admin"}}},
	{name: "list users", method: "GET", path: "/api/v1/users",
		want:   refusals(),
		others: expect{200, []string{`"username":"admin"`, `"next_cursor"`}}},
	{name: "create user", method: "POST", path: "/api/v1/users", body: `{"username":"newcomer","role":"viewer","password":"long-enough"}`,
		want:   with(refusals(), map[caller]expect{admin: {201, []string{`"username":"newcomer"`, `"role":"viewer"`}}}),
		others: forbidden},
	{name: "get user", method: "GET", path: "/api/v1/users/member",
		want:   refusals(),
		others: expect{200, []string{`"username":"member"`, `"role":"member"`}}},
	{name: "get unknown user", method: "GET", path: "/api/v1/users/nobody",
		want:   refusals(),
		others: expect{404, []string{`User \"nobody\" not found.`}}},
	{name: "edit own profile", method: "PATCH", path: "/api/v1/users/{caller}", body: `{"display_name":"Renamed","email":"x@example.com"}`,
		want:   refusals(),
		others: expect{200, []string{`"display_name":"Renamed"`}}},
	{name: "change a role", method: "PATCH", path: "/api/v1/users/viewer", body: `{"role":"member"}`,
		want:   with(refusals(), map[caller]expect{admin: {200, []string{`"role":"member"`}}}),
		others: expect{403, []string{"Only an admin"}}},
	{name: "set someone's password", method: "PUT", path: "/api/v1/users/member/password", body: `{"password":"reset-by-admin"}`,
		want:   with(refusals(), map[caller]expect{admin: {204, nil}}),
		others: forbidden},
	{name: "list groups", method: "GET", path: "/api/v1/groups",
		want:   refusals(),
		others: expect{200, []string{`"items":[`}}},
	{name: "create group", method: "POST", path: "/api/v1/groups", body: `{"name":"risk","description":"Risk office","members":["member"]}`,
		want:   with(refusals(), map[caller]expect{admin: {201, []string{`"name":"risk"`, `"members":["member"]`}}}),
		others: forbidden},
	{name: "get group", method: "GET", path: "/api/v1/groups/risk",
		want:   refusals(),
		others: expect{200, []string{`"name":"risk"`}}},
	{name: "set group members", method: "PUT", path: "/api/v1/groups/risk/members", body: `{"members":["viewer","member"]}`,
		want:   with(refusals(), map[caller]expect{admin: {200, []string{`"members":["member","viewer"]`}}}),
		others: forbidden},
	{name: "timeline", method: "GET", path: "/api/v1/timeline?object=user&limit=5",
		want:   refusals(),
		others: expect{200, []string{`"object_type":"user"`, `"next_cursor"`}}},
	{name: "revoke unknown token", method: "DELETE", path: "/api/v1/tokens/tok_nope",
		want:   refusals(),
		others: expect{404, []string{"not found"}}},
	{name: "health", method: "GET", path: "/healthz",
		want:   map[caller]expect{disabled: badToken, revoked: badToken, expired: badToken},
		others: expect{200, []string{"ok"}}},
	{name: "openapi", method: "GET", path: "/api/v1/openapi.json",
		want:   map[caller]expect{disabled: badToken, revoked: badToken, expired: badToken},
		others: expect{200, []string{`"openapi":"3.1`}}},
}

func TestScenarios(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		for _, sc := range scenarios {
			for _, c := range callers {
				want, ok := sc.want[c]
				if !ok {
					want = sc.others
				}
				fill := func(s string) string { return strings.ReplaceAll(s, "{caller}", string(c)) }
				status, body := e.do(c, sc.method, fill(sc.path), fill(sc.body))
				if status != want.status {
					t.Errorf("%s as %s: status %d, want %d; body %s", sc.name, c, status, want.status, body)
					continue
				}
				for _, frag := range want.body {
					if !strings.Contains(body, fill(frag)) {
						t.Errorf("%s as %s: body lacks %s: %s", sc.name, c, fill(frag), body)
					}
				}
				if status >= 400 && !strings.Contains(body, `"title"`) {
					t.Errorf("%s as %s: error body is not a problem document: %s", sc.name, c, body)
				}
			}
		}
	})
}

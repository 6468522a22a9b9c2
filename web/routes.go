package web

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"assent/templates"
)

// Body limits per kind of endpoint: small for accounts, larger for lists.
const (
	smallBody = 64 << 10
	// syncBody holds a batch of assent.MaxSyncItems items with attributes.
	syncBody = 32 << 20
)

// routes lists every route in one place.
func (s *Server) routes() {
	s.mux.HandleFunc("GET /healthz", s.handleHealthz)
	s.mux.HandleFunc("GET /readyz", s.handleReadyz)
	s.mux.Handle("GET /metrics", s.metrics.handler())
	s.mux.Handle("GET /static/{path...}", s.assets.handler())
	// Attachments stream, so they are plain handlers beside the huma API.
	s.mux.HandleFunc("POST /api/v1/items/{id}/attachments", s.handleAttachmentUpload)
	s.mux.HandleFunc("GET /api/v1/attachments/{id}", s.handleAttachmentDownload)

	// pages
	s.mux.HandleFunc("GET /login", s.handleLoginPage)
	s.mux.HandleFunc("POST /login", s.handleLogin)
	s.mux.HandleFunc("POST /logout", s.handleLogout)
	s.mux.Handle("GET /{$}", s.page(s.handleHome))
	s.mux.Handle("GET /profile", s.page(s.handleProfile))
	s.mux.Handle("POST /profile", s.page(s.handleProfileUpdate))
	s.mux.Handle("POST /profile/password", s.page(s.handleProfilePassword))
	s.mux.Handle("POST /profile/tokens", s.page(s.handleProfileTokenCreate))
	s.mux.Handle("POST /profile/sessions/end", s.page(s.handleSessionsEnd))
	s.mux.Handle("POST /tokens/{id}/revoke", s.page(s.handleTokenRevokePage))
	s.mux.Handle("GET /timeline", s.page(s.handleTimelinePage))
	s.mux.Handle("GET /items/{id}", s.page(s.handleItemPage))
	s.mux.Handle("POST /items/{id}/fields", s.page(s.handleItemSave))
	s.mux.Handle("POST /items/{id}/steps/{step}", s.page(s.handleItemStepPage))
	s.mux.Handle("POST /items/{id}/upload", s.page(s.handleItemUploadPage))
	s.mux.Handle("POST /items/{id}/archive", s.page(s.handleItemArchivePage(true)))
	s.mux.Handle("POST /items/{id}/restore", s.page(s.handleItemArchivePage(false)))
	s.mux.Handle("POST /items/{id}/subscribe", s.page(s.handleSubscriptionPage(true)))
	s.mux.Handle("POST /items/{id}/unsubscribe", s.page(s.handleSubscriptionPage(false)))
	s.mux.Handle("GET /items/{id}/unsubscribe", s.page(s.handleUnsubscribeLink))
	s.mux.Handle("POST /items/{id}/signoffs/{step}/{action}", s.page(s.handleSignoffAction))
	s.mux.Handle("GET /admin", http.RedirectHandler("/admin/users", http.StatusSeeOther))
	s.mux.Handle("GET /admin/users", s.adminPage(s.handleAdminUsers))
	s.mux.Handle("POST /admin/users", s.adminPage(s.handleAdminUserCreate))
	s.mux.Handle("POST /admin/users/{username}/role", s.adminPage(s.handleAdminUserRole))
	s.mux.Handle("POST /admin/users/{username}/disable", s.adminPage(s.handleAdminUserDisabled(true)))
	s.mux.Handle("POST /admin/users/{username}/enable", s.adminPage(s.handleAdminUserDisabled(false)))
	s.mux.Handle("GET /admin/groups", s.adminPage(s.handleAdminGroups))
	s.mux.Handle("POST /admin/groups", s.adminPage(s.handleAdminGroupCreate))
	s.mux.Handle("POST /admin/groups/{name}/members", s.adminPage(s.handleAdminGroupMembers))
	s.mux.Handle("GET /admin/tokens", s.adminPage(s.handleAdminTokens))
	s.mux.Handle("GET /admin/templates", s.adminPage(s.handleAdminTemplates))
	s.mux.Handle("POST /admin/templates", s.adminPage(s.handleAdminTemplateAdd))
	s.mux.Handle("GET /admin/templates/{id}/versions/{version}", s.adminPage(s.handleAdminTemplateVersion))
	s.mux.Handle("POST /admin/templates/{id}/versions/{version}/status", s.adminPage(s.handleAdminTemplateStatus))
	s.mux.Handle("POST /admin/templates/{id}/versions/{version}/delete", s.adminPage(s.handleAdminTemplateDelete))
	s.mux.Handle("GET /admin/templates/{id}/versions/{version}/export", s.adminPage(s.handleAdminTemplateExport))
	s.mux.Handle("GET /admin/webhooks", s.adminPage(s.handleAdminWebhooks))
	s.mux.Handle("POST /admin/webhooks", s.adminPage(s.handleAdminWebhookCreate))
	s.mux.Handle("GET /admin/webhooks/{id}", s.adminPage(s.handleAdminWebhook))
	s.mux.Handle("POST /admin/webhooks/{id}/enable", s.adminPage(s.handleAdminWebhookEnabled(true)))
	s.mux.Handle("POST /admin/webhooks/{id}/disable", s.adminPage(s.handleAdminWebhookEnabled(false)))
	s.mux.Handle("GET /admin/deployment-targets", s.adminPage(s.handleAdminTargets))
	s.mux.Handle("POST /admin/deployment-targets", s.adminPage(s.handleAdminTargetSave))
	s.emailPageRoutes()
	s.viewRoutes()
	for path, soon := range soonPages {
		s.mux.Handle("GET "+path, s.page(s.handleSoon(soon.section, soon.soonData)))
	}
	s.mux.Handle("/", http.HandlerFunc(s.handleNotFound))

	api := s.api
	// auth & people
	register(api, "POST", "/auth/tokens", "createTokenWithPassword", "Sign in with a password and get an API token", http.StatusCreated, s.handleAuthToken)
	register(api, "GET", "/me", "getMe", "The signed-in user", 0, s.handleMe)
	register(api, "PUT", "/me/password", "changeMyPassword", "Change my password", http.StatusNoContent, s.handleMePassword)
	register(api, "GET", "/tokens", "listTokens", "List API tokens", 0, s.handleTokenList)
	register(api, "POST", "/tokens", "createToken", "Create an API token", http.StatusCreated, s.handleTokenCreate)
	register(api, "DELETE", "/tokens/{id}", "revokeToken", "Revoke an API token", http.StatusNoContent, s.handleTokenRevoke)
	register(api, "GET", "/users", "listUsers", "List users", 0, s.handleUserList)
	register(api, "POST", "/users", "createUser", "Create a user (admin)", http.StatusCreated, s.handleUserCreate)
	register(api, "GET", "/users/{username}", "getUser", "Get a user", 0, s.handleUserGet)
	register(api, "PATCH", "/users/{username}", "updateUser", "Change a user's profile, role or disabled state", 0, s.handleUserUpdate)
	register(api, "PUT", "/users/{username}/password", "setUserPassword", "Set a user's password (admin)", http.StatusNoContent, s.handleUserSetPassword)
	register(api, "GET", "/groups", "listGroups", "List groups with their members", 0, s.handleGroupList)
	register(api, "POST", "/groups", "createGroup", "Create a group (admin)", http.StatusCreated, s.handleGroupCreate)
	register(api, "GET", "/groups/{name}", "getGroup", "Get a group", 0, s.handleGroupGet)
	register(api, "PUT", "/groups/{name}/members", "setGroupMembers", "Replace a group's members (admin)", 0, s.handleGroupMembers)
	// events
	register(api, "GET", "/timeline", "timeline", "The instance's events, newest first", 0, s.handleTimeline)
	// templates
	register(api, "GET", "/templates", "listTemplates", "List templates and their versions", 0, s.handleTemplateList)
	register(api, "GET", "/templates/{id}", "getTemplate", "The newest active version of a template", 0, s.handleTemplateGet)
	huma.Register(api, huma.Operation{
		OperationID: "putTemplate", Method: "PUT", Path: "/templates/{id}", DefaultStatus: http.StatusCreated,
		Summary:      "Add a version of a template (YAML or JSON; draft unless activate=true)",
		MaxBodyBytes: templates.MaxSize + 1, Security: []map[string][]string{{"bearer": {}}}, SkipValidateBody: true,
		// Described by hand: the body is YAML or JSON text, read raw.
		RequestBody: &huma.RequestBody{Required: true, Description: "The template definition; see docs/templates.md.", Content: map[string]*huma.MediaType{
			"application/yaml": {Schema: &huma.Schema{Type: "string"}},
			"application/json": {Schema: &huma.Schema{Type: "object"}},
		}},
	}, s.handleTemplatePut)
	// huma adds an octet-stream body for RawBody, which the 3.0 form cannot say.
	delete(api.OpenAPI().Paths["/templates/{id}"].Put.RequestBody.Content, "application/octet-stream")
	register(api, "GET", "/templates/{id}/versions/{version}", "getTemplateVersion", "One version of a template", 0, s.handleTemplateVersionGet)
	register(api, "PUT", "/templates/{id}/versions/{version}/status", "setTemplateVersionStatus", "Make a version draft, active or archived", 0, s.handleTemplateVersionStatus)
	register(api, "DELETE", "/templates/{id}/versions/{version}", "deleteTemplateVersion", "Delete a version no item uses", http.StatusNoContent, s.handleTemplateVersionDelete)
	// items
	register(api, "GET", "/items", "listItems", "List governed items (field.<id>=value filters on field values)", 0, s.handleItemList)
	register(api, "POST", "/items", "createItem", "Create a governed item", http.StatusCreated, s.handleItemCreate)
	registerLarge(api, "PATCH", "/items/{id}", "updateItem", "Change an item's name and fields", 0, 1<<20, s.handleItemUpdate)
	register(api, "POST", "/items/{id}/workflow/{step}", "setItemStep", "Set a workflow step's status", 0, s.handleItemStep)
	register(api, "POST", "/items/{id}/archive", "archiveItem", "Archive an item", 0, s.handleItemArchive)
	register(api, "POST", "/items/{id}/restore", "restoreItem", "Restore an archived item", 0, s.handleItemRestore)
	register(api, "GET", "/items/{id}/timeline", "itemTimeline", "An item's events, newest first", 0, s.handleItemTimeline)
	register(api, "GET", "/items/{id}", "getItem", "Get a governed item", 0, s.handleItemGet)
	register(api, "POST", "/items/{id}/migrate", "migrateItem", "Move an item to another version of its template (or say what that would do)", 0, s.handleItemMigrate)
	s.signoffRoutes(api)
	s.webhookRoutes(api)
	s.subscriptionRoutes(api)
	register(api, "GET", "/items/{id}/source-objects", "itemSourceObjects", "The source objects a governed item governs", 0, s.handleSourceObjects)
	// sources and governable items
	register(api, "GET", "/sources", "listSources", "List sources", 0, s.handleSourceList)
	register(api, "GET", "/sources/{source}", "getSource", "Get a source", 0, s.handleSourceGet)
	register(api, "PUT", "/sources/{source}", "putSource", "Register or change a source (admin)", 0, s.handleSourcePut)
	// The service checks the batch and names each bad entry (metric values
	// too large for a float64 included, which huma would call malformed).
	huma.Register(api, huma.Operation{OperationID: "syncSource", Method: "POST", Path: "/sources/{source}/sync",
		Summary:      "Apply one batch of a source's objects, metrics and deployments, all or nothing",
		MaxBodyBytes: syncBody, SkipValidateBody: true, Security: []map[string][]string{{"bearer": {}}}}, s.handleSync)
	register(api, "GET", "/governable-items", "listGovernableItems", "List governable items", 0, s.handleGovernableList)
	register(api, "GET", "/governable-items/{id}", "getGovernableItem", "Get a governable item", 0, s.handleGovernableGet)
	register(api, "POST", "/governable-items/{id}/govern", "governItem", "Govern a governable item (and its parents or children)", http.StatusCreated, s.handleGovern)
	register(api, "POST", "/governable-items/{id}/ungovern", "ungovernItem", "Ungovern an item: its governed item is archived", 0, s.handleUngovern)
	register(api, "POST", "/governable-items/{id}/hide", "hideItem", "Hide an item and its children", 0, s.handleHide)
	register(api, "POST", "/governable-items/{id}/unhide", "unhideItem", "Show a hidden item and its children", 0, s.handleUnhide)
	register(api, "GET", "/governance-rules", "listGovernanceRules", "The auto-governance rules", 0, s.handleRulesGet)
	register(api, "PUT", "/governance-rules", "putGovernanceRules", "Replace the auto-governance rules (admin)", 0, s.handleRulesPut)
	// registries
	register(api, "GET", "/model-registry", "modelRegistry", "Models by project with their versions and governance state", 0, s.handleModelRegistry)
	register(api, "GET", "/bundle-registry", "bundleRegistry", "Bundles by project with their governance state", 0, s.handleBundleRegistry)
	s.emailRoutes(api)
	s.metricRoutes(api)
	s.deploymentRoutes(api)
}

// register adds one API operation with the house defaults: a small body
// limit and bearer authentication.
func register[I, O any](api huma.API, method, path, id, summary string, status int, h func(context.Context, *I) (*O, error)) {
	registerLarge(api, method, path, id, summary, status, smallBody, h)
}

// registerLarge is register with a body limit of its own.
func registerLarge[I, O any](api huma.API, method, path, id, summary string, status int, maxBody int64, h func(context.Context, *I) (*O, error)) {
	huma.Register(api, huma.Operation{
		OperationID:   id,
		Method:        method,
		Path:          path,
		Summary:       summary,
		DefaultStatus: status,
		MaxBodyBytes:  maxBody,
		Security:      []map[string][]string{{"bearer": {}}},
	}, h)
}

// soonPages are in the navigation already; later issues build them.
var soonPages = map[string]struct {
	section string
	soonData
}{}

package web

import (
	"net/http"
	"net/url"
	"strings"

	"assent"
)

type adminWebhooksData struct {
	Webhooks []*assent.Webhook
}

// renderAdminWebhooks draws the webhooks page, with the create form's state.
func (s *Server) renderAdminWebhooks(w http.ResponseWriter, r *http.Request, status int, p *page) {
	hooks, err := s.Webhooks.FindWebhooks(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	p.Title, p.Section, p.Data = "Webhooks", "admin", adminWebhooksData{Webhooks: hooks}
	s.render(w, r, status, "admin_webhooks", p)
}

// handleAdminWebhooks lists the webhooks.
func (s *Server) handleAdminWebhooks(w http.ResponseWriter, r *http.Request) {
	s.renderAdminWebhooks(w, r, http.StatusOK, &page{Form: map[string]string{"event_types": "*"}})
}

// eventTypesOf splits what was typed into event types, at commas or spaces.
func eventTypesOf(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r' })
}

// handleAdminWebhookCreate creates a webhook from the form and opens its
// page, where the secret is shown once.
func (s *Server) handleAdminWebhookCreate(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r) {
		return
	}
	form := formValues(r, "url", "event_types")
	types := eventTypesOf(form["event_types"])
	hook, secret, err := s.Webhooks.CreateWebhook(r.Context(), assent.NewWebhook{URL: form["url"], EventTypes: types, Secret: r.PostFormValue("secret")})
	if err != nil {
		errs := fieldErrors(err, nil)
		// event_types[i] is one of the words of a single input.
		for loc, msg := range errs {
			if i, ok := indexIn(loc, "event_types"); ok && i < len(types) {
				delete(errs, loc)
				errs["event_types"] = strings.TrimSpace(errs["event_types"] + " “" + types[i] + "”: " + msg)
			}
		}
		s.renderAdminWebhooks(w, r, statusOf[assent.ErrorCode(err)], &page{Form: form, Errors: errs})
		return
	}
	// The secret goes to the next page in a cookie that lives a minute, so
	// that reloading the page does not post the form again.
	http.SetCookie(w, &http.Cookie{Name: newSecretCookie, Value: url.QueryEscape(hook.ID + ":" + secret), Path: "/admin/webhooks/" + hook.ID,
		MaxAge: 60, HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.secureCookies(r)})
	s.redirect(w, r, "/admin/webhooks/"+hook.ID, "ok", "Webhook created.")
}

// indexIn reads i from a location "name[i]".
func indexIn(loc, name string) (int, bool) {
	rest, ok := strings.CutPrefix(loc, name+"[")
	if !ok || !strings.HasSuffix(rest, "]") {
		return 0, false
	}
	i := 0
	for _, c := range strings.TrimSuffix(rest, "]") {
		if c < '0' || c > '9' {
			return 0, false
		}
		i = i*10 + int(c-'0')
	}
	return i, true
}

const newSecretCookie = "assent_new_webhook_secret"

// takeNewSecret returns the secret of the webhook just created, once, and
// clears it.
func (s *Server) takeNewSecret(w http.ResponseWriter, r *http.Request, id string) string {
	c, err := r.Cookie(newSecretCookie)
	if err != nil {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: newSecretCookie, Path: "/admin/webhooks/" + id, MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.secureCookies(r)})
	v, err := url.QueryUnescape(c.Value)
	if err != nil {
		return ""
	}
	if cid, secret, ok := strings.Cut(v, ":"); ok && cid == id {
		return secret
	}
	return ""
}

type adminWebhookData struct {
	Webhook    *assent.Webhook
	Deliveries []*assent.Delivery
	Next       string
	NewSecret  string
}

// handleAdminWebhook shows one webhook and its delivery log, newest first.
func (s *Server) handleAdminWebhook(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	hook, err := s.Webhooks.FindWebhook(r.Context(), id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d := &adminWebhookData{Webhook: hook, NewSecret: s.takeNewSecret(w, r, id)}
	if d.Deliveries, d.Next, err = s.Webhooks.FindDeliveries(r.Context(), id, 50, r.URL.Query().Get("cursor")); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin_webhook", &page{Title: "Webhook " + hook.URL, Section: "admin", Data: d})
}

// handleAdminWebhookEnabled enables or disables a webhook and goes back to
// the list or to the webhook's page.
func (s *Server) handleAdminWebhookEnabled(enabled bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.readForm(w, r) {
			return
		}
		id := r.PathValue("id")
		back := "/admin/webhooks/" + url.PathEscape(id)
		if r.PostFormValue("back") == "list" {
			back = "/admin/webhooks"
		}
		if _, err := s.Webhooks.UpdateWebhook(r.Context(), id, assent.WebhookUpdate{Enabled: &enabled}); err != nil {
			s.redirect(w, r, back, "error", assent.ErrorMessage(err))
			return
		}
		what := "disabled"
		if enabled {
			what = "enabled; its failures were cleared"
		}
		s.redirect(w, r, back, "ok", "Webhook "+what+".")
	}
}

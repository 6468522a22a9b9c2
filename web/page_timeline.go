package web

import (
	"net/http"
	"net/url"
	"strings"

	"assent"
)

type timelineData struct {
	Events       []*assent.Event
	Older, Newer string
	Actions      []string
}

// knownActions feed the action filter's suggestions.
var knownActions = []string{
	"user.create", "user.update", "user.password_set", "user.login", "user.logout", "user.logout_everywhere",
	"group.create", "group.members", "token.create", "token.revoke",
}

// handleTimelinePage lists the instance's events with filters and pages.
func (s *Server) handleTimelinePage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	form := map[string]string{"actor": strings.TrimSpace(q.Get("actor")), "object": strings.TrimSpace(q.Get("object")), "action": strings.TrimSpace(q.Get("action"))}
	f := assent.EventFilter{Actor: form["actor"], Action: form["action"], Cursor: q.Get("cursor"), Limit: 50}
	f.ObjectType, f.ObjectID, _ = strings.Cut(form["object"], ":")
	events, next, err := s.Events.FindEvents(r.Context(), f)
	p := &page{Title: "Timeline", Section: "timeline", Form: form}
	if err != nil {
		if assent.ErrorCode(err) != assent.EINVALID {
			s.pageError(w, r, err)
			return
		}
		p.Errors = fieldErrors(err, nil)
	}
	d := timelineData{Events: events, Actions: knownActions}
	filters := url.Values{}
	for k, v := range form {
		if v != "" {
			filters.Set(k, v)
		}
	}
	if next != "" {
		older := url.Values{"cursor": {next}}
		for k, v := range filters {
			older[k] = v
		}
		d.Older = "/timeline?" + older.Encode()
	}
	if f.Cursor != "" {
		d.Newer = "/timeline?" + filters.Encode()
	}
	p.Data = d
	s.render(w, r, http.StatusOK, "timeline", p)
}

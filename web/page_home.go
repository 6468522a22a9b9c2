package web

import (
	"context"
	"net/http"
	"strings"

	"assent"
)

// homeData is what the start page shows.
type homeData struct {
	Events []*assent.Event
	Tasks  []homeTask
	// More counts the tasks beyond those listed.
	More int
}

// homeTask is a sign-off waiting for the signed-in user.
type homeTask struct {
	*assent.SignoffTask
	Link  string
	Badge signoffState
	What  string // "Feedback for IT & Operations" or "Final approval"
}

// maxHomeTasks bounds the tasks listed on the start page.
const maxHomeTasks = 20

// handleHome shows the start page: my tasks and recent activity.
func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d := homeData{}
	var err error
	if d.Events, _, err = s.Events.FindEvents(ctx, assent.EventFilter{Limit: 8}); err != nil {
		s.pageError(w, r, err)
		return
	}
	if d.Tasks, d.More, err = s.myTasks(ctx); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "home", &page{Title: "Home", Section: "home", Data: d})
}

// myTasks lists the sign-offs waiting for the user's feedback or final
// approval, newest first, and how many more there are.
func (s *Server) myTasks(ctx context.Context) ([]homeTask, int, error) {
	if s.Signoffs == nil {
		return nil, 0, nil
	}
	tasks, err := s.Signoffs.FindMyTasks(ctx)
	if err != nil {
		return nil, 0, err
	}
	more := max(len(tasks)-maxHomeTasks, 0)
	tasks = tasks[:len(tasks)-more]
	out := make([]homeTask, len(tasks))
	for i, t := range tasks {
		out[i] = homeTask{SignoffTask: t, Link: itemURL(t.Item, t.Step) + "#signoff", Badge: signoffState(t.State), What: "Final approval"}
		if t.Role == "feedback" {
			out[i].What = "Feedback for " + t.GroupName
		}
	}
	return out, more, nil
}

type soonData struct{ Heading, Purpose, Arrives string }

// handleSoon draws a page that a later part of Assent builds, saying so.
func (s *Server) handleSoon(section string, d soonData) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.render(w, r, http.StatusOK, "soon", &page{Title: d.Heading, Section: section, Data: d})
	}
}

// handleNotFound answers unknown paths: JSON under /api, a page elsewhere.
func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		writeProblem(w, http.StatusNotFound, "No such API path: "+r.URL.Path)
		return
	}
	s.renderError(w, r, http.StatusNotFound, "Page not found", "There is no page at this address.")
}

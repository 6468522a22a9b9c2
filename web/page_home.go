package web

import (
	"net/http"
	"strings"

	"assent"
)

// handleHome shows the start page.
func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	events, _, err := s.Events.FindEvents(r.Context(), assent.EventFilter{Limit: 8})
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "home", &page{Title: "Home", Section: "home", Data: struct{ Events []*assent.Event }{events}})
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

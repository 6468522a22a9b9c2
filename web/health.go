package web

import (
	"context"
	"net/http"
	"time"
)

// handleHealthz answers while the process runs; it touches nothing.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

// handleReadyz answers 200 when the database answers, so that a load
// balancer sends traffic only to replicas that can serve it.
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	if s.config.Ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.config.Ready(ctx); err != nil {
			s.logger.Warn("not ready", "err", err)
			writeProblem(w, http.StatusServiceUnavailable, "The database does not answer.")
			return
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ready\n"))
}

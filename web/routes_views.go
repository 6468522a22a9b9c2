package web

// viewRoutes adds the list pages of governed items; routes calls it.
func (s *Server) viewRoutes() {
	s.mux.Handle("GET "+projectList.Path, s.page(s.handleProjects))
	s.mux.Handle("POST "+projectList.Path, s.page(s.handleProjectCreate))
	s.mux.Handle("GET "+initiativeList.Path, s.page(s.handleInitiatives))
	s.mux.Handle("POST "+initiativeList.Path, s.page(s.handleInitiativeCreate))
}

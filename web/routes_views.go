package web

// viewRoutes adds the list pages of governed items and the pages of the
// sources' objects: governable items, the registries, the governance
// rules; routes calls it.
func (s *Server) viewRoutes() {
	s.mux.Handle("GET "+projectList.Path, s.page(s.handleProjects))
	s.mux.Handle("POST "+projectList.Path, s.page(s.handleProjectCreate))
	s.mux.Handle("GET "+initiativeList.Path, s.page(s.handleInitiatives))
	s.mux.Handle("POST "+initiativeList.Path, s.page(s.handleInitiativeCreate))
	s.mux.Handle("GET /governable-items", s.page(s.handleGovernableItemsPage))
	s.mux.Handle("GET /governable-items/{id}", s.page(s.handleGovernableItemPage))
	s.mux.Handle("GET /governable-items/{id}/govern", s.page(s.handleGovernFormPage))
	s.mux.Handle("POST /governable-items/{id}/govern", s.page(s.handleGovernPage))
	s.mux.Handle("POST /governable-items/{id}/hide", s.page(s.handleGovernableHidePage(true)))
	s.mux.Handle("POST /governable-items/{id}/unhide", s.page(s.handleGovernableHidePage(false)))
	s.mux.Handle("GET "+modelRegistry.Path, s.page(s.handleRegistryPage(modelRegistry)))
	s.mux.Handle("GET "+bundleRegistry.Path, s.page(s.handleRegistryPage(bundleRegistry)))
	s.mux.Handle("GET /admin/governance-rules", s.adminPage(s.handleAdminRules))
	s.mux.Handle("POST /admin/governance-rules", s.adminPage(s.handleAdminRulesSave))
}

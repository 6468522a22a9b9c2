package web

import "net/http"

// initiativeList is the Business initiatives page: a table and a Kanban
// board by step, each initiative with the number of its projects.
var initiativeList = &itemList{
	Path:       "/business-initiatives",
	Page:       "initiatives",
	Title:      "Business initiatives",
	Purpose:    "The business goals your projects serve, from the first idea to their progress.",
	Section:    "initiatives",
	Noun:       "business initiative",
	Type:       "business_initiative",
	Template:   "standard-business-initiative",
	Views:      []string{"table", "kanban"},
	Ratings:    []string{"value_rating"},
	ChildType:  "project",
	ChildLabel: "Projects",
	ChildPath:  projectList.Path,
	ChildParam: projectList.ParentParam,
}

// handleInitiatives shows the initiatives in the view the address asks for.
func (s *Server) handleInitiatives(w http.ResponseWriter, r *http.Request) {
	s.renderList(w, r, initiativeList, http.StatusOK, &page{})
}

// handleInitiativeCreate creates an initiative from the New business
// initiative form and opens it.
func (s *Server) handleInitiativeCreate(w http.ResponseWriter, r *http.Request) {
	s.createItem(w, r, initiativeList, []string{"description"})
}

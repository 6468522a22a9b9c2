package web

import "net/http"

// projectList is the Governed projects page: a table, a Kanban board by
// step and a value × feasibility matrix of the items of type project, laid
// out by the standard project template.
var projectList = &itemList{
	Path:        "/projects",
	Page:        "projects",
	Title:       "Governed projects",
	Purpose:     "Every governed project: where it stands in its workflow, and how it rates for value and feasibility.",
	Section:     "projects",
	Noun:        "project",
	Type:        "project",
	Template:    "standard-project",
	Views:       []string{"table", "kanban", "matrix"},
	Ratings:     []string{"qualification_value_rating", "qualification_feasibility_rating"},
	ParentType:  "business_initiative",
	ParentLabel: "Business initiative",
	ParentParam: "initiative",
	ParentField: "business_initiative",
}

// handleProjects shows the projects in the view the address asks for.
func (s *Server) handleProjects(w http.ResponseWriter, r *http.Request) {
	s.renderList(w, r, projectList, http.StatusOK, &page{})
}

// handleProjectCreate creates a project from the New project form and
// opens it.
func (s *Server) handleProjectCreate(w http.ResponseWriter, r *http.Request) {
	s.createItem(w, r, projectList, []string{"business_initiative", "description"})
}

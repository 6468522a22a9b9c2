package web

import (
	"net/http"

	"assent"
)

var roles = []assent.Role{assent.RoleViewer, assent.RoleMember, assent.RoleAdmin}

type adminUsersData struct {
	Users []*assent.User
	Roles []assent.Role
	Next  string
}

// renderAdminUsers draws the users page, with the create form's state.
func (s *Server) renderAdminUsers(w http.ResponseWriter, r *http.Request, status int, p *page) {
	users, next, err := s.Users.FindUsers(r.Context(), assent.UserFilter{Limit: 100, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	p.Title, p.Section, p.Data = "Users", "admin", adminUsersData{Users: users, Roles: roles, Next: next}
	s.render(w, r, status, "admin_users", p)
}

// handleAdminUsers lists users.
func (s *Server) handleAdminUsers(w http.ResponseWriter, r *http.Request) {
	s.renderAdminUsers(w, r, http.StatusOK, &page{Form: map[string]string{"role": string(assent.RoleMember)}})
}

// handleAdminUserCreate creates a user from the form.
func (s *Server) handleAdminUserCreate(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r) {
		return
	}
	form := formValues(r, "username", "display_name", "email", "role")
	n := assent.NewUser{Username: form["username"], DisplayName: form["display_name"], Email: form["email"], Role: assent.Role(form["role"]), Password: r.PostFormValue("password")}
	if n.Password == "" {
		s.renderAdminUsers(w, r, http.StatusUnprocessableEntity, &page{Form: form, Errors: map[string]string{"password": "A first password is needed to sign in."}})
		return
	}
	u, err := s.Users.CreateUser(r.Context(), n)
	if err != nil {
		s.renderAdminUsers(w, r, statusOf[assent.ErrorCode(err)], &page{Form: form, Errors: fieldErrors(err, nil)})
		return
	}
	s.redirect(w, r, "/admin/users", "ok", "User "+u.Username+" created.")
}

// handleAdminUserRole changes a user's role.
func (s *Server) handleAdminUserRole(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r) {
		return
	}
	role := assent.Role(r.PostFormValue("role"))
	s.adminUserUpdate(w, r, assent.UserUpdate{Role: &role}, "now has the role "+string(role))
}

// handleAdminUserDisabled disables or enables a user.
func (s *Server) handleAdminUserDisabled(disabled bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		what := "is enabled"
		if disabled {
			what = "is disabled; their sessions and tokens stopped working"
		}
		s.adminUserUpdate(w, r, assent.UserUpdate{Disabled: &disabled}, what)
	}
}

func (s *Server) adminUserUpdate(w http.ResponseWriter, r *http.Request, upd assent.UserUpdate, what string) {
	username := r.PathValue("username")
	if _, err := s.Users.UpdateUser(r.Context(), username, upd); err != nil {
		s.redirect(w, r, "/admin/users", "error", assent.ErrorMessage(err))
		return
	}
	s.redirect(w, r, "/admin/users", "ok", username+" "+what+".")
}

type adminGroupsData struct {
	Groups []*assent.Group
	Users  []*assent.User
}

func (s *Server) renderAdminGroups(w http.ResponseWriter, r *http.Request, status int, p *page) {
	groups, err := s.Groups.FindGroups(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	users, _, err := s.Users.FindUsers(r.Context(), assent.UserFilter{Limit: assent.MaxPageSize})
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	p.Title, p.Section, p.Data = "Groups", "admin", adminGroupsData{Groups: groups, Users: users}
	s.render(w, r, status, "admin_groups", p)
}

// handleAdminGroups lists groups with their members.
func (s *Server) handleAdminGroups(w http.ResponseWriter, r *http.Request) {
	s.renderAdminGroups(w, r, http.StatusOK, &page{})
}

// handleAdminGroupCreate creates a group from the form.
func (s *Server) handleAdminGroupCreate(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r) {
		return
	}
	form := formValues(r, "name", "description")
	g, err := s.Groups.CreateGroup(r.Context(), form["name"], form["description"])
	if err != nil {
		s.renderAdminGroups(w, r, statusOf[assent.ErrorCode(err)], &page{Form: form, Errors: fieldErrors(err, nil)})
		return
	}
	s.redirect(w, r, "/admin/groups", "ok", "Group "+g.Name+" created.")
}

// handleAdminGroupMembers adds or removes one member.
func (s *Server) handleAdminGroupMembers(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r) {
		return
	}
	name, username := r.PathValue("name"), r.PostFormValue("username")
	var err error
	var msg string
	if r.PostFormValue("action") == "remove" {
		_, err = s.Groups.RemoveGroupMember(r.Context(), name, username)
		msg = username + " left " + name + "."
	} else {
		_, err = s.Groups.AddGroupMember(r.Context(), name, username)
		msg = username + " joined " + name + "."
	}
	if err != nil {
		s.redirect(w, r, "/admin/groups", "error", assent.ErrorMessage(err))
		return
	}
	s.redirect(w, r, "/admin/groups#group-"+name, "ok", msg)
}

// handleAdminTokens lists everyone's tokens.
func (s *Server) handleAdminTokens(w http.ResponseWriter, r *http.Request) {
	tokens, err := s.Tokens.FindTokens(r.Context(), "")
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin_tokens", &page{Title: "API tokens", Section: "admin", Data: struct{ Tokens []*assent.Token }{tokens}})
}

package web

import (
	"context"

	"assent"
)

type userListInput struct {
	Role   string `query:"role" enum:"admin,member,viewer," doc:"Only users with this role."`
	Limit  int    `query:"limit" minimum:"0" maximum:"500"`
	Cursor string `query:"cursor"`
}

type userListOutput struct {
	Body struct {
		Items      []*assent.User `json:"items"`
		NextCursor string         `json:"next_cursor"`
	}
}

// handleUserList lists users in username order.
func (s *Server) handleUserList(ctx context.Context, in *userListInput) (*userListOutput, error) {
	users, next, err := s.Users.FindUsers(ctx, assent.UserFilter{Role: assent.Role(in.Role), Limit: in.Limit, Cursor: in.Cursor})
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	out := &userListOutput{}
	out.Body.Items, out.Body.NextCursor = users, next
	if out.Body.Items == nil {
		out.Body.Items = []*assent.User{}
	}
	return out, nil
}

type userCreateInput struct {
	Body struct {
		Username    string `json:"username" doc:"Lowercase letters, digits, '.', '_' or '-'." example:"ada"`
		DisplayName string `json:"display_name,omitempty" maxLength:"200"`
		Email       string `json:"email,omitempty" maxLength:"320"`
		Role        string `json:"role" enum:"admin,member,viewer"`
		Password    string `json:"password,omitempty" doc:"At least 8 characters. Without one the user signs in only with tokens."`
	}
}

// handleUserCreate adds a user.
func (s *Server) handleUserCreate(ctx context.Context, in *userCreateInput) (*userOutput, error) {
	b := in.Body
	u, err := s.Users.CreateUser(ctx, assent.NewUser{Username: b.Username, DisplayName: b.DisplayName, Email: b.Email, Role: assent.Role(b.Role), Password: b.Password})
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	return &userOutput{Body: u}, nil
}

type usernameInput struct {
	Username string `path:"username" maxLength:"63"`
}

// handleUserGet returns one user.
func (s *Server) handleUserGet(ctx context.Context, in *usernameInput) (*userOutput, error) {
	u, err := s.Users.FindUser(ctx, in.Username)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	return &userOutput{Body: u}, nil
}

type userUpdateInput struct {
	Username string `path:"username" maxLength:"63"`
	Body     struct {
		DisplayName *string `json:"display_name,omitempty" maxLength:"200"`
		Email       *string `json:"email,omitempty" maxLength:"320"`
		Role        *string `json:"role,omitempty" enum:"admin,member,viewer"`
		Disabled    *bool   `json:"disabled,omitempty" doc:"A disabled user's tokens and sessions stop working at once."`
	}
}

// handleUserUpdate changes a profile (own or, for admins, anyone's), a role
// or the disabled state.
func (s *Server) handleUserUpdate(ctx context.Context, in *userUpdateInput) (*userOutput, error) {
	upd := assent.UserUpdate{DisplayName: in.Body.DisplayName, Email: in.Body.Email, Disabled: in.Body.Disabled}
	if in.Body.Role != nil {
		r := assent.Role(*in.Body.Role)
		upd.Role = &r
	}
	u, err := s.Users.UpdateUser(ctx, in.Username, upd)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	return &userOutput{Body: u}, nil
}

type setPasswordInput struct {
	Username string `path:"username" maxLength:"63"`
	Body     struct {
		Password string `json:"password" minLength:"1" maxLength:"1024"`
	}
}

// handleUserSetPassword sets another user's password.
func (s *Server) handleUserSetPassword(ctx context.Context, in *setPasswordInput) (*struct{}, error) {
	if err := s.Users.SetPassword(ctx, in.Username, in.Body.Password); err != nil {
		return nil, s.apiError(ctx, err)
	}
	return nil, nil
}

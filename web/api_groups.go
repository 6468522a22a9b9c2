package web

import (
	"context"

	"assent"
)

type groupOutput struct {
	Body *assent.Group
}

type groupListOutput struct {
	Body struct {
		Items      []*assent.Group `json:"items"`
		NextCursor string          `json:"next_cursor"`
	}
}

type pageInput struct {
	Limit  int    `query:"limit" minimum:"0" maximum:"500"`
	Cursor string `query:"cursor"`
}

// handleGroupList lists groups with their members, in name order.
func (s *Server) handleGroupList(ctx context.Context, in *pageInput) (*groupListOutput, error) {
	groups, err := s.Groups.FindGroups(ctx)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	out := &groupListOutput{}
	if out.Body.Items, out.Body.NextCursor, err = pageOf(groups, func(g *assent.Group) string { return g.Name }, in.Limit, in.Cursor); err != nil {
		return nil, s.apiError(ctx, err)
	}
	return out, nil
}

type groupCreateInput struct {
	Body struct {
		Name        string   `json:"name" example:"risk-office"`
		Description string   `json:"description,omitempty" maxLength:"1000"`
		Members     []string `json:"members,omitempty" maxItems:"10000"`
	}
}

// handleGroupCreate adds a group, with its first members when given.
func (s *Server) handleGroupCreate(ctx context.Context, in *groupCreateInput) (*groupOutput, error) {
	g, err := s.Groups.CreateGroup(ctx, in.Body.Name, in.Body.Description)
	if err == nil && len(in.Body.Members) > 0 {
		g, err = s.Groups.SetGroupMembers(ctx, in.Body.Name, in.Body.Members)
	}
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	return &groupOutput{Body: g}, nil
}

type groupNameInput struct {
	Name string `path:"name" maxLength:"63"`
}

// handleGroupGet returns one group.
func (s *Server) handleGroupGet(ctx context.Context, in *groupNameInput) (*groupOutput, error) {
	g, err := s.Groups.FindGroup(ctx, in.Name)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	return &groupOutput{Body: g}, nil
}

type groupMembersInput struct {
	Name string `path:"name" maxLength:"63"`
	Body struct {
		Members []string `json:"members" maxItems:"10000"`
	}
}

// handleGroupMembers replaces a group's members.
func (s *Server) handleGroupMembers(ctx context.Context, in *groupMembersInput) (*groupOutput, error) {
	g, err := s.Groups.SetGroupMembers(ctx, in.Name, in.Body.Members)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	return &groupOutput{Body: g}, nil
}

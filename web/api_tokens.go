package web

import (
	"context"

	"assent"
)

type tokenListInput struct {
	Username string `query:"username" doc:"Whose tokens; admins may name anyone."`
	All      bool   `query:"all" doc:"Everyone's tokens (admins only)."`
	Limit    int    `query:"limit" minimum:"0" maximum:"500"`
	Cursor   string `query:"cursor"`
}

type tokenListOutput struct {
	Body struct {
		Items      []*assent.Token `json:"items"`
		NextCursor string          `json:"next_cursor"`
	}
}

// handleTokenList lists the caller's tokens, or anyone's for an admin.
func (s *Server) handleTokenList(ctx context.Context, in *tokenListInput) (*tokenListOutput, error) {
	u, err := assent.RequireRole(ctx, assent.RoleViewer)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	username := in.Username
	if username == "" && !in.All {
		username = u.Username
	}
	tokens, err := s.Tokens.FindTokens(ctx, username)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	out := &tokenListOutput{}
	if out.Body.Items, out.Body.NextCursor, err = pageOf(tokens, func(t *assent.Token) string { return t.ID }, in.Limit, in.Cursor); err != nil {
		return nil, s.apiError(ctx, err)
	}
	return out, nil
}

type tokenCreateInput struct {
	Body struct {
		Name     string `json:"name" minLength:"1" maxLength:"100" doc:"What the token is for."`
		Username string `json:"username,omitempty" doc:"Owner; admins may create tokens for others. Defaults to the caller."`
		Expires  string `json:"expires,omitempty" doc:"Lifetime such as 30d, 12h or never (the default)." example:"30d"`
	}
}

// handleTokenCreate issues a token to a signed-in user.
func (s *Server) handleTokenCreate(ctx context.Context, in *tokenCreateInput) (*tokenCreatedOutput, error) {
	return s.createToken(ctx, in.Body.Username, in.Body.Name, in.Body.Expires)
}

type tokenIDInput struct {
	ID string `path:"id" maxLength:"64"`
}

// handleTokenRevoke revokes a token at once.
func (s *Server) handleTokenRevoke(ctx context.Context, in *tokenIDInput) (*struct{}, error) {
	if err := s.Tokens.RevokeToken(ctx, in.ID); err != nil {
		return nil, s.apiError(ctx, err)
	}
	return nil, nil
}

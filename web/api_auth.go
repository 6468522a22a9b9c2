package web

import (
	"context"
	"time"

	"assent"
)

type authTokenInput struct {
	Body struct {
		Username string `json:"username" minLength:"1" maxLength:"63"`
		Password string `json:"password" minLength:"1" maxLength:"1024"`
		Name     string `json:"name,omitempty" maxLength:"100" doc:"What the token is for; defaults to \"API\"."`
		Expires  string `json:"expires,omitempty" doc:"Lifetime such as 30d, 12h or never (the default)." example:"30d"`
	}
}

type tokenWithSecret struct {
	*assent.Token
	Secret string `json:"token" doc:"The token itself. It is shown this once; only its hash is stored."`
}

type tokenCreatedOutput struct {
	Body tokenWithSecret
}

// handleAuthToken trades a username and password for an API token.
func (s *Server) handleAuthToken(ctx context.Context, in *authTokenInput) (*tokenCreatedOutput, error) {
	u, err := s.Users.Authenticate(ctx, in.Body.Username, in.Body.Password, clientAddressFrom(ctx))
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	name := in.Body.Name
	if name == "" {
		name = "API"
	}
	return s.createToken(assent.NewContextWithUser(ctx, u), "", name, in.Body.Expires)
}

// createToken issues a token for the API.
func (s *Server) createToken(ctx context.Context, username, name, expires string) (*tokenCreatedOutput, error) {
	t, err := s.issueToken(ctx, username, name, expires)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	return &tokenCreatedOutput{Body: *t}, nil
}

// issueToken creates a token that expires after the lifetime expires names.
func (s *Server) issueToken(ctx context.Context, username, name, expires string) (*tokenWithSecret, error) {
	lifetime, err := assent.ParseExpiry(expires)
	if err != nil {
		return nil, err
	}
	n := assent.NewToken{Username: username, Name: name}
	if lifetime > 0 {
		at := time.Now().Add(lifetime).UTC().Truncate(time.Millisecond)
		n.ExpiresAt = &at
	}
	t, secret, err := s.Tokens.CreateToken(ctx, n)
	if err != nil {
		return nil, err
	}
	return &tokenWithSecret{Token: t, Secret: secret}, nil
}

type userOutput struct {
	Body *assent.User
}

// handleMe returns the signed-in user.
func (s *Server) handleMe(ctx context.Context, _ *struct{}) (*userOutput, error) {
	u, err := assent.RequireRole(ctx, assent.RoleViewer)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	return &userOutput{Body: u}, nil
}

type changePasswordInput struct {
	Body struct {
		Current string `json:"current_password" minLength:"1" maxLength:"1024"`
		New     string `json:"new_password" minLength:"1" maxLength:"1024"`
	}
}

// handleMePassword changes the signed-in user's password.
func (s *Server) handleMePassword(ctx context.Context, in *changePasswordInput) (*struct{}, error) {
	if err := s.Users.ChangeOwnPassword(ctx, in.Body.Current, in.Body.New); err != nil {
		if e, ok := err.(*assent.Error); ok && e.Code == assent.EINVALID {
			// The domain names the field "password"; here it is "new_password".
			for i := range e.Details {
				if e.Details[i].Location == "password" {
					e.Details[i].Location = "new_password"
				}
			}
		}
		return nil, s.apiError(ctx, err)
	}
	return nil, nil
}

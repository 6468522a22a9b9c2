package assent

import (
	"context"
	"time"
)

// Token is an API token as listed: the secret itself is shown once at
// creation and only its hash is stored.
type Token struct {
	ID         string     `json:"id"`
	Username   string     `json:"username"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

// TokenPrefix starts every token so that secret scanners can find leaked ones.
const TokenPrefix = "assent_"

// TokenLastUsedPrecision is how stale a token's last-used time may be; it
// spares a write on every request.
const TokenLastUsedPrecision = time.Minute

// NewToken is what creating a token takes.
type NewToken struct {
	Username  string     // owner; empty means the acting user
	Name      string     // what the token is for
	ExpiresAt *time.Time // nil for no expiry
}

// TokenService issues, lists, revokes and checks API tokens.
type TokenService interface {
	// CreateToken issues a token and returns it with its secret. A user
	// creates their own; an admin may create one for anyone. EINVALID.
	CreateToken(ctx context.Context, n NewToken) (*Token, string, error)

	// FindTokens lists tokens of username, or of everyone when username is
	// "" and the actor is an admin.
	FindTokens(ctx context.Context, username string) ([]*Token, error)

	// RevokeToken deletes a token; its owner or an admin. ENOTFOUND.
	RevokeToken(ctx context.Context, id string) error

	// AuthenticateToken returns the user owning secret. EUNAUTHORIZED for an
	// unknown, revoked or expired token or a disabled user.
	AuthenticateToken(ctx context.Context, secret string) (*User, *Token, error)
}

package assent

import (
	"context"
	"time"
)

// Session is a browser sign-in as listed on the profile page. Its secret
// lives only in the browser's cookie; the database keeps a hash.
type Session struct {
	ID         string    `json:"id"`
	Username   string    `json:"username"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"` // the latest it can last, however active
	UserAgent  string    `json:"user_agent"`
	Address    string    `json:"address"`
}

// SessionLastSeenPrecision is how stale a session's last-seen time may be;
// it spares a write on every page.
const SessionLastSeenPrecision = time.Minute

// SessionService signs browsers in and out.
type SessionService interface {
	// CreateSession starts a session for a user who has just authenticated
	// and returns it with the secret for the cookie.
	CreateSession(ctx context.Context, username, userAgent, address string) (*Session, string, error)

	// AuthenticateSession returns the user of a session secret.
	// EUNAUTHORIZED when it is unknown, idle too long, past its lifetime,
	// or its user is disabled.
	AuthenticateSession(ctx context.Context, secret string) (*User, *Session, error)

	// DeleteSession ends one session (log out); unknown secrets are ignored.
	DeleteSession(ctx context.Context, secret string) error

	// FindSessions lists the live sessions of a user; their own or, for an admin, anyone's.
	FindSessions(ctx context.Context, username string) ([]*Session, error)

	// DeleteUserSessions ends every session of a user ("log out
	// everywhere"); their own or, for an admin, anyone's. It returns how many ended.
	DeleteUserSessions(ctx context.Context, username string) (int, error)
}

package sqldb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"assent"
)

// TokenService implements assent.TokenService. Tokens are random; only
// their SHA-256 is stored, so a copy of the database reveals none.
type TokenService struct{ db *DB }

// NewTokenService returns the token service of db.
func NewTokenService(db *DB) *TokenService { return &TokenService{db: db} }

var _ assent.TokenService = (*TokenService)(nil)

func hashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// CreateToken issues a token for the actor, or for anyone when the actor is an admin.
func (s *TokenService) CreateToken(ctx context.Context, n assent.NewToken) (*assent.Token, string, error) {
	actor, err := assent.RequireRole(ctx, assent.RoleViewer)
	if err != nil {
		return nil, "", err
	}
	if n.Username == "" {
		n.Username = actor.Username
	}
	if n.Username != actor.Username && !actor.HasRole(assent.RoleAdmin) {
		return nil, "", assent.Errorf(assent.EFORBIDDEN, "Only an admin may create tokens for another user.")
	}
	var p assent.Problems
	n.Name = strings.TrimSpace(n.Name)
	if n.Name == "" || len(n.Name) > 100 {
		p.Add("name", "must be 1 to 100 characters saying what the token is for")
	}
	if n.ExpiresAt != nil && !n.ExpiresAt.After(s.db.Now()) {
		p.Add("expires_at", "must be in the future")
	}
	if err := p.Err(); err != nil {
		return nil, "", err
	}
	secret := assent.TokenPrefix + randomString(32)
	t := &assent.Token{ID: "tok_" + randomString(9), Username: n.Username, Name: n.Name, ExpiresAt: n.ExpiresAt}
	err = s.db.inTx(ctx, func(tx *Tx) error {
		owner, err := findUser(ctx, tx, n.Username)
		if err != nil {
			return err
		} else if owner.Disabled {
			return assent.Errorf(assent.ECONFLICT, "User %s is disabled.", owner.Username)
		}
		t.CreatedAt = tx.now
		if _, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (id, username, name, hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			t.ID, t.Username, t.Name, hashToken(secret), ms(tx.now), nullMS(t.ExpiresAt)); err != nil {
			return fmt.Errorf("create token: %w", err)
		}
		// The event names the token; it never holds the secret or its hash.
		tx.record("token", t.ID, "token.create", nil, map[string]any{"username": t.Username, "name": t.Name, "expires_at": t.ExpiresAt})
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	return t, secret, nil
}

const tokenColumns = `id, username, name, created_at, expires_at, last_used_at`

func scanToken(row interface{ Scan(...any) error }) (*assent.Token, error) {
	var t assent.Token
	var created int64
	var expires, used sql.NullInt64
	if err := row.Scan(&t.ID, &t.Username, &t.Name, &created, &expires, &used); err != nil {
		return nil, err
	}
	t.CreatedAt, t.ExpiresAt, t.LastUsedAt = fromMS(created), fromNullMS(expires), fromNullMS(used)
	return &t, nil
}

// FindTokens lists the tokens of username, or everyone's for an admin asking with "".
func (s *TokenService) FindTokens(ctx context.Context, username string) ([]*assent.Token, error) {
	actor, err := assent.RequireRole(ctx, assent.RoleViewer)
	if err != nil {
		return nil, err
	}
	if username != actor.Username && !actor.HasRole(assent.RoleAdmin) {
		return nil, assent.Errorf(assent.EFORBIDDEN, "Only an admin may list the tokens of others.")
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE ($1 = '' OR username = $1) ORDER BY created_at DESC, id`, username)
	if err != nil {
		return nil, fmt.Errorf("find tokens: %w", err)
	}
	defer rows.Close()
	tokens := []*assent.Token{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		tokens = append(tokens, t)
	}
	return tokens, rows.Err()
}

// RevokeToken deletes a token; its owner or an admin.
func (s *TokenService) RevokeToken(ctx context.Context, id string) error {
	actor, err := assent.RequireRole(ctx, assent.RoleViewer)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		t, err := scanToken(tx.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE id = $1`, id))
		// Someone else's token answers like a missing one, so ids cannot be probed.
		if errors.Is(err, sql.ErrNoRows) || (err == nil && t.Username != actor.Username && !actor.HasRole(assent.RoleAdmin)) {
			return assent.Errorf(assent.ENOTFOUND, "Token %q not found.", id)
		} else if err != nil {
			return fmt.Errorf("revoke token: %w", err)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM api_tokens WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("revoke token: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 { // revoked at the same moment
			return assent.Errorf(assent.ENOTFOUND, "Token %q not found.", id)
		}
		tx.record("token", id, "token.revoke", map[string]any{"username": t.Username, "name": t.Name}, nil)
		return nil
	})
}

var errBadToken = assent.Errorf(assent.EUNAUTHORIZED, "The token is unknown, revoked or expired, or its user is disabled.")

// AuthenticateToken returns the owner of secret. It reads one row per call
// and writes the last-used time at most once per TokenLastUsedPrecision.
func (s *TokenService) AuthenticateToken(ctx context.Context, secret string) (*assent.User, *assent.Token, error) {
	if !strings.HasPrefix(secret, assent.TokenPrefix) {
		return nil, nil, errBadToken
	}
	st, err := s.db.readStmt(ctx, `SELECT t.id, t.username, t.name, t.created_at, t.expires_at, t.last_used_at,
			u.display_name, u.email, u.role, u.disabled, u.created_at, u.updated_at
		FROM api_tokens t JOIN users u ON u.username = t.username WHERE t.hash = $1`)
	if err != nil {
		return nil, nil, err
	}
	row := st.QueryRowContext(ctx, hashToken(secret))
	var t assent.Token
	var u assent.User
	var tCreated, uCreated, uUpdated int64
	var expires, used sql.NullInt64
	err = row.Scan(&t.ID, &t.Username, &t.Name, &tCreated, &expires, &used,
		&u.DisplayName, &u.Email, &u.Role, &u.Disabled, &uCreated, &uUpdated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, errBadToken
	} else if err != nil {
		return nil, nil, fmt.Errorf("authenticate token: %w", err)
	}
	now := s.db.Now()
	t.CreatedAt, t.ExpiresAt, t.LastUsedAt = fromMS(tCreated), fromNullMS(expires), fromNullMS(used)
	u.Username, u.CreatedAt, u.UpdatedAt = t.Username, fromMS(uCreated), fromMS(uUpdated)
	if u.Disabled || (t.ExpiresAt != nil && !now.Before(*t.ExpiresAt)) {
		return nil, nil, errBadToken
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= assent.TokenLastUsedPrecision {
		// Guarded so that concurrent requests write once; usage is not an audited change.
		if _, err := s.db.write.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at <= $3)`,
			ms(now), t.ID, ms(now.Add(-assent.TokenLastUsedPrecision))); err != nil {
			return nil, nil, fmt.Errorf("token last use: %w", err)
		}
		t.LastUsedAt = &now
	}
	return &u, &t, nil
}

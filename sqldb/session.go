package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"assent"
)

// SessionService implements assent.SessionService with a table of its own,
// so that a user's sessions can be listed and ended together and a disabled
// user's sessions stop at once.
type SessionService struct {
	db *DB
	// IdleTimeout ends a session nobody used for that long.
	IdleTimeout time.Duration
	// MaxAge ends a session that long after sign-in, however active.
	MaxAge time.Duration
}

// NewSessionService returns the session service of db with default timeouts.
func NewSessionService(db *DB) *SessionService {
	return &SessionService{db: db, IdleTimeout: 12 * time.Hour, MaxAge: 30 * 24 * time.Hour}
}

var _ assent.SessionService = (*SessionService)(nil)

var errNoSession = assent.Errorf(assent.EUNAUTHORIZED, "Your session has ended; please sign in again.")

// CreateSession starts a session; the caller has checked the credentials.
func (s *SessionService) CreateSession(ctx context.Context, username, userAgent, address string) (*assent.Session, string, error) {
	secret := randomString(32)
	sess := &assent.Session{ID: "ses_" + randomString(9), Username: username, UserAgent: userAgent, Address: address}
	ctx = assent.NewContextWithUser(ctx, &assent.User{Username: username})
	err := s.db.inTx(ctx, func(tx *Tx) error {
		sess.CreatedAt, sess.LastSeenAt, sess.ExpiresAt = tx.now, tx.now, tx.now.Add(s.MaxAge)
		// Sweep sessions that can no longer be used, so the table stays small.
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2`,
			ms(tx.now), ms(tx.now.Add(-s.IdleTimeout))); err != nil {
			return fmt.Errorf("sweep sessions: %w", err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (hash, id, username, created_at, last_seen_at, expires_at, user_agent, address)
			VALUES ($1, $2, $3, $4, $4, $5, $6, $7)`, hashToken(secret), sess.ID, username, ms(tx.now), ms(sess.ExpiresAt), userAgent, address)
		if isForeignKeyViolation(err) {
			return assent.Errorf(assent.ENOTFOUND, "User %q not found.", username)
		} else if err != nil {
			return fmt.Errorf("create session: %w", err)
		}
		tx.record("user", username, "user.login", nil, map[string]any{"session": sess.ID, "address": address, "user_agent": userAgent})
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	return sess, secret, nil
}

const sessionColumns = `s.id, s.username, s.created_at, s.last_seen_at, s.expires_at, s.user_agent, s.address`

func scanSession(row interface{ Scan(...any) error }, extra ...any) (*assent.Session, error) {
	var sess assent.Session
	var created, seen, expires int64
	dest := append([]any{&sess.ID, &sess.Username, &created, &seen, &expires, &sess.UserAgent, &sess.Address}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	sess.CreatedAt, sess.LastSeenAt, sess.ExpiresAt = fromMS(created), fromMS(seen), fromMS(expires)
	return &sess, nil
}

// AuthenticateSession returns the user of a live session.
func (s *SessionService) AuthenticateSession(ctx context.Context, secret string) (*assent.User, *assent.Session, error) {
	st, err := s.db.readStmt(ctx, `SELECT `+sessionColumns+`, u.display_name, u.email, u.role, u.disabled, u.created_at, u.updated_at
		FROM sessions s JOIN users u ON u.username = s.username WHERE s.hash = $1`)
	if err != nil {
		return nil, nil, err
	}
	var u assent.User
	var uCreated, uUpdated int64
	sess, err := scanSession(st.QueryRowContext(ctx, hashToken(secret)), &u.DisplayName, &u.Email, &u.Role, &u.Disabled, &uCreated, &uUpdated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, errNoSession
	} else if err != nil {
		return nil, nil, fmt.Errorf("authenticate session: %w", err)
	}
	u.Username, u.CreatedAt, u.UpdatedAt = sess.Username, fromMS(uCreated), fromMS(uUpdated)
	now := s.db.Now()
	if u.Disabled || !now.Before(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) >= s.IdleTimeout {
		return nil, nil, errNoSession
	}
	if now.Sub(sess.LastSeenAt) >= assent.SessionLastSeenPrecision {
		if _, err := s.db.write.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE hash = $2 AND last_seen_at <= $3`,
			ms(now), hashToken(secret), ms(now.Add(-assent.SessionLastSeenPrecision))); err != nil {
			return nil, nil, fmt.Errorf("session last seen: %w", err)
		}
		sess.LastSeenAt = now
	}
	return &u, sess, nil
}

// DeleteSession ends the session of secret.
func (s *SessionService) DeleteSession(ctx context.Context, secret string) error {
	return s.db.inTx(ctx, func(tx *Tx) error {
		var id, username string
		err := tx.QueryRowContext(ctx, `DELETE FROM sessions WHERE hash = $1 RETURNING id, username`, hashToken(secret)).Scan(&id, &username)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		} else if err != nil {
			return fmt.Errorf("delete session: %w", err)
		}
		tx.record("user", username, "user.logout", map[string]any{"session": id}, nil)
		return nil
	})
}

// mayManageSessions allows users their own sessions and admins everyone's.
func mayManageSessions(ctx context.Context, username string) error {
	actor, err := assent.RequireRole(ctx, assent.RoleViewer)
	if err != nil {
		return err
	}
	if actor.Username != username && !actor.HasRole(assent.RoleAdmin) {
		return assent.Errorf(assent.EFORBIDDEN, "Only an admin may see or end the sessions of others.")
	}
	return nil
}

// FindSessions lists the live sessions of username, newest first.
func (s *SessionService) FindSessions(ctx context.Context, username string) ([]*assent.Session, error) {
	if err := mayManageSessions(ctx, username); err != nil {
		return nil, err
	}
	now := s.db.Now()
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+sessionColumns+` FROM sessions s
		WHERE s.username = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 ORDER BY s.last_seen_at DESC, s.id`,
		username, ms(now), ms(now.Add(-s.IdleTimeout)))
	if err != nil {
		return nil, fmt.Errorf("find sessions: %w", err)
	}
	defer rows.Close()
	sessions := []*assent.Session{}
	for rows.Next() {
		sess, err := scanSession(rows)
		if err != nil {
			return nil, err
		}
		sessions = append(sessions, sess)
	}
	return sessions, rows.Err()
}

// DeleteUserSessions ends every session of username.
func (s *SessionService) DeleteUserSessions(ctx context.Context, username string) (int, error) {
	if err := mayManageSessions(ctx, username); err != nil {
		return 0, err
	}
	var n int64
	err := s.db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE username = $1`, username)
		if err != nil {
			return fmt.Errorf("delete sessions: %w", err)
		}
		n, _ = res.RowsAffected()
		tx.record("user", username, "user.logout_everywhere", nil, map[string]any{"sessions_ended": n})
		return nil
	})
	return int(n), err
}

package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"assent"
	"assent/password"
)

// Failed sign-ins are counted per username and address in the database, so
// that replicas share the count and a restart does not reset it.
const (
	LoginWindow      = 5 * time.Minute
	MaxLoginFailures = 10
)

var errBadCredentials = &assent.Error{Code: assent.EUNAUTHORIZED, Message: "Wrong username or password."}

// Authenticate checks a username and password. Unknown users, wrong
// passwords and disabled accounts get the same answer, after the same work.
// Each attempt is counted as a failure before the password is checked, in a
// transaction of its own, so that guesses sent in parallel all count; a
// success takes its mark back.
func (s *UserService) Authenticate(ctx context.Context, username, pw, address string) (*assent.User, error) {
	mark, err := s.countAttempt(ctx, username, address)
	if err != nil {
		return nil, err
	}
	var hash string
	var disabled bool
	err = s.db.read.QueryRowContext(ctx, `SELECT password_hash, disabled FROM users WHERE username = $1`, username).Scan(&hash, &disabled)
	found := err == nil && hash != ""
	if errors.Is(err, sql.ErrNoRows) || !found {
		hash = s.dummyHash() // spend the same time as a real check
	} else if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	ok, _ := password.Check(pw, hash)
	if !ok || !found || disabled {
		return nil, errBadCredentials
	}
	if _, err := s.db.write.ExecContext(ctx, `DELETE FROM login_failures WHERE username = $1 AND address = $2 AND (time = $3 OR time < $4)`,
		username, address, mark, mark); err != nil {
		return nil, fmt.Errorf("clear login failures: %w", err)
	}
	return findUser(ctx, s.db.read, username)
}

// countAttempt refuses when the window already holds MaxLoginFailures
// failures, else records this attempt as one and returns its time mark.
func (s *UserService) countAttempt(ctx context.Context, username, address string) (int64, error) {
	now := s.db.Now()
	var mark int64
	err := s.db.inTx(ctx, func(tx *Tx) error {
		if err := tx.lock(ctx, "login:"+username+"|"+address); err != nil {
			return err
		}
		var failures int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM login_failures WHERE username = $1 AND address = $2 AND time > $3`,
			username, address, ms(now.Add(-LoginWindow))).Scan(&failures); err != nil {
			return fmt.Errorf("count login failures: %w", err)
		}
		if failures >= MaxLoginFailures {
			return assent.Errorf(assent.ETOOMANYREQUEST, "Too many failed sign-in attempts; wait %d minutes and try again.", int(LoginWindow.Minutes()))
		}
		// Sweep old marks so that the table stays small.
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE time < $1`, ms(now.Add(-LoginWindow))); err != nil {
			return fmt.Errorf("record login attempt: %w", err)
		}
		mark = ms(now)
		if _, err := tx.ExecContext(ctx, `INSERT INTO login_failures (username, address, time) VALUES ($1, $2, $3)`, username, address, mark); err != nil {
			return fmt.Errorf("record login attempt: %w", err)
		}
		return nil
	})
	return mark, err
}

var dummyHashes sync.Map // password.Params → hash of a password nobody has

func (s *UserService) dummyHash() string {
	if h, ok := dummyHashes.Load(s.db.PasswordParams); ok {
		return h.(string)
	}
	h, _ := password.Hash("no user has this password", s.db.PasswordParams)
	dummyHashes.Store(s.db.PasswordParams, h)
	return h
}

package sqldb

import (
	"context"
	"fmt"

	"assent"
)

// SubscriptionService implements assent.SubscriptionService.
type SubscriptionService struct{ db *DB }

// NewSubscriptionService returns the subscription service of db.
func NewSubscriptionService(db *DB) *SubscriptionService { return &SubscriptionService{db: db} }

var _ assent.SubscriptionService = (*SubscriptionService)(nil)

// Subscribe makes the caller follow an item.
func (s *SubscriptionService) Subscribe(ctx context.Context, item string) error {
	return s.set(ctx, item, true)
}

// Unsubscribe stops the caller following an item.
func (s *SubscriptionService) Unsubscribe(ctx context.Context, item string) error {
	return s.set(ctx, item, false)
}

func (s *SubscriptionService) set(ctx context.Context, item string, on bool) error {
	u, err := assent.RequireRole(ctx, assent.RoleViewer)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		if _, err := findItem(ctx, tx, item); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO subscriptions (item_id, username, subscribed, updated_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (item_id, username) DO UPDATE SET subscribed = excluded.subscribed, updated_at = excluded.updated_at`, item, u.Username, on, ms(tx.now))
		if err != nil {
			return fmt.Errorf("subscribe: %w", err)
		}
		action := "subscription.unsubscribe"
		if on {
			action = "subscription.subscribe"
		}
		tx.record("item", item, action, nil, map[string]any{"username": u.Username})
		return nil
	})
}

// IsSubscribed reports whether the caller follows the item, directly or
// through an ancestor.
func (s *SubscriptionService) IsSubscribed(ctx context.Context, item string) (bool, error) {
	u, err := assent.RequireRole(ctx, assent.RoleViewer)
	if err != nil {
		return false, err
	}
	it, err := findItem(ctx, s.db.read, item)
	if err != nil {
		return false, err
	}
	subs, err := subscribers(ctx, s.db.read, it)
	if err != nil {
		return false, err
	}
	for _, name := range subs {
		if name == u.Username {
			return true, nil
		}
	}
	return false, nil
}

// autoSubscribe makes the actor follow an item they created, edited,
// governed or reviewed, unless they unsubscribed from it.
func autoSubscribe(ctx context.Context, tx *Tx, item string) error {
	if tx.actor == "" || tx.actor == "anonymous" {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO subscriptions (item_id, username, subscribed, updated_at) VALUES ($1, $2, TRUE, $3)
		ON CONFLICT (item_id, username) DO NOTHING`, item, tx.actor, ms(tx.now))
	if err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}
	return nil
}

// subscribers lists who follows an item: its own subscriptions, then its
// ancestors', the nearest row deciding for each user.
func subscribers(ctx context.Context, q rowsQueryer, it *assent.Item) ([]string, error) {
	decided := map[string]bool{}
	var out []string
	id := &it.ID
	for depth := 0; id != nil && depth < 8; depth++ {
		rows, err := q.QueryContext(ctx, `SELECT username, subscribed FROM subscriptions WHERE item_id = $1 ORDER BY username`, *id)
		if err != nil {
			return nil, fmt.Errorf("find subscribers: %w", err)
		}
		for rows.Next() {
			var name string
			var on bool
			if err := rows.Scan(&name, &on); err != nil {
				rows.Close()
				return nil, fmt.Errorf("find subscribers: %w", err)
			}
			if _, seen := decided[name]; !seen {
				decided[name] = on
				if on {
					out = append(out, name)
				}
			}
		}
		rows.Close()
		var parent *string
		if err := q.QueryRowContext(ctx, `SELECT parent_id FROM items WHERE id = $1`, *id).Scan(&parent); err != nil {
			return nil, fmt.Errorf("find subscribers: %w", err)
		}
		id = parent
	}
	return out, nil
}

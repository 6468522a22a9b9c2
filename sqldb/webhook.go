package sqldb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"assent"
)

// WebhookService implements assent.WebhookService.
type WebhookService struct {
	db *DB
	// AllowPrivate lets webhooks reach loopback and private addresses.
	AllowPrivate bool
}

// NewWebhookService returns the webhook service of db.
func NewWebhookService(db *DB) *WebhookService { return &WebhookService{db: db} }

var _ assent.WebhookService = (*WebhookService)(nil)

const webhookColumns = `id, url, event_types, enabled, consecutive_failures, created_at, created_by`

func scanWebhook(row interface{ Scan(...any) error }) (*assent.Webhook, error) {
	var w assent.Webhook
	var types string
	var created int64
	if err := row.Scan(&w.ID, &w.URL, &types, &w.Enabled, &w.ConsecutiveFailures, &created, &w.CreatedBy); err != nil {
		return nil, err
	}
	w.CreatedAt = fromMS(created)
	if err := json.Unmarshal([]byte(types), &w.EventTypes); err != nil {
		return nil, fmt.Errorf("webhook %s event types: %w", w.ID, err)
	}
	return &w, nil
}

func checkEventTypes(types []string, p *assent.Problems) {
	if len(types) == 0 {
		p.Add("event_types", "lists at least one event type, such as signoff.* or *")
	}
	for i, t := range types {
		if t == "" || len(t) > 100 || strings.ContainsAny(t, " \t\n") || strings.Contains(strings.TrimSuffix(t, "*"), "*") {
			p.Add(fmt.Sprintf("event_types[%d]", i), "must be an action such as signoff.approval, a prefix such as signoff.*, or *")
		}
	}
}

// CreateWebhook registers an endpoint.
func (s *WebhookService) CreateWebhook(ctx context.Context, n assent.NewWebhook) (*assent.Webhook, string, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleAdmin); err != nil {
		return nil, "", err
	}
	var p assent.Problems
	if err := assent.CheckWebhookURL(n.URL, s.AllowPrivate); err != nil {
		p = append(p, err.(*assent.Error).Details...)
	}
	checkEventTypes(n.EventTypes, &p)
	secret := n.Secret
	if secret == "" {
		secret = newWebhookSecret()
	} else if len(secret) < 16 || len(secret) > 200 {
		p.Add("secret", "must be 16 to 200 characters, or left out for a random one")
	}
	if err := p.Err(); err != nil {
		return nil, "", err
	}
	var w *assent.Webhook
	err := s.db.inTx(ctx, func(tx *Tx) error {
		w = &assent.Webhook{ID: sortableID("wh_", tx.now), URL: n.URL, EventTypes: n.EventTypes, Enabled: true, CreatedAt: tx.now, CreatedBy: tx.actor}
		types, _ := json.Marshal(n.EventTypes)
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhooks (id, url, secret, event_types, enabled, created_at, created_by) VALUES ($1, $2, $3, $4, TRUE, $5, $6)`,
			w.ID, w.URL, secret, string(types), ms(tx.now), tx.actor); err != nil {
			return fmt.Errorf("create webhook: %w", err)
		}
		tx.record("webhook", w.ID, "webhook.create", nil, map[string]any{"url": redactWebhookURL(w.URL), "event_types": w.EventTypes})
		return nil
	})
	s.db.hooks.forget()
	return w, secret, err
}

// FindWebhooks lists every webhook.
func (s *WebhookService) FindWebhooks(ctx context.Context) ([]*assent.Webhook, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleAdmin); err != nil {
		return nil, err
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+webhookColumns+` FROM webhooks ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("find webhooks: %w", err)
	}
	defer rows.Close()
	out := []*assent.Webhook{}
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// FindWebhook returns one webhook.
func (s *WebhookService) FindWebhook(ctx context.Context, id string) (*assent.Webhook, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleAdmin); err != nil {
		return nil, err
	}
	return findWebhook(ctx, s.db.read, id)
}

func findWebhook(ctx context.Context, q queryer, id string) (*assent.Webhook, error) {
	w, err := scanWebhook(q.QueryRowContext(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, assent.Errorf(assent.ENOTFOUND, "Webhook %q not found.", id)
	} else if err != nil {
		return nil, fmt.Errorf("find webhook: %w", err)
	}
	return w, nil
}

// UpdateWebhook changes the address, the event types or whether it is
// enabled; enabling it again clears its failures.
func (s *WebhookService) UpdateWebhook(ctx context.Context, id string, upd assent.WebhookUpdate) (*assent.Webhook, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleAdmin); err != nil {
		return nil, err
	}
	var p assent.Problems
	if upd.URL != nil {
		if err := assent.CheckWebhookURL(*upd.URL, s.AllowPrivate); err != nil {
			p = append(p, err.(*assent.Error).Details...)
		}
	}
	if upd.EventTypes != nil {
		checkEventTypes(upd.EventTypes, &p)
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	var w *assent.Webhook
	err := s.db.inTx(ctx, func(tx *Tx) error {
		var err error
		if w, err = findWebhook(ctx, tx, id); err != nil {
			return err
		}
		before := map[string]any{"url": redactWebhookURL(w.URL), "event_types": w.EventTypes, "enabled": w.Enabled}
		if upd.URL != nil {
			w.URL = *upd.URL
		}
		if upd.EventTypes != nil {
			w.EventTypes = upd.EventTypes
		}
		if upd.Enabled != nil {
			if *upd.Enabled && !w.Enabled {
				w.ConsecutiveFailures = 0
			}
			w.Enabled = *upd.Enabled
		}
		types, _ := json.Marshal(w.EventTypes)
		if _, err := tx.ExecContext(ctx, `UPDATE webhooks SET url = $1, event_types = $2, enabled = $3, consecutive_failures = $4 WHERE id = $5`,
			w.URL, string(types), w.Enabled, w.ConsecutiveFailures, id); err != nil {
			return fmt.Errorf("update webhook: %w", err)
		}
		tx.record("webhook", id, "webhook.update", before, map[string]any{"url": redactWebhookURL(w.URL), "event_types": w.EventTypes, "enabled": w.Enabled})
		return nil
	})
	s.db.hooks.forget()
	return w, err
}

// DeleteWebhook retires a webhook for good: disabled, with no event
// types, its pending deliveries failed; the row stays for its log.
func (s *WebhookService) DeleteWebhook(ctx context.Context, id string) error {
	if _, err := assent.RequireRole(ctx, assent.RoleAdmin); err != nil {
		return err
	}
	defer s.db.hooks.forget()
	return s.db.inTx(ctx, func(tx *Tx) error {
		w, err := findWebhook(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE webhooks SET enabled = FALSE, event_types = '[]' WHERE id = $1`, id); err != nil {
			return fmt.Errorf("delete webhook: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'failed' WHERE target = $1 AND status = 'pending'`, id); err != nil {
			return fmt.Errorf("delete webhook: %w", err)
		}
		tx.record("webhook", id, "webhook.delete", map[string]any{"url": redactWebhookURL(w.URL), "event_types": w.EventTypes, "enabled": w.Enabled}, nil)
		return nil
	})
}

// redactWebhookURL keeps a webhook address's scheme and host for the audit
// trail: paths and queries often carry the receiver's token, and viewers
// read events.
func redactWebhookURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable)"
	}
	return u.Scheme + "://" + u.Host + "/…"
}

// hookCache keeps the enabled webhooks for a moment: every write
// transaction asks which webhooks want its events.
type hookCache struct {
	mu     sync.Mutex
	hooks  []*assent.Webhook
	loaded time.Time
}

// hookCacheAge bounds how long another replica's webhook change takes to
// be seen here.
const hookCacheAge = 2 * time.Second

func (c *hookCache) forget() {
	c.mu.Lock()
	c.loaded = time.Time{}
	c.mu.Unlock()
}

func (c *hookCache) enabled(ctx context.Context, q rowsQueryer) ([]*assent.Webhook, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.loaded) < hookCacheAge {
		return c.hooks, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE enabled`)
	if err != nil {
		return nil, fmt.Errorf("find webhooks: %w", err)
	}
	defer rows.Close()
	var hooks []*assent.Webhook
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, err
		}
		hooks = append(hooks, w)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find webhooks: %w", err)
	}
	c.hooks, c.loaded = hooks, time.Now()
	return hooks, nil
}

// newWebhookSecret is "whsec_" and 24 random bytes in standard base64, the
// form Standard Webhooks libraries decode.
func newWebhookSecret() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return "whsec_" + base64.StdEncoding.EncodeToString(b)
}

package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"assent"
)

// OutboxService implements assent.OutboxService.
type OutboxService struct{ db *DB }

// NewOutboxService returns the outbox of db.
func NewOutboxService(db *DB) *OutboxService { return &OutboxService{db: db} }

var _ assent.OutboxService = (*OutboxService)(nil)

// webhookPayload is the body of a delivery, in the Standard Webhooks
// shape: a type, a time and the data.
type webhookPayload struct {
	Type      string      `json:"type"`
	Timestamp time.Time   `json:"timestamp"`
	Data      webhookData `json:"data"`
}

type webhookData struct {
	ObjectType string          `json:"object_type"`
	ObjectID   string          `json:"object_id"`
	Actor      string          `json:"actor"`
	RequestID  string          `json:"request_id"`
	Before     json.RawMessage `json:"before"`
	After      json.RawMessage `json:"after"`
	Link       string          `json:"link,omitempty"`
}

// enqueueWebhooks writes, in the transaction of the events, one outbox
// row per event and webhook that wants it.
func (tx *Tx) enqueueWebhooks(ctx context.Context, events []*assent.Event) error {
	hooks, err := tx.db.hooks.enabled(ctx, tx)
	if err != nil || len(hooks) == 0 {
		return err
	}
	for _, e := range events {
		for _, h := range hooks {
			if !h.Matches(e.Action) {
				continue
			}
			payload, _ := json.Marshal(webhookPayload{Type: e.Action, Timestamp: e.Time, Data: webhookData{
				ObjectType: e.ObjectType, ObjectID: e.ObjectID, Actor: e.Actor, RequestID: e.RequestID,
				Before: e.Before, After: e.After, Link: tx.db.objectLink(e.ObjectType, e.ObjectID)}})
			if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (id, kind, target, event_type, payload, status, next_attempt_at, created_at)
				VALUES ($1, 'webhook', $2, $3, $4, 'pending', $5, $5)`, sortableID("msg_", tx.now), h.ID, e.Action, string(payload), ms(tx.now)); err != nil {
				return fmt.Errorf("enqueue webhook: %w", err)
			}
		}
	}
	return nil
}

// objectLink is the page of an object, when it has one.
func (db *DB) objectLink(objectType, id string) string {
	base := strings.TrimRight(db.ExternalURL, "/")
	switch objectType {
	case "item":
		return base + "/items/" + id
	case "governable":
		return base + "/governable-items/" + id
	}
	return ""
}

// ClaimMessages takes due messages under a lease.
func (s *OutboxService) ClaimMessages(ctx context.Context, n int, lease time.Duration) ([]*assent.OutboxMessage, error) {
	var out []*assent.OutboxMessage
	err := s.db.inTx(ctx, func(tx *Tx) error {
		now := ms(tx.now)
		skip := ""
		if s.db.dialect.isPostgres() { // replicas take different rows
			skip = " FOR UPDATE SKIP LOCKED"
		}
		rows, err := tx.QueryContext(ctx, `UPDATE outbox SET locked_until = $1, attempts = attempts + 1
			WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $2 AND locked_until <= $2
				ORDER BY next_attempt_at LIMIT $3`+skip+`)
			RETURNING id, kind, target, event_type, payload, attempts`, now+lease.Milliseconds(), now, n)
		if err != nil {
			return fmt.Errorf("claim messages: %w", err)
		}
		for rows.Next() {
			m := &assent.OutboxMessage{}
			var payload string
			if err := rows.Scan(&m.ID, &m.Kind, &m.Target, &m.EventType, &payload, &m.Attempts); err != nil {
				rows.Close()
				return fmt.Errorf("claim messages: %w", err)
			}
			m.Payload = json.RawMessage(payload)
			out = append(out, m)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("claim messages: %w", err)
		}
		for _, m := range out {
			if m.Kind != "webhook" {
				continue
			}
			if err := tx.QueryRowContext(ctx, `SELECT url, secret FROM webhooks WHERE id = $1`, m.Target).Scan(&m.URL, &m.Secret); err != nil {
				return fmt.Errorf("claim messages: webhook %s: %w", m.Target, err)
			}
		}
		return nil
	})
	return out, err
}

// CompleteMessage records one attempt and what follows from it.
func (s *OutboxService) CompleteMessage(ctx context.Context, m *assent.OutboxMessage, a assent.DeliveryAttempt, ok bool, retryAt *time.Time, failureLimit int) error {
	return s.db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO outbox_attempts (outbox_id, at, status_code, duration_ms, error) VALUES ($1, $2, $3, $4, $5)`,
			m.ID, ms(a.Time), a.StatusCode, a.DurationMS, a.Error); err != nil {
			return fmt.Errorf("record attempt: %w", err)
		}
		var err error
		switch {
		case ok:
			_, err = tx.ExecContext(ctx, `UPDATE outbox SET status = 'delivered', delivered_at = $1, locked_until = 0 WHERE id = $2`, ms(tx.now), m.ID)
			if err == nil {
				_, err = tx.ExecContext(ctx, `UPDATE webhooks SET consecutive_failures = 0 WHERE id = $1 AND consecutive_failures <> 0`, m.Target)
			}
		case retryAt != nil:
			_, err = tx.ExecContext(ctx, `UPDATE outbox SET next_attempt_at = $1, locked_until = 0 WHERE id = $2`, ms(*retryAt), m.ID)
		default:
			_, err = tx.ExecContext(ctx, `UPDATE outbox SET status = 'failed', locked_until = 0 WHERE id = $1`, m.ID)
		}
		if err != nil {
			return fmt.Errorf("complete message: %w", err)
		}
		if ok || m.Kind != "webhook" {
			return nil
		}
		return failWebhook(ctx, tx, m.Target, failureLimit)
	})
}

// failWebhook counts a failed attempt and disables the webhook at the
// limit, with an event that says why (admins are told through it).
func failWebhook(ctx context.Context, tx *Tx, id string, limit int) error {
	var failures int
	var enabled bool
	err := tx.QueryRowContext(ctx, `UPDATE webhooks SET consecutive_failures = consecutive_failures + 1 WHERE id = $1
		RETURNING consecutive_failures, enabled`, id).Scan(&failures, &enabled)
	if err == sql.ErrNoRows {
		return nil
	} else if err != nil {
		return fmt.Errorf("count webhook failure: %w", err)
	}
	if !enabled || limit <= 0 || failures < limit {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE webhooks SET enabled = FALSE WHERE id = $1`, id); err != nil {
		return fmt.Errorf("disable webhook: %w", err)
	}
	tx.record("webhook", id, "webhook.disable", map[string]any{"enabled": true}, map[string]any{"enabled": false, "consecutive_failures": failures})
	tx.db.hooks.forget()
	return nil
}

// FindDeliveries lists a webhook's deliveries, newest first, with their attempts.
func (s *WebhookService) FindDeliveries(ctx context.Context, webhook string, limit int, cursor string) ([]*assent.Delivery, string, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleAdmin); err != nil {
		return nil, "", err
	}
	if _, err := findWebhook(ctx, s.db.read, webhook); err != nil {
		return nil, "", err
	}
	n := assent.PageSize(limit)
	args := []any{webhook}
	cond := ""
	if cursor != "" {
		key, err := decodeCursor(cursor)
		if err != nil {
			return nil, "", err
		}
		args = append(args, key)
		cond = " AND id < $2"
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT id, target, event_type, status, attempts, next_attempt_at, created_at, delivered_at
		FROM outbox WHERE target = $1`+cond+fmt.Sprintf(` ORDER BY id DESC LIMIT %d`, n+1), args...)
	if err != nil {
		return nil, "", fmt.Errorf("find deliveries: %w", err)
	}
	var out []*assent.Delivery
	for rows.Next() {
		d := &assent.Delivery{Log: []assent.DeliveryAttempt{}}
		var next, created int64
		var delivered sql.NullInt64
		if err := rows.Scan(&d.ID, &d.Webhook, &d.EventType, &d.Status, &d.Attempts, &next, &created, &delivered); err != nil {
			rows.Close()
			return nil, "", fmt.Errorf("find deliveries: %w", err)
		}
		d.CreatedAt, d.DeliveredAt = fromMS(created), fromNullMS(delivered)
		if d.Status == "pending" {
			t := fromMS(next)
			d.NextAttempt = &t
		}
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("find deliveries: %w", err)
	}
	next := ""
	if len(out) > n {
		out = out[:n]
		next = encodeCursor(out[n-1].ID)
	}
	for _, d := range out {
		arows, err := s.db.read.QueryContext(ctx, `SELECT at, status_code, duration_ms, error FROM outbox_attempts WHERE outbox_id = $1 ORDER BY at`, d.ID)
		if err != nil {
			return nil, "", fmt.Errorf("find attempts: %w", err)
		}
		for arows.Next() {
			var a assent.DeliveryAttempt
			var at int64
			if err := arows.Scan(&at, &a.StatusCode, &a.DurationMS, &a.Error); err != nil {
				arows.Close()
				return nil, "", fmt.Errorf("find attempts: %w", err)
			}
			a.Time = fromMS(at)
			d.Log = append(d.Log, a)
		}
		arows.Close()
	}
	if out == nil {
		out = []*assent.Delivery{}
	}
	return out, next, nil
}

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
	ObjectName string          `json:"object_name,omitempty"`
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
	names := map[string]string{}
	for _, e := range events {
		for _, h := range hooks {
			if !h.Matches(e.Action) {
				continue
			}
			name, err := tx.objectName(ctx, e.ObjectType, e.ObjectID, names)
			if err != nil {
				return err
			}
			payload, _ := json.Marshal(webhookPayload{Type: e.Action, Timestamp: e.Time, Data: webhookData{
				ObjectType: e.ObjectType, ObjectID: e.ObjectID, ObjectName: name, Actor: e.Actor, RequestID: e.RequestID,
				Before: e.Before, After: e.After, Link: tx.db.objectLink(e.ObjectType, e.ObjectID)}})
			if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (id, kind, target, event_type, payload, status, next_attempt_at, created_at)
				VALUES ($1, 'webhook', $2, $3, $4, 'pending', $5, $5)`, sortableID("msg_", tx.now), h.ID, e.Action, string(payload), ms(tx.now)); err != nil {
				return fmt.Errorf("enqueue webhook: %w", err)
			}
		}
	}
	return nil
}

// objectName is the name of an item or governable item, read once per
// transaction; "" for other objects.
func (tx *Tx) objectName(ctx context.Context, objectType, id string, cache map[string]string) (string, error) {
	table := map[string]string{"item": "items", "governable": "governable_items"}[objectType]
	if table == "" {
		return "", nil
	}
	if name, ok := cache[objectType+":"+id]; ok {
		return name, nil
	}
	var name string
	err := tx.QueryRowContext(ctx, `SELECT name FROM `+table+` WHERE id = $1`, id).Scan(&name)
	if err != nil && err != sql.ErrNoRows {
		return "", fmt.Errorf("name of %s %s: %w", objectType, id, err)
	}
	cache[objectType+":"+id] = name
	return name, nil
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
				AND (kind <> 'webhook' OR EXISTS (SELECT 1 FROM webhooks w WHERE w.id = outbox.target AND w.enabled))
				ORDER BY next_attempt_at LIMIT $3`+skip+`)
			RETURNING id, kind, target, event_type, payload, attempts,
				COALESCE((SELECT url FROM webhooks w WHERE w.id = outbox.target AND outbox.kind = 'webhook'), ''),
				COALESCE((SELECT secret FROM webhooks w WHERE w.id = outbox.target AND outbox.kind = 'webhook'), '')`, now+lease.Milliseconds(), now, n)
		if err != nil {
			return fmt.Errorf("claim messages: %w", err)
		}
		for rows.Next() {
			m := &assent.OutboxMessage{}
			var payload string
			if err := rows.Scan(&m.ID, &m.Kind, &m.Target, &m.EventType, &payload, &m.Attempts, &m.URL, &m.Secret); err != nil {
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
		return nil
	})
	return out, err
}

// CompleteMessages records a round of attempts in one transaction: one
// commit for the round rather than one per delivery.
func (s *OutboxService) CompleteMessages(ctx context.Context, results []assent.MessageResult, failureLimit int) error {
	if len(results) == 0 {
		return nil
	}
	// A webhook may be disabled below: forget the cache once that is committed.
	defer s.db.hooks.forget()
	return s.db.inTx(ctx, func(tx *Tx) error {
		d := tx.db.dialect
		var sb strings.Builder
		sb.WriteString(`INSERT INTO outbox_attempts (outbox_id, at, status_code, duration_ms, error) VALUES `)
		args := make([]any, 0, len(results)*5)
		var delivered, failed []string
		failures := map[string]int{} // webhook → failures after its last success in this round
		succeeded := map[string]bool{}
		for i, r := range results {
			if i > 0 {
				sb.WriteByte(',')
			}
			d.writePlaceholders(&sb, len(args), 5)
			args = append(args, r.Message.ID, ms(r.Attempt.Time), r.Attempt.StatusCode, r.Attempt.DurationMS, r.Attempt.Error)
			switch {
			case r.OK:
				delivered = append(delivered, r.Message.ID)
			case r.RetryAt != nil:
				if _, err := tx.ExecContext(ctx, `UPDATE outbox SET next_attempt_at = $1, locked_until = 0 WHERE id = $2`, ms(*r.RetryAt), r.Message.ID); err != nil {
					return fmt.Errorf("complete message: %w", err)
				}
			default:
				failed = append(failed, r.Message.ID)
			}
			if r.Message.Kind == "webhook" {
				if r.OK {
					succeeded[r.Message.Target], failures[r.Message.Target] = true, 0
				} else {
					failures[r.Message.Target]++
				}
			}
		}
		if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
			return fmt.Errorf("record attempts: %w", err)
		}
		if len(delivered) > 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'delivered', delivered_at = $1, locked_until = 0 WHERE `+d.inList("id", 2), ms(tx.now), d.listArg(delivered)); err != nil {
				return fmt.Errorf("complete messages: %w", err)
			}
		}
		if len(failed) > 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'failed', locked_until = 0 WHERE `+d.inList("id", 1), d.listArg(failed)); err != nil {
				return fmt.Errorf("complete messages: %w", err)
			}
		}
		for hook, n := range failures {
			if succeeded[hook] {
				if _, err := tx.ExecContext(ctx, `UPDATE webhooks SET consecutive_failures = 0 WHERE id = $1`, hook); err != nil {
					return fmt.Errorf("count webhook failures: %w", err)
				}
			}
			if n > 0 {
				if err := failWebhook(ctx, tx, hook, n, failureLimit); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// failWebhook counts n failed attempts and disables the webhook at the
// limit, with an event that says why (admins are told through it).
func failWebhook(ctx context.Context, tx *Tx, id string, n, limit int) error {
	var failures int
	var enabled bool
	err := tx.QueryRowContext(ctx, `UPDATE webhooks SET consecutive_failures = consecutive_failures + $2 WHERE id = $1
		RETURNING consecutive_failures, enabled`, id, n).Scan(&failures, &enabled)
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
	return mailAdmins(ctx, tx, assent.EmailMessage{Action: "webhook.disable", Actor: "system",
		Summary:  fmt.Sprintf("a webhook was disabled after %d failed deliveries in a row", failures),
		ItemName: "Webhook " + id, Link: strings.TrimRight(tx.db.ExternalURL, "/") + "/admin/webhooks/" + id})
}

// mailAdmins queues m for every enabled admin with an address.
func mailAdmins(ctx context.Context, tx *Tx, m assent.EmailMessage) error {
	rows, err := tx.QueryContext(ctx, `SELECT username, display_name, email FROM users WHERE role = 'admin' AND NOT disabled AND email <> ''`)
	if err != nil {
		return fmt.Errorf("find admins: %w", err)
	}
	var to []assent.EmailMessage
	for rows.Next() {
		one := m
		var username string
		if err := rows.Scan(&username, &one.ToName, &one.To); err != nil {
			rows.Close()
			return fmt.Errorf("find admins: %w", err)
		}
		if one.ToName == "" {
			one.ToName = username
		}
		to = append(to, one)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("find admins: %w", err)
	}
	for _, one := range to {
		payload, _ := json.Marshal(one)
		if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (id, kind, target, event_type, payload, status, next_attempt_at, created_at)
			VALUES ($1, 'email', $2, $3, $4, 'pending', $5, $5)`, sortableID("msg_", tx.now), one.To, one.Action, string(payload), ms(tx.now)); err != nil {
			return fmt.Errorf("enqueue mail: %w", err)
		}
	}
	return nil
}

// EmailDeliveries, given to FindDeliveries instead of a webhook id, lists
// the mail sent, each with its address as target.
const EmailDeliveries = "email"

// FindDeliveries lists a webhook's deliveries (or the mail), newest first,
// with their attempts.
func (s *WebhookService) FindDeliveries(ctx context.Context, webhook string, limit int, cursor string) ([]*assent.Delivery, string, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleAdmin); err != nil {
		return nil, "", err
	}
	n := assent.PageSize(limit)
	args := []any{webhook}
	cond := ""
	by := "target = $1"
	if webhook == EmailDeliveries {
		by = "kind = 'email' AND $1 <> ''"
	} else if _, err := findWebhook(ctx, s.db.read, webhook); err != nil {
		return nil, "", err
	}
	if cursor != "" {
		key, err := decodeCursor(cursor)
		if err != nil {
			return nil, "", err
		}
		args = append(args, key)
		cond = " AND id < $2"
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT id, target, event_type, status, attempts, next_attempt_at, created_at, delivered_at
		FROM outbox WHERE `+by+cond+fmt.Sprintf(` ORDER BY id DESC LIMIT %d`, n+1), args...)
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

package assent

import (
	"context"
	"encoding/json"
	"time"
)

// OutboxMessage is a delivery a worker has taken.
type OutboxMessage struct {
	ID        string
	Kind      string // "webhook"
	EventType string
	Payload   json.RawMessage
	Attempts  int // including this one
	// The webhook's address and secret, read when the message is taken.
	URL    string
	Secret string
	Target string // the webhook id
}

// OutboxService is what the delivery worker needs of the store.
type OutboxService interface {
	// ClaimMessages takes up to n due messages for lease; a message
	// taken is not taken again until its lease runs out. On PostgreSQL
	// workers on several replicas skip each other's rows.
	ClaimMessages(ctx context.Context, n int, lease time.Duration) ([]*OutboxMessage, error)

	// CompleteMessages records a round of attempts in one transaction:
	// each message delivered when OK, else retried at RetryAt, or failed
	// for good when RetryAt is nil. A webhook whose consecutive failures
	// reach failureLimit is disabled.
	CompleteMessages(ctx context.Context, results []MessageResult, failureLimit int) error
}

// MessageResult is the outcome of one attempt at one message.
type MessageResult struct {
	Message *OutboxMessage
	Attempt DeliveryAttempt
	OK      bool
	RetryAt *time.Time
}

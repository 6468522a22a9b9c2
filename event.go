package assent

import (
	"context"
	"encoding/json"
	"time"
)

// Event is one append-only audit record: who changed what, when, and the
// values before and after. Only what changed appears in Before and After.
type Event struct {
	ID         int64           `json:"id"`
	Time       time.Time       `json:"time"`
	Actor      string          `json:"actor"`
	RequestID  string          `json:"request_id"`
	ObjectType string          `json:"object_type"`
	ObjectID   string          `json:"object_id"`
	Action     string          `json:"action"`
	Before     json.RawMessage `json:"before"`
	After      json.RawMessage `json:"after"`
}

// EventFilter selects events; zero values select all. Events come newest first.
type EventFilter struct {
	Actor      string
	ObjectType string
	ObjectID   string
	Action     string
	Since      time.Time // inclusive
	Until      time.Time // exclusive
	Limit      int
	Cursor     string
}

// MaxPageSize bounds every list.
const MaxPageSize = 500

// DefaultPageSize is the page size when a list names none.
const DefaultPageSize = 50

// PageSize returns limit bounded to [1, MaxPageSize], with the default for 0.
func PageSize(limit int) int {
	switch {
	case limit <= 0:
		return DefaultPageSize
	case limit > MaxPageSize:
		return MaxPageSize
	}
	return limit
}

// EventService reads the audit trail. Events are written by the service
// that makes each change, in its transaction; there is no way to edit them.
type EventService interface {
	// FindEvents lists events newest first with the cursor of the next page.
	FindEvents(ctx context.Context, filter EventFilter) ([]*Event, string, error)
}

// AuditService seals the events into a hash chain and checks it.
type AuditService interface {
	// Seal chains the events committed since the last seal and moves the
	// anchor; it returns how many it sealed. Safe to call from several
	// replicas: one seals at a time.
	Seal(ctx context.Context) (int, error)

	// Verify walks the chain and reports the first event that was edited,
	// inserted or deleted.
	Verify(ctx context.Context) (*AuditReport, error)
}

// AuditReport is the outcome of a verification.
type AuditReport struct {
	Sealed   int64  `json:"sealed"`   // events checked in the chain
	Pending  int64  `json:"pending"`  // recent events not sealed yet
	Head     string `json:"head"`     // hash of the newest sealed event
	OK       bool   `json:"ok"`       // nothing was tampered with
	Problem  string `json:"problem"`  // what is wrong, naming the event
	EventID  int64  `json:"event_id"` // the event at fault, when there is one
	Sequence int64  `json:"sequence"` // its place in the chain, when known
}

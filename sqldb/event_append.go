package sqldb

import (
	"context"
	"fmt"

	"assent"
)

// AppendEvents writes events in one transaction, for imports and benchmarks; admins only.
// Only the object, action and values of each event are taken.
func (s *EventService) AppendEvents(ctx context.Context, events []*assent.Event) error {
	if _, err := assent.RequireRole(ctx, assent.RoleAdmin); err != nil {
		return err
	}
	var p assent.Problems
	for i, e := range events {
		if e == nil || e.ObjectType == "" || e.ObjectID == "" || e.Action == "" {
			p.Add(fmt.Sprintf("events[%d]", i), "needs an object type, an object id and an action")
		}
	}
	if err := p.Err(); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		// Time, actor and request id are the transaction's: an event states
		// what this server saw, so callers cannot backdate one.
		for _, e := range events {
			tx.events = append(tx.events, &assent.Event{Time: tx.now, Actor: tx.actor, RequestID: tx.requestID,
				ObjectType: e.ObjectType, ObjectID: e.ObjectID, Action: e.Action, Before: e.Before, After: e.After})
		}
		return nil
	})
}

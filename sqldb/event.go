package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"assent"
)

// EventService implements assent.EventService.
type EventService struct{ db *DB }

// NewEventService returns the event service of db.
func NewEventService(db *DB) *EventService { return &EventService{db: db} }

var _ assent.EventService = (*EventService)(nil)

const eventSelect = `SELECT id, time, actor, request_id, object_type, object_id, action, before, after FROM events`

func scanEvent(row interface{ Scan(...any) error }) (*assent.Event, error) {
	var e assent.Event
	var t int64
	var before, after sql.NullString
	if err := row.Scan(&e.ID, &t, &e.Actor, &e.RequestID, &e.ObjectType, &e.ObjectID, &e.Action, &before, &after); err != nil {
		return nil, err
	}
	e.Time = fromMS(t)
	if before.Valid {
		e.Before = []byte(before.String)
	}
	if after.Valid {
		e.After = []byte(after.String)
	}
	return &e, nil
}

// FindEvents lists events newest first; anyone signed in may read the timeline.
func (s *EventService) FindEvents(ctx context.Context, f assent.EventFilter) ([]*assent.Event, string, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleViewer); err != nil {
		return nil, "", err
	}
	before, err := decodeIDCursor(f.Cursor)
	if err != nil {
		return nil, "", err
	}
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if before > 0 {
		add("id < ?", before)
	}
	if f.Actor != "" {
		add("actor = ?", f.Actor)
	}
	if f.ObjectType != "" {
		add("object_type = ?", f.ObjectType)
	}
	if f.ObjectID != "" {
		add("object_id = ?", f.ObjectID)
	}
	if f.Action != "" {
		add("action = ?", f.Action)
	}
	if !f.Since.IsZero() {
		add("time >= ?", ms(f.Since))
	}
	if !f.Until.IsZero() {
		add("time < ?", ms(f.Until))
	}
	limit := assent.PageSize(f.Limit)
	q := eventSelect
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += fmt.Sprintf(" ORDER BY id DESC LIMIT %d", limit+1)
	rows, err := s.db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, "", fmt.Errorf("find events: %w", err)
	}
	defer rows.Close()
	events := []*assent.Event{}
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, "", fmt.Errorf("find events: %w", err)
		}
		events = append(events, e)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("find events: %w", err)
	}
	next := ""
	if len(events) > limit {
		events = events[:limit]
		next = encodeCursor(strconv.FormatInt(events[limit-1].ID, 10))
	}
	return events, next, nil
}

package web

import (
	"context"
	"strings"
	"time"

	"assent"
)

type timelineInput struct {
	Actor  string    `query:"actor" doc:"Username of who acted."`
	Object string    `query:"object" doc:"Object type, or type:id, such as user:ada." example:"user:ada"`
	Action string    `query:"action" example:"user.create"`
	Since  time.Time `query:"since" doc:"Events at or after this time (RFC 3339)."`
	Until  time.Time `query:"until" doc:"Events before this time (RFC 3339)."`
	Limit  int       `query:"limit" minimum:"0" maximum:"500"`
	Cursor string    `query:"cursor"`
}

type eventListOutput struct {
	Body struct {
		Items      []*assent.Event `json:"items"`
		NextCursor string          `json:"next_cursor"`
	}
}

// handleTimeline lists the instance's events newest first.
func (s *Server) handleTimeline(ctx context.Context, in *timelineInput) (*eventListOutput, error) {
	f := assent.EventFilter{Actor: in.Actor, Action: in.Action, Since: in.Since, Until: in.Until, Limit: in.Limit, Cursor: in.Cursor}
	f.ObjectType, f.ObjectID, _ = strings.Cut(in.Object, ":")
	events, next, err := s.Events.FindEvents(ctx, f)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	out := &eventListOutput{}
	out.Body.Items, out.Body.NextCursor = events, next
	return out, nil
}

package web

import (
	"context"

	"assent"
)

type itemOutput struct {
	Body *assent.Item
}

type itemCreateInput struct {
	Body struct {
		Template assent.TemplateRef `json:"template" doc:"Template id, and version (0 or absent: the newest active one)."`
		Name     string             `json:"name" maxLength:"300"`
		Parent   *string            `json:"parent,omitempty" doc:"Id of the parent item, of the template's parent type."`
		Fields   map[string]any     `json:"fields,omitempty" doc:"Field values by field id."`
	}
}

// handleItemCreate creates a governed item.
func (s *Server) handleItemCreate(ctx context.Context, in *itemCreateInput) (*itemOutput, error) {
	it, err := s.Items.CreateItem(ctx, assent.NewItem{Template: in.Body.Template, Name: in.Body.Name, Parent: in.Body.Parent, Fields: in.Body.Fields})
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	return &itemOutput{Body: it}, nil
}

type itemIDInput struct {
	ID string `path:"id" maxLength:"64"`
}

// handleItemGet returns one item.
func (s *Server) handleItemGet(ctx context.Context, in *itemIDInput) (*itemOutput, error) {
	it, err := s.Items.FindItem(ctx, in.ID)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	return &itemOutput{Body: it}, nil
}

type itemMigrateInput struct {
	ID   string `path:"id" maxLength:"64"`
	Body struct {
		Version int  `json:"version" minimum:"1"`
		DryRun  bool `json:"dry_run,omitempty" doc:"Only say what would change."`
	}
}

type migrationOutput struct {
	Body *assent.MigrationPlan
}

// handleItemMigrate moves an item to another version of its template.
func (s *Server) handleItemMigrate(ctx context.Context, in *itemMigrateInput) (*migrationOutput, error) {
	plan, err := s.Items.MigrateItem(ctx, in.ID, in.Body.Version, in.Body.DryRun)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	return &migrationOutput{Body: plan}, nil
}

type itemListInput struct {
	Type     string `query:"type" example:"project"`
	Template string `query:"template" example:"standard-project"`
	Q        string `query:"q" doc:"Name contains, in any case."`
	Step     string `query:"step" doc:"Current workflow step."`
	Parent   string `query:"parent" doc:"Items whose parent is this item id."`
	Signoff  string `query:"signoff" doc:"State of the item's gating sign-off." enum:"NOT_STARTED,WAITING_FOR_FEEDBACK,WAITING_FOR_APPROVAL,APPROVED,REJECTED,ABANDONED,"`
	Archived bool   `query:"archived" doc:"List archived items instead."`
	Limit    int    `query:"limit" minimum:"0" maximum:"500"`
	Cursor   string `query:"cursor"`
}

type itemListOutput struct {
	Body struct {
		Items      []*assent.Item `json:"items"`
		NextCursor string         `json:"next_cursor"`
	}
}

// handleItemList lists items; field.<id>=value query parameters filter on
// field values (read from the raw query, since their names vary).
func (s *Server) handleItemList(ctx context.Context, in *itemListInput) (*itemListOutput, error) {
	f := assent.ItemFilter{Type: in.Type, Template: in.Template, Q: in.Q, Step: in.Step, Parent: in.Parent, Signoff: in.Signoff, Limit: in.Limit, Cursor: in.Cursor, Fields: fieldFiltersFrom(ctx)}
	if in.Archived {
		f.Archived = &in.Archived
	}
	items, next, err := s.Items.FindItems(ctx, f)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	out := &itemListOutput{}
	out.Body.Items, out.Body.NextCursor = items, next
	return out, nil
}

type itemUpdateInput struct {
	ID      string `path:"id" maxLength:"64"`
	IfMatch string `header:"If-Match" doc:"The revision the change is based on, as \"7\"; a stale one gets 412."`
	Body    struct {
		Name     *string        `json:"name,omitempty" maxLength:"300"`
		Fields   map[string]any `json:"fields,omitempty" doc:"Values to set by field id; null clears one."`
		Revision *int64         `json:"revision,omitempty" doc:"Same as If-Match."`
	}
}

// handleItemUpdate changes an item's name and fields.
func (s *Server) handleItemUpdate(ctx context.Context, in *itemUpdateInput) (*itemOutput, error) {
	revision, err := revisionOf(in.IfMatch, in.Body.Revision)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	it, err := s.Items.UpdateItem(ctx, in.ID, assent.ItemUpdate{Name: in.Body.Name, Fields: in.Body.Fields, Revision: revision})
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	return &itemOutput{Body: it}, nil
}

type itemStepInput struct {
	ID      string `path:"id" maxLength:"64"`
	Step    string `path:"step" maxLength:"63"`
	IfMatch string `header:"If-Match"`
	Body    struct {
		Status   string `json:"status" enum:"NOT_STARTED,ONGOING,FINISHED,SKIPPED"`
		Revision *int64 `json:"revision,omitempty"`
	}
}

// handleItemStep sets a workflow step's status.
func (s *Server) handleItemStep(ctx context.Context, in *itemStepInput) (*itemOutput, error) {
	revision, err := revisionOf(in.IfMatch, in.Body.Revision)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	it, err := s.Items.SetItemStep(ctx, in.ID, in.Step, assent.StepStatus(in.Body.Status), revision)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	return &itemOutput{Body: it}, nil
}

type itemArchiveInput struct {
	ID      string `path:"id" maxLength:"64"`
	IfMatch string `header:"If-Match"`
}

// handleItemArchive archives an item; handleItemRestore brings it back.
func (s *Server) handleItemArchive(ctx context.Context, in *itemArchiveInput) (*itemOutput, error) {
	return s.archiveItem(ctx, in, true)
}

// handleItemRestore restores an archived item.
func (s *Server) handleItemRestore(ctx context.Context, in *itemArchiveInput) (*itemOutput, error) {
	return s.archiveItem(ctx, in, false)
}

func (s *Server) archiveItem(ctx context.Context, in *itemArchiveInput, archived bool) (*itemOutput, error) {
	revision, err := revisionOf(in.IfMatch, nil)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	it, err := s.Items.ArchiveItem(ctx, in.ID, archived, revision)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	return &itemOutput{Body: it}, nil
}

type itemTimelineInput struct {
	ID     string `path:"id" maxLength:"64"`
	Limit  int    `query:"limit" minimum:"0" maximum:"500"`
	Cursor string `query:"cursor"`
}

// handleItemTimeline lists an item's events, newest first.
func (s *Server) handleItemTimeline(ctx context.Context, in *itemTimelineInput) (*eventListOutput, error) {
	if _, err := s.Items.FindItem(ctx, in.ID); err != nil {
		return nil, s.apiError(ctx, err)
	}
	events, next, err := s.Events.FindEvents(ctx, assent.EventFilter{ObjectType: "item", ObjectID: in.ID, Limit: in.Limit, Cursor: in.Cursor})
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	out := &eventListOutput{}
	out.Body.Items, out.Body.NextCursor = events, next
	return out, nil
}

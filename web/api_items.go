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

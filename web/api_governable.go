package web

import (
	"context"

	"assent"
)

type governableOutput struct {
	Body *assent.GovernableItem
}

type governableIDInput struct {
	ID string `path:"id" maxLength:"64"`
}

// handleGovernableGet returns one governable item.
func (s *Server) handleGovernableGet(ctx context.Context, in *governableIDInput) (*governableOutput, error) {
	g, err := s.Governables.FindGovernableItem(ctx, in.ID)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	return &governableOutput{Body: g}, nil
}

type governableListInput struct {
	Kind    string `query:"kind" enum:"project,bundle,model,model_version,"`
	Status  string `query:"status" enum:"governable,governed,hidden,all," doc:"Default: every status but hidden."`
	Source  string `query:"source"`
	Parent  string `query:"parent" doc:"Governable id of the parent."`
	Key     string `query:"key" doc:"Key in its source."`
	Q       string `query:"q" doc:"Name contains, in any case (key= finds a key)."`
	Deleted string `query:"deleted" enum:"true,false," doc:"Only items deleted (true) or not deleted (false) in their source."`
	Limit   int    `query:"limit" minimum:"0" maximum:"500"`
	Cursor  string `query:"cursor"`
}

type governableListOutput struct {
	Body struct {
		Items      []*assent.GovernableItem `json:"items"`
		NextCursor string                   `json:"next_cursor"`
	}
}

// handleGovernableList lists governable items by name.
func (s *Server) handleGovernableList(ctx context.Context, in *governableListInput) (*governableListOutput, error) {
	f := assent.GovernableFilter{Kind: in.Kind, Status: in.Status, Source: in.Source, Parent: in.Parent, Key: in.Key, Q: in.Q, Limit: in.Limit, Cursor: in.Cursor}
	if in.Deleted != "" {
		deleted := in.Deleted == "true"
		f.Deleted = &deleted
	}
	items, next, err := s.Governables.FindGovernableItems(ctx, f)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	out := &governableListOutput{}
	out.Body.Items, out.Body.NextCursor = items, next
	return out, nil
}

type governInput struct {
	ID   string `path:"id" maxLength:"64"`
	Body assent.GovernRequest
}

// handleGovern governs a governable item and answers its governed item.
func (s *Server) handleGovern(ctx context.Context, in *governInput) (*itemOutput, error) {
	res, err := s.Governables.GovernItem(ctx, in.ID, in.Body)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	return &itemOutput{Body: res.Item}, nil
}

// handleUngovern unlinks a governable item from its governed item.
func (s *Server) handleUngovern(ctx context.Context, in *governableIDInput) (*governableOutput, error) {
	g, err := s.Governables.UngovernItem(ctx, in.ID)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	return &governableOutput{Body: g}, nil
}

// handleHide hides an item and its children.
func (s *Server) handleHide(ctx context.Context, in *governableIDInput) (*governableOutput, error) {
	return s.hide(ctx, in.ID, true)
}

// handleUnhide shows an item and its children again.
func (s *Server) handleUnhide(ctx context.Context, in *governableIDInput) (*governableOutput, error) {
	return s.hide(ctx, in.ID, false)
}

func (s *Server) hide(ctx context.Context, id string, hidden bool) (*governableOutput, error) {
	g, err := s.Governables.HideItem(ctx, id, hidden)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	return &governableOutput{Body: g}, nil
}

// handleSourceObjects lists the governable items a governed item governs.
func (s *Server) handleSourceObjects(ctx context.Context, in *itemIDInput) (*governableListOutput, error) {
	if _, err := s.Items.FindItem(ctx, in.ID); err != nil {
		return nil, s.apiError(ctx, err)
	}
	list, err := s.Governables.FindSourceObjects(ctx, in.ID)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	out := &governableListOutput{}
	out.Body.Items = list
	return out, nil
}

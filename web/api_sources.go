package web

import (
	"context"
	"net/http"

	"assent"
)

type sourceOutput struct {
	Status int
	Body   *assent.Source
}

type sourcePutInput struct {
	Source string `path:"source" maxLength:"64" example:"design-node"`
	Body   struct {
		Kind         string `json:"kind,omitempty" enum:"push" doc:"How the source reaches Assent; push: it calls the sync API."`
		DisplayName  string `json:"display_name,omitempty" maxLength:"200"`
		LinkTemplate string `json:"link_template,omitempty" maxLength:"1000" doc:"Address of an object in the platform, with {kind}, {key}, {parent_key}, {project_key} and {attributes.NAME}." example:"https://dss.example.com/projects/{project_key}/"`
	}
}

// handleSourcePut registers a source (201) or changes it (200).
func (s *Server) handleSourcePut(ctx context.Context, in *sourcePutInput) (*sourceOutput, error) {
	src, created, err := s.Sources.PutSource(ctx, in.Source, assent.SourceUpdate{Kind: in.Body.Kind, DisplayName: in.Body.DisplayName, LinkTemplate: in.Body.LinkTemplate})
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return &sourceOutput{Status: status, Body: src}, nil
}

type sourceIDInput struct {
	Source string `path:"source" maxLength:"64"`
}

// handleSourceGet returns one source.
func (s *Server) handleSourceGet(ctx context.Context, in *sourceIDInput) (*sourceOutput, error) {
	src, err := s.Sources.FindSource(ctx, in.Source)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	return &sourceOutput{Status: http.StatusOK, Body: src}, nil
}

type sourceListOutput struct {
	Body struct {
		Items      []*assent.Source `json:"items"`
		NextCursor string           `json:"next_cursor"`
	}
}

// handleSourceList lists every source; there are few, so one page.
func (s *Server) handleSourceList(ctx context.Context, _ *struct{}) (*sourceListOutput, error) {
	list, err := s.Sources.FindSources(ctx)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	out := &sourceListOutput{}
	out.Body.Items = list
	return out, nil
}

type syncInput struct {
	Source string `path:"source" maxLength:"64"`
	Body   assent.SyncBatch
}

type syncOutput struct {
	Body *assent.SyncResult
}

// handleSync applies one batch from a source, all or nothing.
func (s *Server) handleSync(ctx context.Context, in *syncInput) (*syncOutput, error) {
	res, err := s.Sync.Sync(ctx, in.Source, in.Body)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	return &syncOutput{Body: res}, nil
}

package web

import (
	"context"

	"assent"
)

type registryInput struct {
	Q             string `query:"q" doc:"Project, model or bundle name contains, in any case."`
	Source        string `query:"source"`
	Project       string `query:"project" doc:"Governable id of the project."`
	IncludeHidden bool   `query:"include_hidden"`
	Signoff       string `query:"signoff" doc:"State of the gating sign-off (a model: of one of its versions)." enum:"NOT_STARTED,WAITING_FOR_FEEDBACK,WAITING_FOR_APPROVAL,APPROVED,REJECTED,ABANDONED,"`
	Focus         string `query:"focus" doc:"The metric each model version shows with its drift; auc when empty."`
	Limit         int    `query:"limit" minimum:"0" maximum:"500"`
	Cursor        string `query:"cursor"`
}

func (in *registryInput) filter() assent.RegistryFilter {
	return assent.RegistryFilter{Q: in.Q, Source: in.Source, Project: in.Project, IncludeHidden: in.IncludeHidden, Signoff: in.Signoff, Focus: in.Focus, Limit: in.Limit, Cursor: in.Cursor}
}

type modelRegistryOutput struct {
	Body struct {
		Items      []*assent.RegistryModel `json:"items"`
		NextCursor string                  `json:"next_cursor"`
	}
}

// handleModelRegistry lists models with their projects and versions.
func (s *Server) handleModelRegistry(ctx context.Context, in *registryInput) (*modelRegistryOutput, error) {
	items, next, err := s.Registries.FindModels(ctx, in.filter())
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	out := &modelRegistryOutput{}
	out.Body.Items, out.Body.NextCursor = items, next
	return out, nil
}

type bundleRegistryOutput struct {
	Body struct {
		Items      []*assent.RegistryBundle `json:"items"`
		NextCursor string                   `json:"next_cursor"`
	}
}

// handleBundleRegistry lists bundles with their projects.
func (s *Server) handleBundleRegistry(ctx context.Context, in *registryInput) (*bundleRegistryOutput, error) {
	items, next, err := s.Registries.FindBundles(ctx, in.filter())
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	out := &bundleRegistryOutput{}
	out.Body.Items, out.Body.NextCursor = items, next
	return out, nil
}

package web

import (
	"context"

	"assent"
	"assent/templates"
)

type templateListOutput struct {
	Body struct {
		Items      []*assent.TemplateSummary `json:"items"`
		NextCursor string                    `json:"next_cursor"`
	}
}

// handleTemplateList lists templates with their versions.
func (s *Server) handleTemplateList(ctx context.Context, in *pageInput) (*templateListOutput, error) {
	list, err := s.Templates.FindTemplates(ctx)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	out := &templateListOutput{}
	if out.Body.Items, out.Body.NextCursor, err = pageOf(list, func(t *assent.TemplateSummary) string { return t.ID }, in.Limit, in.Cursor); err != nil {
		return nil, s.apiError(ctx, err)
	}
	return out, nil
}

type templateIDInput struct {
	ID string `path:"id" maxLength:"63"`
}

type templateVersionOutput struct {
	Body *assent.TemplateVersion
}

// handleTemplateGet returns the newest active version of a template.
func (s *Server) handleTemplateGet(ctx context.Context, in *templateIDInput) (*templateVersionOutput, error) {
	v, err := s.Templates.FindTemplateVersion(ctx, in.ID, 0)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	return &templateVersionOutput{Body: v}, nil
}

type templatePutInput struct {
	ID       string `path:"id" maxLength:"63"`
	Activate bool   `query:"activate" doc:"Make the new version active at once."`
	RawBody  []byte `doc:"The template, as YAML or JSON."`
}

// handleTemplatePut adds a version from YAML or JSON. Every problem comes
// back at once, with its line and column (YAML) or JSON pointer.
func (s *Server) handleTemplatePut(ctx context.Context, in *templatePutInput) (*templateVersionOutput, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleAdmin); err != nil {
		return nil, s.apiError(ctx, err)
	}
	tc, err := s.Templates.TemplateContext(ctx)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	t, err := templates.Load(in.RawBody, tc)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	if t.ID != in.ID {
		return nil, s.apiError(ctx, assent.Invalid("id", "the body defines %q but the path names %q", t.ID, in.ID))
	}
	status := assent.TemplateDraft
	if in.Activate {
		status = assent.TemplateActive
	}
	v, err := s.Templates.AddTemplateVersion(ctx, t, status)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	return &templateVersionOutput{Body: v}, nil
}

type templateVersionInput struct {
	ID      string `path:"id" maxLength:"63"`
	Version int    `path:"version" minimum:"1"`
}

// handleTemplateVersionGet returns one version.
func (s *Server) handleTemplateVersionGet(ctx context.Context, in *templateVersionInput) (*templateVersionOutput, error) {
	v, err := s.Templates.FindTemplateVersion(ctx, in.ID, in.Version)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	return &templateVersionOutput{Body: v}, nil
}

type templateStatusInput struct {
	ID      string `path:"id" maxLength:"63"`
	Version int    `path:"version" minimum:"1"`
	Body    struct {
		Status string `json:"status" enum:"draft,active,archived"`
	}
}

// handleTemplateVersionStatus changes a version's status.
func (s *Server) handleTemplateVersionStatus(ctx context.Context, in *templateStatusInput) (*templateVersionOutput, error) {
	v, err := s.Templates.SetTemplateVersionStatus(ctx, in.ID, in.Version, assent.TemplateStatus(in.Body.Status))
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	return &templateVersionOutput{Body: v}, nil
}

// handleTemplateVersionDelete deletes a version that no item uses.
func (s *Server) handleTemplateVersionDelete(ctx context.Context, in *templateVersionInput) (*struct{}, error) {
	if err := s.Templates.DeleteTemplateVersion(ctx, in.ID, in.Version); err != nil {
		return nil, s.apiError(ctx, err)
	}
	return nil, nil
}

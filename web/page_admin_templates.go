package web

import (
	"fmt"
	"net/http"
	"strconv"

	"assent"
	"assent/templates"
)

// renderAdminTemplates draws the template list, with the add form's state.
func (s *Server) renderAdminTemplates(w http.ResponseWriter, r *http.Request, status int, p *page) {
	list, err := s.Templates.FindTemplates(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	p.Title, p.Section, p.Data = "Templates", "admin", struct{ Templates []*assent.TemplateSummary }{list}
	s.render(w, r, status, "admin_templates", p)
}

// handleAdminTemplates lists templates and their versions.
func (s *Server) handleAdminTemplates(w http.ResponseWriter, r *http.Request) {
	s.renderAdminTemplates(w, r, http.StatusOK, &page{})
}

// handleAdminTemplateAdd adds a version pasted as YAML or JSON.
func (s *Server) handleAdminTemplateAdd(w http.ResponseWriter, r *http.Request) {
	// URL-encoding can triple a template's size.
	if !s.readFormLimit(w, r, 3*templates.MaxSize+maxFormBytes) {
		return
	}
	form := map[string]string{"source": r.PostFormValue("source"), "activate": r.PostFormValue("activate")}
	refuse := func(err error) {
		s.renderAdminTemplates(w, r, statusOf[assent.ErrorCode(err)], &page{Form: form, Errors: fieldErrors(err, nil)})
	}
	tc, err := s.Templates.TemplateContext(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	t, err := templates.Load([]byte(form["source"]), tc)
	if err != nil {
		refuse(err)
		return
	}
	status := assent.TemplateDraft
	if form["activate"] == "1" {
		status = assent.TemplateActive
	}
	v, err := s.Templates.AddTemplateVersion(r.Context(), t, status)
	if err != nil {
		refuse(err)
		return
	}
	s.redirect(w, r, fmt.Sprintf("/admin/templates/%s/versions/%d", v.TemplateID, v.Version), "ok",
		fmt.Sprintf("Version %d of %s added as %s.", v.Version, v.TemplateID, v.Status))
}

// versionFromPath reads {id} and {version}, answering 404 for a bad number.
func (s *Server) versionFromPath(w http.ResponseWriter, r *http.Request) (string, int, bool) {
	v, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || v < 1 {
		s.renderError(w, r, http.StatusNotFound, "Page not found", "There is no such template version.")
		return "", 0, false
	}
	return r.PathValue("id"), v, true
}

// handleAdminTemplateVersion shows a version's definition.
func (s *Server) handleAdminTemplateVersion(w http.ResponseWriter, r *http.Request) {
	id, n, ok := s.versionFromPath(w, r)
	if !ok {
		return
	}
	v, err := s.Templates.FindTemplateVersion(r.Context(), id, n)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin_template_version", &page{Title: v.Definition.Name, Section: "admin", Data: struct{ Version *assent.TemplateVersion }{v}})
}

// handleAdminTemplateStatus activates or archives a version.
func (s *Server) handleAdminTemplateStatus(w http.ResponseWriter, r *http.Request) {
	id, n, ok := s.versionFromPath(w, r)
	if !ok || !s.readForm(w, r) {
		return
	}
	back := fmt.Sprintf("/admin/templates/%s/versions/%d", id, n)
	v, err := s.Templates.SetTemplateVersionStatus(r.Context(), id, n, assent.TemplateStatus(r.PostFormValue("status")))
	if err != nil {
		s.redirect(w, r, back, "error", assent.ErrorMessage(err))
		return
	}
	s.redirect(w, r, back, "ok", fmt.Sprintf("Version %d of %s is %s.", v.Version, v.TemplateID, v.Status))
}

// handleAdminTemplateDelete deletes an unused version.
func (s *Server) handleAdminTemplateDelete(w http.ResponseWriter, r *http.Request) {
	id, n, ok := s.versionFromPath(w, r)
	if !ok {
		return
	}
	if err := s.Templates.DeleteTemplateVersion(r.Context(), id, n); err != nil {
		s.redirect(w, r, fmt.Sprintf("/admin/templates/%s/versions/%d", id, n), "error", assent.ErrorMessage(err))
		return
	}
	s.redirect(w, r, "/admin/templates", "ok", fmt.Sprintf("Version %d of %s deleted.", n, id))
}

// handleAdminTemplateExport downloads a version as YAML or JSON.
func (s *Server) handleAdminTemplateExport(w http.ResponseWriter, r *http.Request) {
	id, n, ok := s.versionFromPath(w, r)
	if !ok {
		return
	}
	v, err := s.Templates.FindTemplateVersion(r.Context(), id, n)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	format := r.URL.Query().Get("format")
	if format != "json" {
		format = "yaml"
	}
	out, err := templates.Marshal(v.Definition, format)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	ctype := map[string]string{"yaml": "application/yaml", "json": "application/json"}[format]
	w.Header().Set("Content-Type", ctype+"; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-v%d.%s"`, id, n, format))
	w.Write(out)
}

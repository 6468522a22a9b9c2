package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"assent"
)

// handleItemSave saves the fields of the overview or of one step; the form
// carries the revision it was drawn at, so a stale save changes nothing.
func (s *Server) handleItemSave(w http.ResponseWriter, r *http.Request) {
	if _, err := assent.RequireRole(r.Context(), assent.RoleMember); err != nil {
		s.pageError(w, r, err)
		return
	}
	if !s.readForm(w, r) {
		return
	}
	view, err := s.loadItemView(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	fields := map[string]any{}
	form := map[string]string{}
	errs := map[string]string{}
	for _, sec := range view.Sections {
		for _, f := range sec.Fields {
			if f == nil || f.Type == assent.FieldFile || f.ReadOnly {
				continue
			}
			v, text, err := formValue(f, r)
			form[f.ID] = text
			if err != nil {
				errs["fields."+f.ID] = err.Error()
				continue
			}
			fields[f.ID] = v
		}
	}
	step := r.URL.Query().Get("step")
	if r.PostFormValue("picker") != "" {
		// "Add" or "Add myself" in a principals picker: draw the form again
		// with the change, at the revision it was first drawn at, saving
		// nothing until Save.
		if rev := formRevision(r); rev != nil {
			view.Item.Revision = *rev
		}
		if err := s.loadPrincipalOptions(r.Context(), view); err != nil {
			s.pageError(w, r, err)
			return
		}
		view.Editing = true
		s.renderItem(w, r, http.StatusOK, view, form, errs)
		return
	}
	if len(errs) == 0 {
		_, err = s.Items.UpdateItem(r.Context(), view.Item.ID, assent.ItemUpdate{Fields: fields, Revision: formRevision(r)})
		if err == nil {
			s.redirect(w, r, itemURL(view.Item.ID, step), "ok", "Saved.")
			return
		}
		if assent.ErrorCode(err) == assent.ESTALE || assent.ErrorCode(err) == assent.ECONFLICT {
			s.redirect(w, r, itemURL(view.Item.ID, step), "error", assent.ErrorMessage(err))
			return
		}
		errs = fieldErrors(err, nil)
	}
	view.Editing = true
	if err := s.loadPrincipalOptions(r.Context(), view); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.renderItem(w, r, http.StatusUnprocessableEntity, view, form, errs)
}

// handleItemStepPage sets a step's status from the page ("Set as finished").
func (s *Server) handleItemStepPage(w http.ResponseWriter, r *http.Request) {
	if !s.readForm(w, r) {
		return
	}
	id, step := r.PathValue("id"), r.PathValue("step")
	status := assent.StepStatus(r.PostFormValue("status"))
	it, err := s.Items.SetItemStep(r.Context(), id, step, status, formRevision(r))
	if err != nil {
		s.redirect(w, r, itemURL(id, step), "error", assent.ErrorMessage(err))
		return
	}
	msg := map[assent.StepStatus]string{assent.StepFinished: "Step finished.", assent.StepOngoing: "Step reopened."}[status]
	s.redirect(w, r, itemURL(id, it.Workflow.CurrentStep), "ok", msg)
}

// handleItemArchivePage archives or restores an item from its page.
func (s *Server) handleItemArchivePage(archived bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.readForm(w, r) {
			return
		}
		id := r.PathValue("id")
		if _, err := s.Items.ArchiveItem(r.Context(), id, archived, formRevision(r)); err != nil {
			s.redirect(w, r, itemURL(id, ""), "error", assent.ErrorMessage(err))
			return
		}
		msg := "Archived: the item is kept, read-only, until restored."
		if !archived {
			msg = "Restored."
		}
		s.redirect(w, r, itemURL(id, ""), "ok", msg)
	}
}

// handleItemUploadPage adds a file from the page's upload form.
func (s *Server) handleItemUploadPage(w http.ResponseWriter, r *http.Request) {
	id, step := r.PathValue("id"), r.URL.Query().Get("step")
	// Who may write, and to what, is settled before a byte is stored.
	if _, err := assent.RequireRole(r.Context(), assent.RoleMember); err != nil {
		s.pageError(w, r, err)
		return
	}
	if it, err := s.Items.FindItem(r.Context(), id); err != nil {
		s.pageError(w, r, err)
		return
	} else if it.Archived {
		s.redirect(w, r, itemURL(id, step), "error", "The item is archived; restore it to add files.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.config.MaxUploadBytes+1<<20)
	file, header, err := r.FormFile("file")
	if err != nil {
		s.redirect(w, r, itemURL(id, step), "error", "Choose a file to upload (at most "+strconv.FormatInt(s.config.MaxUploadBytes>>20, 10)+" MB).")
		return
	}
	defer file.Close()
	n := assent.NewAttachment{Item: id, Field: r.FormValue("field"), Name: header.Filename, ContentType: header.Header.Get("Content-Type"), Revision: formRevision(r)}
	if !cleanText(n.Field) {
		s.redirect(w, r, itemURL(id, step), "error", "The form could not be read.")
		return
	}
	if n.SHA256, n.Size, err = s.Blobs.Put(r.Context(), file, s.config.MaxUploadBytes); err == nil {
		_, _, err = s.Attachments.AddAttachment(r.Context(), n)
	}
	if err != nil {
		s.redirect(w, r, itemURL(id, step), "error", assent.ErrorMessage(err))
		return
	}
	s.redirect(w, r, itemURL(id, step), "ok", "Uploaded "+n.Name+".")
}

// formText shows a stored value in a form input.
func formText(f *assent.FieldDef, v any) string {
	if f == nil || v == nil {
		return ""
	}
	switch x := v.(type) {
	case string:
		return x
	case []any:
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = fmt.Sprint(p)
		}
		if f.Type == assent.FieldText || f.Type == assent.FieldDate || f.Type == assent.FieldReference {
			return strings.Join(parts, "\n") // one per line, as the form reads them back
		}
		return strings.Join(parts, ", ")
	case bool:
		if x {
			return "true"
		}
		return ""
	}
	if f.Type == assent.FieldJSON {
		b, _ := json.MarshalIndent(v, "", "  ")
		return string(b)
	}
	return fmt.Sprint(v)
}

// formValue reads one field from a posted form as the value the API takes,
// and the text to show again if the form is refused.
func formValue(f *assent.FieldDef, r *http.Request) (any, string, error) {
	name := "f_" + f.ID
	text := strings.TrimSpace(r.PostFormValue(name))
	switch f.Type {
	case assent.FieldBoolean:
		if r.PostFormValue(name) != "true" {
			return nil, "", nil // "No" and never set read alike
		}
		return true, "true", nil
	case assent.FieldCategory:
		if f.List {
			vals := r.PostForm[name]
			out := make([]any, len(vals))
			for i, v := range vals {
				out[i] = v
			}
			return out, strings.Join(vals, ", "), nil
		}
	case assent.FieldNumber:
		if text == "" {
			return nil, "", nil
		}
		n, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return nil, text, fmt.Errorf("Must be a number.")
		}
		return n, text, nil
	case assent.FieldPrincipals:
		out, text := principalsValue(f, r)
		return out, text, nil
	case assent.FieldJSON:
		if text == "" {
			return nil, "", nil
		}
		var v any
		if err := json.Unmarshal([]byte(text), &v); err != nil {
			return nil, text, fmt.Errorf("Must be JSON: %v.", err)
		}
		return v, text, nil
	}
	if text == "" {
		return nil, "", nil
	}
	if f.List {
		out := []any{}
		for _, p := range strings.Split(text, "\n") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out, text, nil
	}
	return text, text, nil
}

package web

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"

	"assent"
)

// handleAttachmentUpload takes a multipart form with "field" and "file"
// (and optionally "revision") and adds the file to the item's file field.
// It is a plain handler: huma would read the whole body before us.
func (s *Server) handleAttachmentUpload(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if _, err := assent.RequireRole(ctx, assent.RoleMember); err != nil {
		writeProblem(w, statusOf[assent.ErrorCode(err)], assent.ErrorMessage(err))
		return
	}
	limit := s.config.MaxUploadBytes
	r.Body = http.MaxBytesReader(w, r.Body, limit+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		writeProblem(w, http.StatusBadRequest, "The body must be multipart/form-data with the fields \"field\" and \"file\".")
		return
	}
	n := assent.NewAttachment{Item: r.PathValue("id")}
	if rev, err := revisionOf(r.Header.Get("If-Match"), nil); err != nil {
		s.writeError(w, r, err)
		return
	} else {
		n.Revision = rev
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			s.writeError(w, r, uploadError(err))
			return
		}
		switch part.FormName() {
		case "field", "revision":
			b, _ := io.ReadAll(io.LimitReader(part, 100))
			if part.FormName() == "field" {
				n.Field = string(b)
				if !cleanText(n.Field) {
					s.writeError(w, r, assent.Invalid("field", "is not a field id"))
					return
				}
			} else {
				v, err := strconv.ParseInt(string(b), 10, 64)
				if err != nil || (n.Revision != nil && *n.Revision != v) {
					s.writeError(w, r, assent.Invalid("revision", "must be the item's revision, and agree with If-Match"))
					return
				}
				n.Revision = &v
			}
		case "file":
			if n.Field == "" {
				s.writeError(w, r, assent.Invalid("field", "send the field before the file"))
				return
			}
			if n.SHA256 != "" {
				s.writeError(w, r, assent.Invalid("file", "send one file per request"))
				return
			}
			n.Name, n.ContentType = part.FileName(), part.Header.Get("Content-Type")
			if n.SHA256, n.Size, err = s.Blobs.Put(ctx, part, limit); err != nil {
				s.writeError(w, r, uploadError(err))
				return
			}
		}
	}
	if n.SHA256 == "" {
		s.writeError(w, r, assent.Invalid("file", "is missing"))
		return
	}
	a, _, err := s.Attachments.AddAttachment(ctx, n)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	writeJSON(w, a)
}

// uploadError turns a body over the limit into ETOOLARGE.
func uploadError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return assent.Errorf(assent.ETOOLARGE, "The upload is larger than the limit.")
	}
	return err
}

// handleAttachmentDownload sends a file to anyone who may read its item,
// always as a download so that no uploaded HTML runs on this site.
func (s *Server) handleAttachmentDownload(w http.ResponseWriter, r *http.Request) {
	a, err := s.Attachments.FindAttachment(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f, err := s.Blobs.Open(r.Context(), a.SHA256)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", a.ContentType)
	w.Header().Set("Content-Length", strconv.FormatInt(a.Size, 10))
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Name}))
	w.Header().Set("Content-Security-Policy", "sandbox")
	w.Header().Set("Cache-Control", "private, max-age=0")
	if _, err := io.Copy(w, f); err != nil {
		s.logger.Warn("download interrupted", "attachment", a.ID, "err", err)
	}
}

// writeError writes a service error as a problem document, with details.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := assent.ErrorCode(err)
	if code == assent.EINTERNAL {
		s.logger.Error("internal error", "request_id", assent.RequestIDFromContext(r.Context()), "err", err)
	}
	status := statusOf[code]
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	body := map[string]any{"status": status, "title": http.StatusText(status), "detail": assent.ErrorMessage(err)}
	if e, ok := err.(*assent.Error); ok && len(e.Details) > 0 {
		body["errors"] = e.Details
	}
	writeJSON(w, body)
}

func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

package web

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"assent"
)

// statusOf maps a domain error code to its HTTP status; only this layer
// knows status codes.
var statusOf = map[string]int{
	assent.EINVALID:        http.StatusUnprocessableEntity,
	assent.ENOTFOUND:       http.StatusNotFound,
	assent.ECONFLICT:       http.StatusConflict,
	assent.EUNAUTHORIZED:   http.StatusUnauthorized,
	assent.EFORBIDDEN:      http.StatusForbidden,
	assent.ESTALE:          http.StatusPreconditionFailed,
	assent.ETOOLARGE:       http.StatusRequestEntityTooLarge,
	assent.ETOOMANYREQUEST: http.StatusTooManyRequests,
	assent.EINTERNAL:       http.StatusInternalServerError,
}

// apiError turns a service error into a problem document. Unexpected errors
// are logged with the request id and shown as "Internal error".
func (s *Server) apiError(ctx context.Context, err error) error {
	code := assent.ErrorCode(err)
	if code == assent.EINTERNAL {
		s.logger.Error("internal error", "request_id", assent.RequestIDFromContext(ctx), "err", err)
	}
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	var details []error
	if e, ok := err.(*assent.Error); ok {
		for _, d := range e.Details {
			details = append(details, &huma.ErrorDetail{Location: d.Location, Message: d.Message})
		}
	}
	return huma.NewError(status, assent.ErrorMessage(err), details...)
}

// writeProblem writes a problem document outside huma (middleware, plain handlers).
func writeProblem(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = huma.DefaultJSONFormat.Marshal(w, &huma.ErrorModel{Status: status, Title: http.StatusText(status), Detail: detail})
}

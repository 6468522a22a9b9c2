package assent

import (
	"errors"
	"fmt"
)

// Error codes. They describe what went wrong in domain terms; only the HTTP
// layer turns them into status codes.
const (
	ECONFLICT       = "conflict"     // the current state does not allow it
	EINTERNAL       = "internal"     // a bug or an outage; details are logged, not shown
	EINVALID        = "invalid"      // the input breaks a rule
	ENOTFOUND       = "not_found"    // the object does not exist
	EUNAUTHORIZED   = "unauthorized" // who is asking is unknown
	EFORBIDDEN      = "forbidden"    // who is asking may not do it
	ESTALE          = "stale"        // the revision given is not the current one
	ETOOLARGE       = "too_large"    // the input exceeds a size limit
	ETOOMANYREQUEST = "too_many"     // the caller must slow down
)

// Error is the error every service returns for conditions a caller can act
// on. Details name the inputs at fault, such as "fields.email" or "items[3].parent".
type Error struct {
	Code    string
	Message string
	Details []ErrorDetail
}

// ErrorDetail names one input at fault.
type ErrorDetail struct {
	Location string `json:"location"`
	Message  string `json:"message"`
}

func (e *Error) Error() string {
	return fmt.Sprintf("assent error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error naming one input at fault.
func Invalid(location, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	return &Error{Code: EINVALID, Message: location + ": " + msg, Details: []ErrorDetail{{Location: location, Message: msg}}}
}

// ErrorCode returns the code of err when it is (or wraps) an *Error, and
// EINTERNAL for any other non-nil error.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message to show a caller: the *Error's message,
// or "Internal error" so that no internal detail leaks.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error"
}

// Problems collects the inputs at fault so that a caller sees all of them at once.
type Problems []ErrorDetail

// Add records one input at fault.
func (p *Problems) Add(location, format string, args ...any) {
	*p = append(*p, ErrorDetail{Location: location, Message: fmt.Sprintf(format, args...)})
}

// Err returns nil when nothing was added, else one EINVALID error with every detail.
func (p Problems) Err() error {
	if len(p) == 0 {
		return nil
	}
	msg := p[0].Location + ": " + p[0].Message
	if len(p) > 1 {
		msg = fmt.Sprintf("%s (and %d more)", msg, len(p)-1)
	}
	return &Error{Code: EINVALID, Message: msg, Details: p}
}

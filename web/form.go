package web

import (
	"errors"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"assent"
)

// maxFormBytes bounds every HTML form post.
const maxFormBytes = 64 << 10

// readForm parses a posted form within the size limit; when it cannot, it
// answers with an error page and returns false.
func (s *Server) readForm(w http.ResponseWriter, r *http.Request) bool {
	return s.readFormLimit(w, r, maxFormBytes)
}

// readFormLimit is readForm with a size limit of its own.
func (s *Server) readFormLimit(w http.ResponseWriter, r *http.Request, limit int64) bool {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if err := r.ParseForm(); err != nil {
		status := http.StatusBadRequest
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			status = http.StatusRequestEntityTooLarge
		}
		s.renderError(w, r, status, http.StatusText(status), "The form could not be read.")
		return false
	}
	for _, vs := range r.PostForm {
		for _, v := range vs {
			if !cleanText(v) {
				s.renderError(w, r, http.StatusBadRequest, "Bad request", "The form holds characters that text may not contain (invalid UTF-8 or NUL).")
				return false
			}
		}
	}
	return true
}

// cleanText reports whether s is valid UTF-8 without NUL, which both
// databases store alike.
func cleanText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// headerText makes a header value storable: valid UTF-8, no control
// characters, at most max bytes cut at a character boundary.
func headerText(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
	for len(s) > max {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}

// formValues keeps what was typed, except passwords, to fill the form again.
func formValues(r *http.Request, names ...string) map[string]string {
	m := map[string]string{}
	for _, n := range names {
		m[n] = strings.TrimSpace(r.PostFormValue(n))
	}
	return m
}

// fieldErrors turns a service error into messages per form field; an error
// that names no field goes under "".
func fieldErrors(err error, rename map[string]string) map[string]string {
	m := map[string]string{}
	if e, ok := err.(*assent.Error); ok && len(e.Details) > 0 {
		for _, d := range e.Details {
			loc := d.Location
			if to, ok := rename[loc]; ok {
				loc = to
			}
			m[loc] = capitalize(d.Message) + "."
		}
		return m
	}
	m[""] = assent.ErrorMessage(err)
	return m
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// formField is what the "input" template draws.
type formField struct {
	Name, Label, Type, Help, Autocomplete string
	Required                              bool
	Value, Error                          string
}

// field builds a formField from the page's values and errors; passwords are
// never sent back.
func field(p *page, name, label, typ, help, autocomplete string, required bool) formField {
	f := formField{Name: name, Label: label, Type: typ, Help: help, Autocomplete: autocomplete, Required: required, Error: p.FieldError(name)}
	if typ != "password" {
		f.Value = p.Value(name)
	}
	return f
}

// initial is the letter shown in a user's avatar.
func initial(name string) string {
	r, n := utf8.DecodeRuneInString(name)
	if n == 0 {
		return "?"
	}
	return string(unicode.ToUpper(r))
}

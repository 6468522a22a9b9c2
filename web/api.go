package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
)

// newAPI mounts a huma API on mux under /api/v1, serving its description
// at /api/v1/openapi.json.
func newAPI(mux *http.ServeMux, version string) huma.API {
	cfg := huma.DefaultConfig("Assent API", version)
	cfg.Info.Description = "Governance for machine learning: governable and governed items, workflows, sign-offs, metrics and deployment gates."
	cfg.OpenAPIPath = "/openapi"
	cfg.DocsPath = "" // the docs page would load scripts from a CDN
	cfg.Servers = []*huma.Server{{URL: "/api/v1"}}
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer", Description: "An API token from POST /auth/tokens or the profile page."},
	}
	cfg.Formats = map[string]huma.Format{
		"application/json": {Marshal: huma.DefaultJSONFormat.Marshal, Unmarshal: unmarshalJSON},
		"json":             {Marshal: huma.DefaultJSONFormat.Marshal, Unmarshal: unmarshalJSON},
		// YAML bodies (templates) are read raw by their handler.
		"application/yaml": {Marshal: huma.DefaultJSONFormat.Marshal, Unmarshal: func([]byte, any) error { return nil }},
	}
	cfg.CreateHooks = nil // no $schema links in responses
	return humago.NewWithPrefix(mux, "/api/v1", cfg)
}

// unmarshalJSON decodes like encoding/json but says where malformed input
// breaks, as line and column.
func unmarshalJSON(data []byte, v any) error {
	// PostgreSQL cannot store NUL in text; refuse it for both databases.
	// (encoding/json already turns invalid UTF-8 into U+FFFD.)
	if bytes.Contains(data, []byte(`\u0000`)) {
		return errors.New("the JSON holds a NUL character (\\u0000), which text values may not contain")
	}
	err := json.Unmarshal(data, v)
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		line, col := position(data, se.Offset-1) // Offset counts the offending byte
		return fmt.Errorf("malformed JSON at line %d, column %d: %s", line, col, se.Error())
	case errors.Is(err, io.ErrUnexpectedEOF) || (err != nil && strings.Contains(err.Error(), "unexpected end of JSON input")):
		line, col := position(data, int64(len(data)))
		return fmt.Errorf("malformed JSON at line %d, column %d: the input ends too soon", line, col)
	case errors.As(err, &te):
		return err
	}
	return err
}

// position turns a byte offset into a 1-based line and column.
func position(data []byte, offset int64) (line, col int) {
	line, col = 1, 1
	for i := int64(0); i < offset && i < int64(len(data)); i++ {
		if data[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

func init() {
	// Every error answer is a problem document whose locations name the
	// input as users write it ("username", "items[3].parent"), and which
	// never echoes values back: a request body may hold a password.
	huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
		m := &huma.ErrorModel{Status: status, Title: http.StatusText(status), Detail: msg}
		for _, e := range errs {
			if e == nil {
				continue
			}
			d := &huma.ErrorDetail{Message: e.Error()}
			var hd huma.ErrorDetailer
			if errors.As(e, &hd) {
				src := hd.ErrorDetail()
				d = &huma.ErrorDetail{Message: src.Message, Location: cleanLocation(src.Location)}
			}
			m.Errors = append(m.Errors, d)
		}
		if len(m.Errors) > 0 && (msg == "validation failed" || msg == "") {
			m.Detail = describe(m.Errors)
		}
		return m
	}
}

// cleanLocation drops huma's "body." prefix so that locations read like
// the JSON the client sent.
func cleanLocation(loc string) string {
	if rest, ok := strings.CutPrefix(loc, "body."); ok {
		return rest
	}
	return loc
}

// describe sums up validation errors in one sentence for the detail field.
func describe(details []*huma.ErrorDetail) string {
	first := details[0]
	s := first.Message
	if first.Location != "" {
		s = first.Location + ": " + s
	}
	if len(details) > 1 {
		s += fmt.Sprintf(" (and %d more)", len(details)-1)
	}
	return s
}

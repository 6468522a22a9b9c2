package templates

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"assent"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// SchemaURL is the absolute id under which the JSON Schema of a json field
// is compiled, so that messages and $ref resolution name it the same way
// wherever it is checked: urn:assent:template:<template>:<field>.
func SchemaURL(templateID, fieldID string) string {
	return "urn:assent:template:" + url.PathEscape(templateID) + ":" + url.PathEscape(fieldID)
}

// offline refuses every URL that is not a metaschema (those are built into
// the library): a template must neither make the server read its own files
// nor call out to the network.
type offline struct{}

func (offline) Load(u string) (any, error) {
	return nil, errors.New("schemas are checked offline; refer only to definitions inside the schema, such as #/$defs/name")
}

// CompileSchema compiles the JSON Schema of a json field, offline, as
// draft 2020-12 unless the schema names another draft with $schema.
func CompileSchema(templateID, fieldID string, schema []byte) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.UseLoader(offline{})
	u := SchemaURL(templateID, fieldID)
	if err := c.AddResource(u, doc); err != nil {
		return nil, err
	}
	return c.Compile(u)
}

// checkSchemas compiles the schema of every json field. Schemas that are
// not objects are left to Validate, which says so.
func checkSchemas(t *assent.Template) []problem {
	var ps []problem
	for i, f := range t.Fields {
		if f.Type != assent.FieldJSON || !bytes.HasPrefix(f.Schema, []byte("{")) {
			continue
		}
		if _, err := CompileSchema(t.ID, f.ID, f.Schema); err != nil {
			ps = append(ps, schemaProblems([]any{"fields", i, "schema"}, err)...)
		}
	}
	return ps
}

// schemaProblems explains why a schema does not compile: for a schema
// that breaks its metaschema, one problem for each place inside it.
func schemaProblems(at []any, err error) []problem {
	const prefix = "is not a valid JSON Schema: "
	var sve *jsonschema.SchemaValidationError
	var ve *jsonschema.ValidationError
	if !errors.As(err, &sve) || !errors.As(sve.Err, &ve) {
		var le *jsonschema.LoadURLError
		if errors.As(err, &le) {
			return []problem{{at: at, msg: fmt.Sprintf("%scannot load %s: %v", prefix, le.URL, le.Err)}}
		}
		return []problem{{at: at, msg: prefix + err.Error()}}
	}
	var ps []problem
	seen := map[string]bool{}
	for _, leaf := range leaves(ve) {
		ptr := "/" + strings.Join(leaf.InstanceLocation, "/")
		if seen[ptr] {
			continue // the other branches of an anyOf say the same thing
		}
		seen[ptr] = true
		msg := leaf.Error()
		if _, after, ok := strings.Cut(msg, "': "); ok && strings.HasPrefix(msg, "at '") {
			msg = after
		}
		if len(leaf.InstanceLocation) > 0 {
			msg = "at " + ptr + ": " + msg
		}
		var sub []any
		for _, tok := range leaf.InstanceLocation {
			if n, err := strconv.Atoi(tok); err == nil {
				sub = append(sub, n)
			} else {
				sub = append(sub, tok)
			}
		}
		ps = append(ps, problem{at: at, sub: sub, msg: prefix + msg})
	}
	return ps
}

// leaves are the errors with no further cause: the actual mistakes under
// the "allOf failed" summaries.
func leaves(e *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(e.Causes) == 0 {
		return []*jsonschema.ValidationError{e}
	}
	var out []*jsonschema.ValidationError
	for _, c := range e.Causes {
		out = append(out, leaves(c)...)
	}
	return out
}

package templates

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
)

// exponentFloat matches the floats of the YAML 1.2 core schema that the
// YAML library reads as text: an exponent without a dot, such as 1e6 or
// 1e-07, which is also how the library itself writes small and large
// floats. Without this, `maximum: 1e6` in a schema would be a string, and
// a default of 1e-7 would not survive an export.
var exponentFloat = regexp.MustCompile(`^[-+]?[0-9]+[eE][-+]?[0-9]+$`)

// fixFloats turns plain (unquoted) scalars that YAML 1.2 reads as floats
// into floats, in place. Quoted scalars and explicitly tagged ones stay
// as written.
func fixFloats(n ast.Node) ast.Node {
	switch n := n.(type) {
	case *ast.StringNode:
		if n.Token != nil && n.Token.Type == token.StringType && exponentFloat.MatchString(n.Value) {
			if f, err := strconv.ParseFloat(n.Value, 64); err == nil {
				return &ast.FloatNode{BaseNode: &ast.BaseNode{}, Token: n.Token, Value: f}
			}
		}
	case *ast.MappingNode:
		for _, v := range n.Values {
			v.Value = fixFloats(v.Value)
		}
	case *ast.MappingValueNode:
		n.Value = fixFloats(n.Value)
	case *ast.SequenceNode:
		for i, v := range n.Values {
			n.Values[i] = fixFloats(v)
		}
	case *ast.AnchorNode:
		n.Value = fixFloats(n.Value)
	}
	return n
}

// special matches the infinities and NaN of YAML 1.2, which the library
// reads as floats but writes plain when they are text.
var special = regexp.MustCompile(`^([-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$`)

// needsQuotes reports text that the library would write plain or as a
// literal block but not read back the same:
//   - numbers by YAML 1.2 (1e6, .inf);
//   - characters other than printable ones and line feeds (tabs, carriage
//     returns, no-break spaces);
//   - blocks whose first line starts with a space (they need an
//     indentation indicator it does not write) or that hold only line feeds;
//   - a line that starts with anything but a letter or digit, as some
//     indicators ("---", "? ") slip through its checks.
//
// Quotes are always safe; they only cost looks, and labels and options
// mostly start with letters.
func needsQuotes(s string) bool {
	if exponentFloat.MatchString(s) || special.MatchString(s) ||
		strings.ContainsFunc(s, func(r rune) bool { return r != '\n' && !unicode.IsPrint(r) }) {
		return true
	}
	if strings.Contains(s, "\n") {
		return strings.HasPrefix(s, " ") || strings.Trim(s, "\n") == ""
	}
	first, _ := utf8.DecodeRuneInString(s)
	return s != "" && !unicode.IsLetter(first) && !unicode.IsDigit(first)
}

// quoted is text that the YAML library would write plain although a YAML
// 1.2 reader (Load included) takes it for a number; it is written quoted.
type quoted string

func (q quoted) MarshalYAML() ([]byte, error) {
	return []byte(strconv.Quote(string(q))), nil
}

// marshalYAML writes a template's JSON as YAML, keeping the order of keys.
// It reads the JSON itself rather than through the YAML library, which
// would take 1e-07 for text.
func marshalYAML(data []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := readJSON(dec, 0)
	if err != nil {
		return nil, err
	}
	return yaml.MarshalWithOptions(forYAML(v), yaml.IndentSequence(true), yaml.UseLiteralStyleIfMultiline(true))
}

// forYAML prepares a value read by readJSON for the YAML writer: numbers
// as integers or floats, and numeric-looking text quoted.
func forYAML(v any) any {
	switch v := v.(type) {
	case yaml.MapSlice:
		for i := range v {
			v[i].Value = forYAML(v[i].Value)
		}
	case []any:
		for i := range v {
			v[i] = forYAML(v[i])
		}
	case string:
		if needsQuotes(v) {
			return quoted(v)
		}
	case json.Number:
		if !strings.ContainsAny(string(v), ".eE") {
			if n, err := v.Int64(); err == nil {
				return n
			}
		}
		if f, err := v.Float64(); err == nil {
			return f
		}
	}
	return v
}

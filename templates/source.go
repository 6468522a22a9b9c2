package templates

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"assent"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// A source is a parsed template document: its values as a generic tree
// (yaml.MapSlice keeps the order of keys, so problems come in document
// order) and, for YAML, the syntax tree that tells where each value is.
type source struct {
	root any
	json bool
	file *ast.File // YAML only
}

// maxDepth bounds the nesting of documents: the JSON reader recurses, the
// YAML parser slows down with depth, and no template nests anywhere near
// this deep.
const maxDepth = 200

// parse reads data as JSON when it starts with '{', else as YAML. A
// document that cannot be read at all is one problem, with its position.
func parse(data []byte) (*source, error) {
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, malformed(0, 0, "the template is empty")
	}
	if trimmed[0] == '{' {
		return parseJSON(data)
	}
	return parseYAML(data)
}

func parseYAML(data []byte) (*source, error) {
	tokens := lexer.Tokenize(string(data))
	if err := checkNesting(tokens); err != nil {
		return nil, err
	}
	file, err := parser.Parse(tokens, 0)
	if err != nil {
		return nil, yamlError(err)
	}
	var docs []*ast.DocumentNode
	for _, d := range file.Docs {
		if d.Body != nil {
			docs = append(docs, d)
		}
	}
	switch {
	case len(docs) == 0:
		return nil, malformed(0, 0, "the template is empty")
	case len(docs) > 1:
		pos := nodePosition(docs[1].Body)
		return nil, malformed(pos.Line, pos.Column, "a template is one YAML document; remove this second one")
	}
	var root any
	if err := yaml.NodeToValue(fixFloats(docs[0].Body), &root, yaml.UseOrderedMap()); err != nil {
		return nil, yamlError(err)
	}
	return &source{root: root, file: file}, nil
}

// checkNesting refuses YAML nested deeper than maxDepth before it is
// parsed: the parser takes time quadratic in the depth (100,000 open
// brackets take minutes), while tokens come in linear time. It counts flow
// brackets, and chains of "- " or "? " on one line; nesting by indentation
// is bounded by the size limit (about 1,400 levels in 1 MiB).
func checkNesting(tokens token.Tokens) error {
	flow, chain := 0, 0
	for i, tk := range tokens {
		switch tk.Type {
		case token.SequenceStartType, token.MappingStartType:
			flow++
		case token.SequenceEndType, token.MappingEndType:
			flow = max(flow-1, 0)
		case token.SequenceEntryType, token.MappingKeyType:
			if i > 0 && tokens[i-1].Position.Line == tk.Position.Line && chain > 0 {
				chain++
			} else {
				chain = 1
			}
		}
		if tk.Type != token.SequenceEntryType && tk.Type != token.MappingKeyType {
			chain = 0
		}
		if flow > maxDepth || chain > maxDepth {
			return malformed(tk.Position.Line, tk.Position.Column, "nested deeper than %d levels", maxDepth)
		}
	}
	return nil
}

// yamlError turns an error of the YAML library into one problem at the
// position of the token it names.
func yamlError(err error) error {
	var ye yaml.Error
	if errors.As(err, &ye) && ye.GetToken() != nil {
		pos := ye.GetToken().Position
		return malformed(pos.Line, pos.Column, "%s", ye.GetMessage())
	}
	return malformed(0, 0, "%v", err)
}

// malformed is the error for a document that cannot be read: one detail
// with the whole document as its location.
func malformed(line, col int, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if line > 0 {
		msg = fmt.Sprintf("line %d, column %d: %s", line, col, msg)
	}
	return &assent.Error{Code: assent.EINVALID, Message: "the template cannot be read: " + msg,
		Details: []assent.ErrorDetail{{Location: "", Message: msg}}}
}

func parseJSON(data []byte) (*source, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	root, err := readJSON(dec, 0)
	if err == nil {
		if _, end := dec.Token(); end != io.EOF {
			err = errors.New("unexpected data after the template")
		}
	}
	if err != nil {
		offset := dec.InputOffset()
		var se *json.SyntaxError
		if errors.As(err, &se) {
			offset = se.Offset
		}
		msg := err.Error()
		if errors.Is(err, io.ErrUnexpectedEOF) {
			msg = "unexpected end of the document"
		}
		line, col := lineColumn(data, offset)
		return nil, malformed(line, col, "%s", msg)
	}
	return &source{root: root, json: true}, nil
}

// readJSON reads one value with its object keys in order, refusing
// duplicate keys, which encoding/json would silently resolve to the last.
func readJSON(dec *json.Decoder, depth int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("nested deeper than %d levels", maxDepth)
	}
	tok, err := dec.Token()
	if err == io.EOF {
		return nil, io.ErrUnexpectedEOF
	} else if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		m := yaml.MapSlice{}
		seen := map[string]bool{}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, err
			}
			key := k.(string) // the decoder guarantees object keys are strings
			if seen[key] {
				return nil, fmt.Errorf("duplicate key %q", key)
			}
			seen[key] = true
			v, err := readJSON(dec, depth+1)
			if err != nil {
				return nil, err
			}
			m = append(m, yaml.MapItem{Key: key, Value: v})
		}
		_, err := dec.Token()
		return m, err
	case json.Delim('['):
		l := []any{}
		for dec.More() {
			v, err := readJSON(dec, depth+1)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		_, err := dec.Token()
		return l, err
	}
	return tok, nil
}

// lineColumn converts a byte offset into a 1-based line and column.
func lineColumn(data []byte, offset int64) (int, int) {
	offset = min(max(offset, 0), int64(len(data)))
	before := data[:offset]
	line := bytes.Count(before, []byte("\n")) + 1
	col := len(before) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// detail renders a problem as the caller sees it: a JSON pointer for JSON
// documents; for YAML the dotted location and the line and column of the
// node at fault.
func (s *source) detail(p problem) assent.ErrorDetail {
	if s.json {
		return assent.ErrorDetail{Location: pointer(p.at), Message: p.msg}
	}
	pos := s.position(p)
	return assent.ErrorDetail{Location: dotted(p.at), Message: fmt.Sprintf("line %d, column %d: %s", pos.Line, pos.Column, p.msg)}
}

// position finds the node of a problem: its key for an unknown key, else
// its value, else the nearest enclosing node that exists.
func (s *source) position(p problem) position {
	full := append(append([]any{}, p.at...), p.sub...)
	if p.key && len(p.at) > 0 {
		var entries []*ast.MappingValueNode
		switch m := s.lookup(p.at[:len(p.at)-1]).(type) {
		case *ast.MappingNode:
			entries = m.Values
		case *ast.MappingValueNode: // a mapping of one entry
			entries = []*ast.MappingValueNode{m}
		}
		name := fmt.Sprint(p.at[len(p.at)-1])
		for _, v := range entries {
			if v.Key.GetToken().Value == name {
				return nodePosition(v.Key)
			}
		}
	}
	for n := len(full); n >= 0; n-- {
		if node := s.lookup(full[:n]); node != nil {
			return nodePosition(node)
		}
	}
	return position{Line: 1, Column: 1}
}

// lookup finds the node at a location through the YAML path API.
func (s *source) lookup(at []any) ast.Node {
	p, err := yaml.PathString(yamlPath(at))
	if err != nil {
		return nil
	}
	node, err := p.FilterFile(s.file)
	if err != nil {
		return nil
	}
	return node
}

type position struct{ Line, Column int }

// nodePosition is where a node starts. A block mapping's own token is the
// ':' of its first entry, so use that entry's key instead.
func nodePosition(n ast.Node) position {
	switch n := n.(type) {
	case *ast.MappingNode:
		if !n.IsFlowStyle && len(n.Values) > 0 {
			return nodePosition(n.Values[0].Key)
		}
	case *ast.MappingValueNode:
		return nodePosition(n.Key)
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil {
		return position{Line: 1, Column: 1}
	}
	return position{Line: tk.Position.Line, Column: tk.Position.Column}
}

var plainKey = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

// yamlPath turns a location into a YAML path: fields[3].type → $.fields[3].type.
func yamlPath(at []any) string {
	var b strings.Builder
	b.WriteString("$")
	for _, seg := range at {
		switch seg := seg.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", seg)
		case string:
			if plainKey.MatchString(seg) {
				b.WriteString("." + seg)
			} else {
				b.WriteString(".'" + strings.ReplaceAll(seg, "'", `\'`) + "'")
			}
		}
	}
	return b.String()
}

// dotted writes a location the way the validator does: fields[3].type.
func dotted(at []any) string {
	var b strings.Builder
	for _, seg := range at {
		switch seg := seg.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", seg)
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(seg)
		}
	}
	return b.String()
}

// pointer writes a location as a JSON pointer (RFC 6901): /fields/3/type.
func pointer(at []any) string {
	var b strings.Builder
	for _, seg := range at {
		b.WriteByte('/')
		switch seg := seg.(type) {
		case int:
			b.WriteString(strconv.Itoa(seg))
		case string:
			b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(seg))
		}
	}
	return b.String()
}

var locationStep = regexp.MustCompile(`^([^.\[\]]*)((?:\[\d+\])*)$`)

// parseLocation reads a location of the validator, such as
// steps[1].signoff.feedback_groups[0].members[2], into its steps.
func parseLocation(loc string) []any {
	var at []any
	if loc == "" {
		return at
	}
	for _, part := range strings.Split(loc, ".") {
		m := locationStep.FindStringSubmatch(part)
		if m == nil {
			return append(at, part)
		}
		if m[1] != "" {
			at = append(at, m[1])
		}
		for _, idx := range strings.Split(m[2], "]") {
			if n, err := strconv.Atoi(strings.TrimPrefix(idx, "[")); err == nil {
				at = append(at, n)
			}
		}
	}
	return at
}

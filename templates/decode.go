package templates

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/goccy/go-yaml"
)

// A problem is one input at fault, at a location such as fields[3].type
// (steps: keys and list indexes).
type problem struct {
	at  []any
	sub []any // a deeper path, inside a JSON Schema, that only places the position
	key bool  // the key itself is at fault (unknown key), not its value
	msg string
}

// maxValues bounds the values one document may expand to. Aliases let a
// 1 MiB YAML file stand for billions of values; no template needs more
// than a few thousand.
const maxValues = 1 << 18

// A decoder fills a Template from a generic tree, the way encoding/json
// would with DisallowUnknownFields, except that it goes on after a
// problem, so that one answer lists every unknown key and wrong value.
type decoder struct {
	problems  []problem
	values    int
	exhausted bool // more than maxValues: the whole document is refused
}

var rawMessageType = reflect.TypeFor[json.RawMessage]()

func (d *decoder) add(at []any, format string, args ...any) {
	d.problems = append(d.problems, problem{at: at, msg: fmt.Sprintf(format, args...)})
}

// tooMany counts one value and reports whether the budget is spent.
func (d *decoder) tooMany() bool {
	d.values++
	d.exhausted = d.values > maxValues
	return d.exhausted
}

// value decodes v into rv and reports whether v had the right shape; a
// null leaves the zero value, as it does in encoding/json.
func (d *decoder) value(v any, rv reflect.Value, at []any) bool {
	if v == nil || d.tooMany() {
		return true
	}
	if rv.Type() == rawMessageType {
		return d.rawJSON(v, rv, at)
	}
	switch rv.Kind() {
	case reflect.Pointer:
		e := reflect.New(rv.Type().Elem())
		if d.value(v, e.Elem(), at) {
			rv.Set(e)
		}
		return true
	case reflect.Struct:
		return d.object(v, rv, at)
	case reflect.Slice:
		items, ok := v.([]any)
		if !ok {
			d.add(at, "must be a list, not %s", describe(v))
			return false
		}
		s := reflect.MakeSlice(rv.Type(), len(items), len(items))
		for i, item := range items {
			d.value(item, s.Index(i), with(at, i))
		}
		rv.Set(s)
	case reflect.String:
		s, ok := v.(string)
		if !ok {
			d.add(at, "must be text, not %s; quote it to write it as text", describe(v))
			return false
		}
		rv.SetString(s)
	case reflect.Bool:
		b, ok := v.(bool)
		if !ok {
			d.add(at, "must be true or false, not %s", describe(v))
			return false
		}
		rv.SetBool(b)
	case reflect.Float64:
		n, ok := number(v)
		if !ok || math.IsNaN(n) || math.IsInf(n, 0) {
			d.add(at, "must be a finite number, not %s", describe(v))
			return false
		}
		rv.SetFloat(n)
	case reflect.Interface:
		p, err := d.plain(v)
		if err != nil {
			d.add(at, "%v", err)
			return false
		}
		if p != nil {
			rv.Set(reflect.ValueOf(p))
		}
	default:
		panic(fmt.Sprintf("templates: no decoding for %s", rv.Type()))
	}
	return true
}

// object decodes a mapping into a struct by the fields' json names.
func (d *decoder) object(v any, rv reflect.Value, at []any) bool {
	m, ok := v.(yaml.MapSlice)
	if !ok {
		d.add(at, "must be a mapping of keys to values, not %s", describe(v))
		return false
	}
	keys := structKeys(rv.Type())
	for _, item := range m {
		name := fmt.Sprint(item.Key)
		i, ok := keys.index[name]
		if !ok {
			d.problems = append(d.problems, problem{at: with(at, name), key: true, msg: unknownKey(name, keys.names)})
			continue
		}
		d.value(item.Value, rv.Field(i), with(at, name))
	}
	return true
}

// unknownKey says what the key should have been: the nearest known key
// when the typo is small, else the list of keys that belong here.
func unknownKey(name string, known []string) string {
	best, dist := "", 3
	for _, k := range known {
		if n := editDistance(strings.ToLower(name), k); n < dist {
			best, dist = k, n
		}
	}
	if best != "" {
		return fmt.Sprintf("unknown key %q; did you mean %q?", name, best)
	}
	return fmt.Sprintf("unknown key %q; the keys here are %s", name, strings.Join(known, ", "))
}

// editDistance is the Levenshtein distance of two short keys.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// rawJSON stores a value, such as a JSON Schema, as compact JSON with
// sorted keys, so that the same schema read from YAML or from JSON is the
// same bytes.
func (d *decoder) rawJSON(v any, rv reflect.Value, at []any) bool {
	p, err := d.plain(v)
	if err != nil {
		d.add(at, "%v", err)
		return false
	}
	b, err := json.Marshal(p)
	if err != nil {
		d.add(at, "cannot be written as JSON: %v", err)
		return false
	}
	rv.SetBytes(b)
	return true
}

// plain turns a generic value into what encoding/json would have decoded
// (map[string]any, []any, float64, string, bool, nil), so that defaults
// and conditions compare equal whichever format they came from.
func (d *decoder) plain(v any) (any, error) {
	if d.tooMany() {
		return nil, fmt.Errorf("the document expands to more than %d values", maxValues)
	}
	switch v := v.(type) {
	case yaml.MapSlice:
		m := make(map[string]any, len(v))
		for _, item := range v {
			p, err := d.plain(item.Value)
			if err != nil {
				return nil, err
			}
			m[fmt.Sprint(item.Key)] = p
		}
		return m, nil
	case []any:
		l := make([]any, len(v))
		for i, item := range v {
			p, err := d.plain(item)
			if err != nil {
				return nil, err
			}
			l[i] = p
		}
		return l, nil
	case string, bool, nil:
		return v, nil
	}
	n, ok := number(v)
	if !ok {
		return nil, fmt.Errorf("holds %s, which JSON cannot", describe(v))
	} else if math.IsNaN(n) || math.IsInf(n, 0) {
		return nil, fmt.Errorf("holds %v, which is not a finite number", v)
	}
	return n, nil
}

// number reads the numbers the YAML and JSON readers produce.
func number(v any) (float64, bool) {
	switch v := v.(type) {
	case float64:
		return v, true
	case uint64:
		return float64(v), true
	case int64:
		return float64(v), true
	case json.Number:
		// Out of range reads as ±Inf, which callers refuse as not finite.
		n, err := strconv.ParseFloat(string(v), 64)
		return n, err == nil || errors.Is(err, strconv.ErrRange)
	}
	return 0, false
}

// describe names the kind of a generic value for messages.
func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "nothing"
	case yaml.MapSlice:
		return "a mapping"
	case []any:
		return "a list"
	case string:
		return fmt.Sprintf("the text %q", v)
	case bool:
		return fmt.Sprintf("%t", v)
	}
	if _, ok := number(v); ok {
		return fmt.Sprintf("the number %v", v)
	}
	return fmt.Sprintf("a %T", v)
}

// with returns a new location one step deeper; locations are kept in
// problems, so they must not share a backing array.
func with(at []any, step any) []any {
	return append(slices.Clip(at), step)
}

type keySet struct {
	index map[string]int
	names []string
}

var structKeysCache sync.Map // reflect.Type → keySet

// structKeys lists a struct's keys: its fields' json names, in order.
func structKeys(t reflect.Type) keySet {
	if ks, ok := structKeysCache.Load(t); ok {
		return ks.(keySet)
	}
	ks := keySet{index: map[string]int{}}
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		ks.index[name] = i
		ks.names = append(ks.names, name)
	}
	structKeysCache.Store(t, ks)
	return ks
}

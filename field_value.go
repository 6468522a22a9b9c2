package assent

import (
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// CheckValue reports whether v, as decoded from JSON, is a valid value of
// the field. Principals and files always hold lists; other types hold a
// list when the field is a list. A JSON field's schema, and whether a
// reference names an item of the right type, are checked by the store.
func (f *FieldDef) CheckValue(v any) error {
	if v == nil {
		return nil
	}
	if f.List || f.Type == FieldPrincipals || f.Type == FieldFile {
		items, ok := v.([]any)
		if !ok {
			return Errorf(EINVALID, "must be a list")
		}
		for i, item := range items {
			if err := f.checkOne(item); err != nil {
				return Errorf(EINVALID, "item %d: %s", i, ErrorMessage(err))
			}
		}
		return nil
	}
	return f.checkOne(v)
}

func (f *FieldDef) checkOne(v any) error {
	switch f.Type {
	case FieldText:
		s, ok := v.(string)
		if !ok {
			return Errorf(EINVALID, "must be text")
		} else if utf8.RuneCountInString(s) > MaxTextLength {
			return Errorf(EINVALID, "must be at most %d characters", MaxTextLength)
		}
	case FieldNumber:
		n, ok := number(v)
		switch {
		case !ok:
			return Errorf(EINVALID, "must be a number")
		case f.Min != nil && n < *f.Min:
			return Errorf(EINVALID, "must be at least %v", *f.Min)
		case f.Max != nil && n > *f.Max:
			return Errorf(EINVALID, "must be at most %v", *f.Max)
		}
	case FieldBoolean:
		if _, ok := v.(bool); !ok {
			return Errorf(EINVALID, "must be true or false")
		}
	case FieldCategory:
		s, ok := v.(string)
		if !ok || !slices.Contains(f.Options, s) {
			return Errorf(EINVALID, "must be one of %s", strings.Join(f.Options, ", "))
		}
	case FieldDate:
		s, ok := v.(string)
		if _, err := time.Parse(time.DateOnly, s); !ok || err != nil {
			return Errorf(EINVALID, "must be a date as YYYY-MM-DD")
		}
	case FieldReference, FieldFile:
		if s, ok := v.(string); !ok || s == "" {
			return Errorf(EINVALID, "must be an id")
		}
	case FieldPrincipals:
		s, ok := v.(string)
		if !ok || s == "" || strings.ContainsAny(s, " \t\n") {
			return Errorf(EINVALID, "must be a username or group:<name>")
		}
	case FieldJSON:
	default:
		return Errorf(EINVALID, "has an unknown type %q", f.Type)
	}
	return nil
}

// MaxTextLength bounds one text value.
const MaxTextLength = 100_000

// number accepts the numeric types JSON and YAML decoders produce.
func number(v any) (float64, bool) {
	var n float64
	switch x := v.(type) {
	case float64:
		n = x
	case float32:
		n = float64(x)
	case int:
		n = float64(x)
	case int64:
		n = float64(x)
	case uint64:
		n = float64(x)
	default:
		return 0, false
	}
	return n, !math.IsNaN(n) && !math.IsInf(n, 0)
}

package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"assent"
	"assent/templates"
)

// checkValues checks what the domain cannot: JSON fields against their
// schema, and references against the items they name. It also settles the
// parent: a template whose parent is chosen through a field takes it from
// there, and both given must agree.
func (s *ItemService) checkValues(ctx context.Context, tx *Tx, t *assent.Template, version int, itemID string, fields map[string]any, parent **string, p *assent.Problems) error {
	for _, f := range t.Fields {
		v, ok := fields[f.ID]
		if !ok || v == nil {
			continue
		}
		switch f.Type {
		case assent.FieldJSON:
			if len(f.Schema) == 0 {
				continue
			}
			schema, err := s.schema(t.ID, version, &f)
			if err != nil {
				return err
			}
			values := []any{v}
			if f.List {
				values, _ = v.([]any)
			}
			for _, one := range values {
				if err := schema.Validate(jsonValue(one)); err != nil {
					p.Add("fields."+f.ID, "does not match its JSON Schema: %s", firstLine(err.Error()))
					break
				}
			}
		case assent.FieldFile:
			// A file field holds attachments uploaded to this item only.
			ids, _ := v.([]any)
			for _, id := range ids {
				sid, _ := id.(string)
				var one int
				err := tx.QueryRowContext(ctx, `SELECT 1 FROM attachments WHERE id = $1 AND item_id = $2 AND field = $3`, sid, itemID, f.ID).Scan(&one)
				if errors.Is(err, sql.ErrNoRows) {
					p.Add("fields."+f.ID, "no attachment %q was uploaded to this field of this item", sid)
				} else if err != nil {
					return fmt.Errorf("check attachment: %w", err)
				}
			}
		case assent.FieldReference:
			ids := []any{v}
			if f.List {
				ids, _ = v.([]any)
			}
			for _, id := range ids {
				sid, ok := id.(string)
				if !ok { // already reported as not an id
					continue
				}
				if err := checkReference(ctx, tx, f, sid, p); err != nil {
					return err
				}
			}
		}
	}
	if t.Parent != nil && t.Parent.Field != "" {
		if id, ok := fields[t.Parent.Field].(string); ok && id != "" {
			switch {
			case *parent == nil:
				*parent = &id
			case **parent != id:
				p.Add("parent", "is %s but field %s names %s; they must agree", **parent, t.Parent.Field, id)
			}
		}
	}
	return nil
}

func checkReference(ctx context.Context, tx *Tx, f assent.FieldDef, id string, p *assent.Problems) error {
	var typ string
	err := tx.QueryRowContext(ctx, `SELECT type FROM items WHERE id = $1`, id).Scan(&typ)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		p.Add("fields."+f.ID, "no item %q", id)
	case err != nil:
		return fmt.Errorf("check reference: %w", err)
	case !slices.Contains(f.ReferenceTypes, typ):
		p.Add("fields."+f.ID, "item %s is a %s; this field takes %s", id, typ, strings.Join(f.ReferenceTypes, " or "))
	}
	return nil
}

// schemaKey names a compiled schema: versions never change, so it is cached for good.
type schemaKey struct {
	template string
	version  int
	field    string
}

func (s *ItemService) schema(templateID string, version int, f *assent.FieldDef) (interface{ Validate(any) error }, error) {
	key := schemaKey{templateID, version, f.ID}
	if c, ok := s.schemas.Load(key); ok {
		return c.(interface{ Validate(any) error }), nil
	}
	c, err := templates.CompileSchema(templateID, f.ID, f.Schema)
	if err != nil {
		return nil, fmt.Errorf("schema of %s v%d field %s: %w", templateID, version, f.ID, err)
	}
	s.schemas.Store(key, c)
	return c, nil
}

// jsonValue turns a decoded value into the form the schema library reads
// (numbers as json.Number).
func jsonValue(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.UseNumber()
	var out any
	if d.Decode(&out) != nil {
		return v
	}
	return out
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

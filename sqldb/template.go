package sqldb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"assent"
)

// TemplateService implements assent.TemplateService.
type TemplateService struct{ db *DB }

// NewTemplateService returns the template service of db.
func NewTemplateService(db *DB) *TemplateService { return &TemplateService{db: db} }

var _ assent.TemplateService = (*TemplateService)(nil)

// FindTemplates lists templates with their versions and how many items use each.
func (s *TemplateService) FindTemplates(ctx context.Context) ([]*assent.TemplateSummary, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleViewer); err != nil {
		return nil, err
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT t.id, t.name, t.item_type, t.builtin, v.version, v.status, v.builtin, v.created_at, v.created_by,
			(SELECT COUNT(*) FROM items i WHERE i.template_id = v.template_id AND i.template_version = v.version)
		FROM templates t JOIN template_versions v ON v.template_id = t.id ORDER BY t.item_type, t.id, v.version DESC`)
	if err != nil {
		return nil, fmt.Errorf("find templates: %w", err)
	}
	defer rows.Close()
	list := []*assent.TemplateSummary{}
	for rows.Next() {
		var sum assent.TemplateSummary
		var v assent.TemplateVersion
		var created int64
		if err := rows.Scan(&sum.ID, &sum.Name, &sum.ItemType, &sum.Builtin, &v.Version, &v.Status, &v.Builtin, &created, &v.CreatedBy, &v.Items); err != nil {
			return nil, err
		}
		v.TemplateID, v.CreatedAt = sum.ID, fromMS(created)
		if len(list) == 0 || list[len(list)-1].ID != sum.ID {
			list = append(list, &sum)
		}
		last := list[len(list)-1]
		last.Versions = append(last.Versions, &v)
	}
	return list, rows.Err()
}

// FindTemplateVersion returns one version; 0 means the newest active one.
func (s *TemplateService) FindTemplateVersion(ctx context.Context, id string, version int) (*assent.TemplateVersion, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleViewer); err != nil {
		return nil, err
	}
	return findTemplateVersion(ctx, s.db.read, id, version)
}

func findTemplateVersion(ctx context.Context, q queryer, id string, version int) (*assent.TemplateVersion, error) {
	query := `SELECT v.version, v.status, v.builtin, v.definition, v.created_at, v.created_by,
		(SELECT COUNT(*) FROM items i WHERE i.template_id = v.template_id AND i.template_version = v.version)
		FROM template_versions v WHERE v.template_id = $1 AND `
	args := []any{id}
	if version == 0 {
		query += `v.status = 'active' ORDER BY v.version DESC LIMIT 1`
	} else {
		query += `v.version = $2`
		args = append(args, version)
	}
	v := &assent.TemplateVersion{TemplateID: id}
	var def string
	var created int64
	err := q.QueryRowContext(ctx, query, args...).Scan(&v.Version, &v.Status, &v.Builtin, &def, &created, &v.CreatedBy, &v.Items)
	if errors.Is(err, sql.ErrNoRows) {
		if version == 0 {
			return nil, assent.Errorf(assent.ENOTFOUND, "Template %q has no active version.", id)
		}
		return nil, assent.Errorf(assent.ENOTFOUND, "Template %q has no version %d.", id, version)
	} else if err != nil {
		return nil, fmt.Errorf("find template version: %w", err)
	}
	v.CreatedAt = fromMS(created)
	if err := json.Unmarshal([]byte(def), &v.Definition); err != nil {
		return nil, fmt.Errorf("template %s v%d: stored definition: %w", id, v.Version, err)
	}
	return v, nil
}

// templateDefinition returns the definition of one version. Definitions
// never change once stored, so they are parsed once and kept: item writes
// need them on every change.
func (db *DB) templateDefinition(ctx context.Context, q queryer, id string, version int) (*assent.Template, error) {
	key := fmt.Sprintf("%s\x00%d", id, version)
	if t, ok := db.definitions.Load(key); ok {
		return t.(*assent.Template), nil
	}
	var def string
	err := q.QueryRowContext(ctx, `SELECT definition FROM template_versions WHERE template_id = $1 AND version = $2`, id, version).Scan(&def)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, assent.Errorf(assent.ENOTFOUND, "Template %q has no version %d.", id, version)
	} else if err != nil {
		return nil, fmt.Errorf("template definition: %w", err)
	}
	var t assent.Template
	if err := json.Unmarshal([]byte(def), &t); err != nil {
		return nil, fmt.Errorf("template %s v%d: stored definition: %w", id, version, err)
	}
	db.definitions.Store(key, &t)
	return &t, nil
}

// TemplateContext returns what validating a new template needs: for every
// template, its newest active version, or its newest version when none is active.
func (s *TemplateService) TemplateContext(ctx context.Context) (assent.TemplateContext, error) {
	defs, err := s.currentDefinitions(ctx, s.db.read)
	if err != nil {
		return assent.TemplateContext{}, err
	}
	return assent.NewTemplateContext(defs...), nil
}

func (s *TemplateService) currentDefinitions(ctx context.Context, q rowsQueryer) ([]*assent.Template, error) {
	rows, err := q.QueryContext(ctx, `SELECT v.template_id, v.definition FROM template_versions v
		WHERE v.version = (SELECT MAX(w.version) FROM template_versions w WHERE w.template_id = v.template_id
			AND (w.status = 'active' OR NOT EXISTS (SELECT 1 FROM template_versions x WHERE x.template_id = v.template_id AND x.status = 'active')))
		ORDER BY v.template_id`)
	if err != nil {
		return nil, fmt.Errorf("template context: %w", err)
	}
	defer rows.Close()
	var defs []*assent.Template
	for rows.Next() {
		var id, def string
		if err := rows.Scan(&id, &def); err != nil {
			return nil, err
		}
		var t assent.Template
		if err := json.Unmarshal([]byte(def), &t); err != nil {
			return nil, fmt.Errorf("template %s: stored definition: %w", id, err)
		}
		defs = append(defs, &t)
	}
	return defs, rows.Err()
}

// AddTemplateVersion stores t as the next version of its template.
func (s *TemplateService) AddTemplateVersion(ctx context.Context, t *assent.Template, status assent.TemplateStatus) (*assent.TemplateVersion, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleAdmin); err != nil {
		return nil, err
	}
	if status != assent.TemplateDraft && status != assent.TemplateActive {
		return nil, assent.Invalid("status", "a new version is draft or active")
	}
	var v *assent.TemplateVersion
	err := s.db.inTx(ctx, func(tx *Tx) error {
		var err error
		v, err = s.addVersion(ctx, tx, t, status, false)
		return err
	})
	return v, err
}

func (s *TemplateService) addVersion(ctx context.Context, tx *Tx, t *assent.Template, status assent.TemplateStatus, builtin bool) (*assent.TemplateVersion, error) {
	if err := tx.lock(ctx, "template:"+t.ID); err != nil {
		return nil, err
	}
	others, err := s.currentDefinitions(ctx, tx)
	if err != nil {
		return nil, err
	}
	c := assent.NewTemplateContext()
	for _, o := range others {
		if o.ID != t.ID {
			c.Add(o)
		}
	}
	if err := t.Validate(c); err != nil {
		return nil, err
	}
	def, err := json.Marshal(t)
	if err != nil {
		return nil, err
	}
	var itemType string
	err = tx.QueryRowContext(ctx, `SELECT item_type FROM templates WHERE id = $1`, t.ID).Scan(&itemType)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if _, err := tx.ExecContext(ctx, `INSERT INTO templates (id, name, item_type, builtin, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)`,
			t.ID, t.Name, t.ItemType, builtin, ms(tx.now)); err != nil {
			return nil, fmt.Errorf("add template: %w", err)
		}
	case err != nil:
		return nil, fmt.Errorf("add template version: %w", err)
	case itemType != t.ItemType:
		return nil, &assent.Error{Code: assent.ECONFLICT, Message: fmt.Sprintf("Template %q defines %s items; a new version cannot change the item type to %s.", t.ID, itemType, t.ItemType),
			Details: []assent.ErrorDetail{{Location: "item_type", Message: "must stay " + itemType}}}
	}
	var next int
	if err := tx.QueryRowContext(ctx, `UPDATE templates SET name = $1, updated_at = $2, next_version = next_version + 1 WHERE id = $3 RETURNING next_version - 1`,
		t.Name, ms(tx.now), t.ID).Scan(&next); err != nil {
		return nil, fmt.Errorf("add template version: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO template_versions (template_id, version, status, builtin, definition, created_at, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, t.ID, next, string(status), builtin, string(def), ms(tx.now), tx.actor); err != nil {
		return nil, fmt.Errorf("add template version: %w", err)
	}
	// The event carries the definition's hash, so that the audit trail tells versions apart.
	sum := sha256.Sum256(def)
	tx.record("template", t.ID, "template.version_add", nil, map[string]any{"version": next, "status": status, "name": t.Name,
		"item_type": t.ItemType, "definition_sha256": hex.EncodeToString(sum[:])})
	return &assent.TemplateVersion{TemplateID: t.ID, Version: next, Status: status, Builtin: builtin, Definition: t, CreatedAt: tx.now, CreatedBy: tx.actor}, nil
}

// EnsureBuiltinTemplates adds each built-in template that the database does
// not have yet, as an active version 1. Existing ones are left alone: an
// admin may have superseded them.
func (s *TemplateService) EnsureBuiltinTemplates(ctx context.Context, builtins []*assent.Template) error {
	return s.db.inTx(ctx, func(tx *Tx) error {
		// Replicas that start together seed one after the other.
		if err := tx.lock(ctx, "templates:builtin"); err != nil {
			return err
		}
		for _, t := range builtins {
			var one int
			err := tx.QueryRowContext(ctx, `SELECT 1 FROM templates WHERE id = $1`, t.ID).Scan(&one)
			if err == nil {
				continue
			} else if !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("built-in templates: %w", err)
			}
			if _, err := s.addVersion(ctx, tx, t, assent.TemplateActive, true); err != nil {
				return fmt.Errorf("built-in template %s: %w", t.ID, err)
			}
		}
		return nil
	})
}

// SetTemplateVersionStatus moves a version to another status.
func (s *TemplateService) SetTemplateVersionStatus(ctx context.Context, id string, version int, status assent.TemplateStatus) (*assent.TemplateVersion, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleAdmin); err != nil {
		return nil, err
	}
	if status != assent.TemplateDraft && status != assent.TemplateActive && status != assent.TemplateArchived {
		return nil, assent.Invalid("status", "must be draft, active or archived")
	}
	var v *assent.TemplateVersion
	err := s.db.inTx(ctx, func(tx *Tx) error {
		if err := tx.lock(ctx, "template:"+id); err != nil {
			return err
		}
		var err error
		if v, err = findTemplateVersion(ctx, tx, id, version); err != nil {
			return err
		}
		if v.Status == status {
			return nil
		}
		if status == assent.TemplateDraft {
			return assent.Errorf(assent.ECONFLICT, "Version %d of %s is %s; a version never goes back to draft (add a new version instead).", version, id, v.Status)
		}
		res, err := tx.ExecContext(ctx, `UPDATE template_versions SET status = $1 WHERE template_id = $2 AND version = $3 AND status = $4`,
			string(status), id, version, string(v.Status))
		if err != nil {
			return fmt.Errorf("set template status: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return assent.Errorf(assent.ECONFLICT, "Version %d of %s changed at the same moment; try again.", version, id)
		}
		tx.record("template", id, "template.version_status", map[string]any{"version": version, "status": v.Status}, map[string]any{"version": version, "status": status})
		v.Status = status
		return nil
	})
	return v, err
}

// DeleteTemplateVersion removes a version that no item uses.
func (s *TemplateService) DeleteTemplateVersion(ctx context.Context, id string, version int) error {
	if _, err := assent.RequireRole(ctx, assent.RoleAdmin); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		if err := tx.lock(ctx, "template:"+id); err != nil {
			return err
		}
		v, err := findTemplateVersion(ctx, tx, id, version)
		if err != nil {
			return err
		}
		switch {
		case v.Builtin:
			return assent.Errorf(assent.ECONFLICT, "Version %d of %s is built in; it cannot be deleted, only superseded by a new version or archived.", version, id)
		case v.Items > 0:
			return assent.Errorf(assent.ECONFLICT, "%d items use version %d of %s; migrate them to another version first, or archive this one.", v.Items, version, id)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM template_versions WHERE template_id = $1 AND version = $2`, id, version); isForeignKeyViolation(err) {
			return assent.Errorf(assent.ECONFLICT, "An item now uses version %d of %s; it cannot be deleted.", version, id)
		} else if err != nil {
			return fmt.Errorf("delete template version: %w", err)
		}
		var left int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM template_versions WHERE template_id = $1`, id).Scan(&left); err != nil {
			return err
		}
		if left == 0 {
			if _, err := tx.ExecContext(ctx, `DELETE FROM templates WHERE id = $1`, id); err != nil {
				return fmt.Errorf("delete template: %w", err)
			}
		}
		tx.record("template", id, "template.version_delete", map[string]any{"version": version, "status": v.Status}, nil)
		return nil
	})
}

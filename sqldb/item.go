package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"assent"
)

// ItemService implements assent.ItemService.
type ItemService struct {
	db      *DB
	schemas sync.Map // schemaKey → compiled JSON Schema
}

// NewItemService returns the item service of db.
func NewItemService(db *DB) *ItemService { return &ItemService{db: db} }

var _ assent.ItemService = (*ItemService)(nil)

const itemColumns = `id, type, name, template_id, template_version, revision, parent_id, fields, steps, current_step, archived, created_at, updated_at, created_by`

func scanItem(row interface{ Scan(...any) error }) (*assent.Item, error) {
	var it assent.Item
	var parent sql.NullString
	var fields, steps string
	var created, updated int64
	var current string
	if err := row.Scan(&it.ID, &it.Type, &it.Name, &it.Template.ID, &it.Template.Version, &it.Revision, &parent,
		&fields, &steps, &current, &it.Archived, &created, &updated, &it.CreatedBy); err != nil {
		return nil, err
	}
	if parent.Valid {
		it.Parent = &parent.String
	}
	if err := json.Unmarshal([]byte(fields), &it.Fields); err != nil {
		return nil, fmt.Errorf("item %s fields: %w", it.ID, err)
	}
	if err := json.Unmarshal([]byte(steps), &it.Workflow.Steps); err != nil {
		return nil, fmt.Errorf("item %s steps: %w", it.ID, err)
	}
	it.Workflow.CurrentStep = assent.CurrentStep(it.Workflow.Steps)
	it.CreatedAt, it.UpdatedAt = fromMS(created), fromMS(updated)
	it.GovernableItems = []string{}
	return &it, nil
}

func findItem(ctx context.Context, q rowsQueryer, id string) (*assent.Item, error) {
	it, err := scanItem(q.QueryRowContext(ctx, `SELECT `+itemColumns+` FROM items WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, assent.Errorf(assent.ENOTFOUND, "Item %q not found.", id)
	} else if err != nil {
		return nil, fmt.Errorf("find item: %w", err)
	}
	if err := fillGovernableIDs(ctx, dialect{}, q, []*assent.Item{it}); err != nil {
		return nil, err
	}
	return it, nil
}

// FindItem returns one item; everyone signed in may read items.
func (s *ItemService) FindItem(ctx context.Context, id string) (*assent.Item, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleViewer); err != nil {
		return nil, err
	}
	return findItem(ctx, s.db.read, id)
}

// CreateItem creates an item from an active template version.
func (s *ItemService) CreateItem(ctx context.Context, n assent.NewItem) (*assent.Item, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleMember); err != nil {
		return nil, err
	}
	var it *assent.Item
	err := s.db.inTx(ctx, func(tx *Tx) error {
		var err error
		it, err = s.createItem(ctx, tx, n)
		return err
	})
	return it, err
}

// createItem creates an item in tx; governing a source object creates its
// item this way too.
func (s *ItemService) createItem(ctx context.Context, tx *Tx, n assent.NewItem) (*assent.Item, error) {
	v, err := findTemplateVersion(ctx, tx, n.Template.ID, n.Template.Version)
	if assent.ErrorCode(err) == assent.ENOTFOUND {
		return nil, &assent.Error{Code: assent.EINVALID, Message: assent.ErrorMessage(err), Details: []assent.ErrorDetail{{Location: "template", Message: assent.ErrorMessage(err)}}}
	} else if err != nil {
		return nil, err
	}
	if v.Status != assent.TemplateActive {
		return nil, assent.Invalid("template", "version %d of %s is %s; only active versions create items", v.Version, v.TemplateID, v.Status)
	}
	t := v.Definition
	var p assent.Problems
	name := strings.TrimSpace(n.Name)
	if name == "" || len(name) > 300 {
		p.Add("name", "must be 1 to 300 characters")
	}
	fields := t.WithDefaults(n.Fields)
	if err := t.CheckFields(fields, true); err != nil {
		p = append(p, err.(*assent.Error).Details...)
	}
	parent := n.Parent
	if err := s.checkValues(ctx, tx, t, v.Version, "", fields, &parent, &p); err != nil {
		return nil, err
	}
	n.Parent = parent
	if err := checkParent(ctx, tx, t, n.Parent, &p); err != nil {
		return nil, err
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	it := &assent.Item{ID: "item_" + randomString(9), Type: t.ItemType, Name: name, Template: assent.TemplateRef{ID: t.ID, Version: v.Version},
		Revision: 1, Parent: n.Parent, GovernableItems: []string{}, Fields: fields, Workflow: assent.Workflow{Steps: t.NewSteps()},
		CreatedAt: tx.now, UpdatedAt: tx.now, CreatedBy: tx.actor}
	it.Workflow.CurrentStep = assent.CurrentStep(it.Workflow.Steps)
	if err := insertItem(ctx, tx, it); err != nil {
		return nil, err
	}
	if err := createSignoffs(ctx, tx, it, t); err != nil {
		return nil, err
	}
	if err := autoSubscribe(ctx, tx, it.ID); err != nil {
		return nil, err
	}
	tx.record("item", it.ID, "item.create", nil, map[string]any{"type": it.Type, "name": it.Name, "template": it.Template, "parent": it.Parent, "fields": it.Fields})
	return it, nil
}

// checkParent requires the parent, when given, to exist and be of the
// template's parent type.
func checkParent(ctx context.Context, tx *Tx, t *assent.Template, parent *string, p *assent.Problems) error {
	if parent == nil {
		return nil
	}
	if t.Parent == nil {
		p.Add("parent", "%s items have no parent", t.ItemType)
		return nil
	}
	var typ string
	err := tx.QueryRowContext(ctx, `SELECT type FROM items WHERE id = $1`, *parent).Scan(&typ)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		p.Add("parent", "no item %q", *parent)
	case err != nil:
		return fmt.Errorf("check parent: %w", err)
	case typ != t.Parent.Type:
		p.Add("parent", "item %s is a %s; the parent of a %s must be a %s", *parent, typ, t.ItemType, t.Parent.Type)
	}
	return nil
}

func insertItem(ctx context.Context, tx *Tx, it *assent.Item) error {
	fields, _ := json.Marshal(it.Fields)
	steps, _ := json.Marshal(it.Workflow.Steps)
	_, err := tx.ExecContext(ctx, `INSERT INTO items (`+itemColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		it.ID, it.Type, it.Name, it.Template.ID, it.Template.Version, it.Revision, it.Parent, string(fields), string(steps),
		assent.CurrentStep(it.Workflow.Steps), it.Archived, ms(it.CreatedAt), ms(it.UpdatedAt), it.CreatedBy)
	if err != nil {
		return fmt.Errorf("insert item: %w", err)
	}
	return nil
}

// MigrateItem moves an item to another active version of its template.
func (s *ItemService) MigrateItem(ctx context.Context, id string, version int, dryRun bool) (*assent.MigrationPlan, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleMember); err != nil {
		return nil, err
	}
	var plan *assent.MigrationPlan
	err := s.db.inTx(ctx, func(tx *Tx) error {
		if err := tx.lock(ctx, "item:"+id); err != nil { // the same lock as every other item write
			return err
		}
		it, err := findItem(ctx, tx, id)
		if err != nil {
			return err
		}
		if it.Archived {
			return assent.Errorf(assent.ECONFLICT, "Item %s is archived; restore it before migrating it.", id)
		}
		to, err := findTemplateVersion(ctx, tx, it.Template.ID, version)
		if assent.ErrorCode(err) == assent.ENOTFOUND {
			return assent.Invalid("version", "%s", assent.ErrorMessage(err))
		} else if err != nil {
			return err
		}
		if to.Status != assent.TemplateActive {
			return assent.Invalid("version", "version %d of %s is %s; items move only to active versions", to.Version, to.TemplateID, to.Status)
		}
		from, err := findTemplateVersion(ctx, tx, it.Template.ID, it.Template.Version)
		if err != nil {
			return err
		}
		var fields map[string]any
		var steps []assent.StepState
		plan, fields, steps = assent.PlanMigration(it, from.Definition, to.Definition, to.Version)
		if dryRun {
			return nil
		}
		if len(plan.Missing) > 0 {
			var p assent.Problems
			for _, f := range plan.Missing {
				p.Add("fields."+f, "is required in version %d and has no default; give it a default or set it first", to.Version)
			}
			return p.Err()
		}
		if it.Template.Version == to.Version {
			return nil
		}
		dropped := map[string]any{}
		for _, f := range plan.Dropped {
			dropped[f] = it.Fields[f]
		}
		fj, _ := json.Marshal(fields)
		sj, _ := json.Marshal(steps)
		res, err := tx.ExecContext(ctx, `UPDATE items SET template_version = $1, fields = $2, steps = $3, current_step = $4, revision = revision + 1, updated_at = $5
			WHERE id = $6 AND revision = $7`, to.Version, string(fj), string(sj), assent.CurrentStep(steps), ms(tx.now), id, it.Revision)
		if err != nil {
			return fmt.Errorf("migrate item: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return assent.Errorf(assent.ECONFLICT, "Item %s changed while migrating; try again.", id)
		}
		// The new version's sign-offs start with it; kept steps keep theirs.
		if err := createSignoffs(ctx, tx, it, to.Definition); err != nil {
			return err
		}
		// Dropped values stay readable in the event, as the issue promises.
		tx.record("item", id, "item.migrate",
			map[string]any{"template": it.Template, "fields": dropped},
			map[string]any{"template": plan.To, "added": plan.Added, "steps_added": plan.StepsAdded, "steps_dropped": plan.StepsDropped})
		plan.Applied = true
		return nil
	})
	return plan, err
}

package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"assent"
)

// GovernItem creates the governed item of a governable item, with its
// parents and children as asked.
func (s *GovernableService) GovernItem(ctx context.Context, id string, req assent.GovernRequest) (*assent.GovernResult, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleMember); err != nil {
		return nil, err
	}
	var res *assent.GovernResult
	err := s.db.inTx(ctx, func(tx *Tx) error {
		g, err := loadRow(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := checkGovernRequest(g, &req); err != nil {
			return err
		}
		switch g.status {
		case assent.StatusGoverned:
			return assent.Errorf(assent.ECONFLICT, "The %s %q is already governed by item %s; ungovern it first to govern it again.", kindLabel(g.kind), g.name, *g.governed)
		case assent.StatusHidden:
			return assent.Errorf(assent.ECONFLICT, "The %s %q is hidden; unhide it before governing it.", kindLabel(g.kind), g.name)
		}
		rules, err := loadRules(ctx, tx)
		if err != nil {
			return err
		}
		res = &assent.GovernResult{}
		parentItem, err := s.governParents(ctx, tx, g, req.GovernParents, rules, res)
		if err != nil {
			return err
		}
		if req.AttachTo != "" {
			res.Item, err = attach(ctx, tx, g, req.AttachTo)
		} else {
			template := req.Template
			if template == "" {
				template = rules.template(g.kind, parentItem)
			}
			res.Item, err = s.governOne(ctx, tx, g, template, "template", parentItem, req.BusinessInitiative)
		}
		if err != nil {
			return err
		}
		res.Governed = append([]string{g.id}, res.Governed...)
		if req.GovernChildren {
			return s.governChildren(ctx, tx, g, req, rules, res)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := fillGovernableIDs(ctx, s.db.dialect, s.db.read, []*assent.Item{res.Item}); err != nil {
		return nil, err
	}
	return res, nil
}

// checkGovernRequest names each option that does not fit the item.
func checkGovernRequest(g *govRow, req *assent.GovernRequest) error {
	var p assent.Problems
	below := kindsBelow(g.kind)
	for i, k := range req.ChildrenKinds {
		if !slices.Contains(below, k) {
			p.Add(fmt.Sprintf("children_kinds[%d]", i), "a %s has no %s children; it has %s", kindLabel(g.kind), k, orNone(below))
		}
	}
	for k := range req.ChildrenTemplates {
		if !slices.Contains(below, k) {
			p.Add("children_templates."+k, "a %s has no %s children; it has %s", kindLabel(g.kind), k, orNone(below))
		}
	}
	if g.kind != assent.KindProject {
		if req.AttachTo != "" {
			p.Add("attach_to", "only a project can be attached to an existing governed project")
		}
		if req.BusinessInitiative != "" {
			p.Add("business_initiative", "only a project is linked to a business initiative")
		}
	} else if req.AttachTo != "" && req.BusinessInitiative != "" {
		p.Add("business_initiative", "an attached project keeps the initiative of the project it joins")
	}
	if req.AttachTo != "" && req.Template != "" {
		p.Add("template", "an attached project takes no template: it joins an existing item")
	}
	return p.Err()
}

// kindsBelow lists the kinds of an item's descendants.
func kindsBelow(kind string) []string {
	switch kind {
	case assent.KindProject:
		return []string{assent.KindBundle, assent.KindModel, assent.KindModelVersion}
	case assent.KindModel:
		return []string{assent.KindModelVersion}
	}
	return nil
}

func orNone(kinds []string) string {
	if len(kinds) == 0 {
		return "none"
	}
	return strings.Join(kinds, ", ")
}

// kindLabel names a kind in a sentence.
func kindLabel(kind string) string { return strings.ReplaceAll(kind, "_", " ") }

// governParents returns the governed item of g's parent, governing the
// missing ancestors first when asked, or refusing with the parent's name.
func (s *GovernableService) governParents(ctx context.Context, tx *Tx, g *govRow, governParents bool, rules governanceRules, res *assent.GovernResult) (*string, error) {
	if g.parent == nil {
		return nil, nil
	}
	var chain []*govRow // parent first, then grandparent
	for id := g.parent; id != nil; {
		p, err := loadRow(ctx, tx, *id)
		if err != nil {
			return nil, err
		}
		chain = append(chain, p)
		id = p.parent
	}
	if p := chain[0]; p.governed == nil && !governParents {
		top := ""
		if q := chain[len(chain)-1]; q != p && q.governed == nil {
			top = fmt.Sprintf(", nor is its %s %q: start there", kindLabel(q.kind), q.name)
		}
		return nil, assent.Errorf(assent.ECONFLICT, "The parent %s %q (%s) is not governed%s. Govern it first, or ask to govern parents too (govern_parents).", kindLabel(p.kind), p.name, p.id, top)
	}
	var parentItem *string
	for i := len(chain) - 1; i >= 0; i-- {
		p := chain[i]
		if p.governed != nil {
			parentItem = p.governed
			continue
		}
		if p.status == assent.StatusHidden {
			return nil, assent.Errorf(assent.ECONFLICT, "The parent %s %q (%s) is hidden; unhide and govern it first.", kindLabel(p.kind), p.name, p.id)
		}
		it, err := s.governOne(ctx, tx, p, rules.template(p.kind, parentItem), "govern_parents", parentItem, "")
		if err != nil {
			return nil, err
		}
		res.Governed = append(res.Governed, p.id)
		parentItem = &it.ID
	}
	return parentItem, nil
}

// governChildren governs g's descendants of the kinds asked, level by
// level, so that each has its governed parent; hidden ones and those
// under a parent left ungoverned stay as they are.
func (s *GovernableService) governChildren(ctx context.Context, tx *Tx, g *govRow, req assent.GovernRequest, rules governanceRules, res *assent.GovernResult) error {
	kinds := req.ChildrenKinds
	if len(kinds) == 0 {
		kinds = kindsBelow(g.kind)
	}
	level := []*govRow{g}
	for len(level) > 0 {
		var next []*govRow
		for _, parent := range level {
			children, err := loadChildren(ctx, tx, parent.id)
			if err != nil {
				return err
			}
			for _, c := range children {
				if c.status == assent.StatusGoverned {
					next = append(next, c)
					continue
				}
				if c.status != assent.StatusGovernable || !slices.Contains(kinds, c.kind) {
					continue
				}
				template := req.ChildrenTemplates[c.kind]
				if template == "" {
					template = rules.template(c.kind, parent.governed)
				}
				if _, err := s.governOne(ctx, tx, c, template, "children_templates."+c.kind, parent.governed, ""); err != nil {
					return err
				}
				res.Governed = append(res.Governed, c.id)
				next = append(next, c)
			}
		}
		level = next
	}
	return nil
}

// governOne creates the governed item of one governable item and links
// them; the item's parent is its governed parent, or for a project the
// business initiative.
func (s *GovernableService) governOne(ctx context.Context, tx *Tx, g *govRow, templateID, at string, parentItem *string, initiative string) (*assent.Item, error) {
	v, err := findTemplateVersion(ctx, tx, templateID, 0)
	if assent.ErrorCode(err) == assent.ENOTFOUND {
		return nil, assent.Invalid(at, "template %q has no active version: it does not exist or is archived", templateID)
	} else if err != nil {
		return nil, err
	}
	t := v.Definition
	if t.ItemType != g.kind {
		return nil, assent.Invalid(at, "template %q makes %s items; the %s %q needs a %s template", templateID, kindLabel(t.ItemType), kindLabel(g.kind), g.name, kindLabel(g.kind))
	}
	n := assent.NewItem{Template: assent.TemplateRef{ID: t.ID, Version: v.Version}, Name: g.name, Fields: map[string]any{}}
	link := parentItem
	if initiative != "" {
		link = &initiative
	}
	switch {
	case link == nil || t.Parent == nil:
		if initiative != "" {
			return nil, assent.Invalid("business_initiative", "template %q has no business initiative", templateID)
		}
	case t.Parent.Field != "":
		n.Fields[t.Parent.Field] = *link
	default:
		n.Parent = link
	}
	it, err := s.items.createItem(ctx, tx, n)
	if err != nil {
		if e, ok := err.(*assent.Error); ok && initiative != "" {
			for i := range e.Details { // the initiative was given as business_initiative
				if e.Details[i].Location == "fields."+t.Parent.Field {
					e.Details[i].Location = "business_initiative"
				}
			}
		}
		return nil, err
	}
	if err := linkGoverned(ctx, tx, g, it.ID, map[string]any{"template": it.Template}); err != nil {
		return nil, err
	}
	return it, nil
}

// attach links a project to an existing governed project.
func attach(ctx context.Context, tx *Tx, g *govRow, itemID string) (*assent.Item, error) {
	it, err := findItem(ctx, tx, itemID)
	switch {
	case assent.ErrorCode(err) == assent.ENOTFOUND:
		return nil, assent.Invalid("attach_to", "no item %q", itemID)
	case err != nil:
		return nil, err
	case it.Type != assent.KindProject:
		return nil, assent.Invalid("attach_to", "item %s is a %s; a project attaches to a governed project", itemID, kindLabel(it.Type))
	case it.Archived:
		return nil, assent.Invalid("attach_to", "item %s is archived", itemID)
	}
	if err := linkGoverned(ctx, tx, g, it.ID, map[string]any{"attached": true}); err != nil {
		return nil, err
	}
	tx.record("item", it.ID, "item.attach", nil, map[string]any{"governable": g.id, "source": g.source, "key": g.key})
	return it, nil
}

// linkGoverned marks g governed by itemID with a guarded update: a
// concurrent govern of the same item loses with a conflict.
func linkGoverned(ctx context.Context, tx *Tx, g *govRow, itemID string, extra map[string]any) error {
	r, err := tx.ExecContext(ctx, `UPDATE governable_items SET status = 'governed', governed_item_id = $1, updated_at = $2 WHERE id = $3 AND status = 'governable'`,
		itemID, ms(tx.now), g.id)
	if err != nil {
		return fmt.Errorf("govern: %w", err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return assent.Errorf(assent.ECONFLICT, "The %s %q was governed or hidden at the same moment; reload and try again.", kindLabel(g.kind), g.name)
	}
	after := map[string]any{"status": assent.StatusGoverned, "governed_item": itemID}
	for k, v := range extra {
		after[k] = v
	}
	tx.record("governable", g.id, "governable.govern", map[string]any{"status": g.status}, after)
	g.status, g.governed = assent.StatusGoverned, &itemID
	return nil
}

const govRowColumns = `id, source_id, kind, key, parent_id, name, attributes, status, deleted_in_source, governed_item_id`

func scanGovRow(row interface{ Scan(...any) error }) (*govRow, error) {
	r := &govRow{}
	var parent, governed sql.NullString
	if err := row.Scan(&r.id, &r.source, &r.kind, &r.key, &parent, &r.name, &r.attrs, &r.status, &r.deleted, &governed); err != nil {
		return nil, err
	}
	r.parent, r.governed = nullString(parent), nullString(governed)
	return r, nil
}

func loadRow(ctx context.Context, tx *Tx, id string) (*govRow, error) {
	r, err := scanGovRow(tx.QueryRowContext(ctx, `SELECT `+govRowColumns+` FROM governable_items WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, assent.Errorf(assent.ENOTFOUND, "Governable item %q not found.", id)
	} else if err != nil {
		return nil, fmt.Errorf("load governable item: %w", err)
	}
	return r, nil
}

func loadChildren(ctx context.Context, tx *Tx, parent string) ([]*govRow, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+govRowColumns+` FROM governable_items WHERE parent_id = $1 ORDER BY kind, name, id`, parent)
	if err != nil {
		return nil, fmt.Errorf("load children: %w", err)
	}
	defer rows.Close()
	var out []*govRow
	for rows.Next() {
		r, err := scanGovRow(rows)
		if err != nil {
			return nil, fmt.Errorf("load children: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

package sqldb

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"assent"
)

// RegistryService implements assent.RegistryService.
type RegistryService struct{ db *DB }

// NewRegistryService returns the registry service of db.
func NewRegistryService(db *DB) *RegistryService { return &RegistryService{db: db} }

var _ assent.RegistryService = (*RegistryService)(nil)

// FindModels lists models by project and model name, each with its
// versions newest first.
func (s *RegistryService) FindModels(ctx context.Context, f assent.RegistryFilter) ([]*assent.RegistryModel, string, error) {
	page, next, err := s.findPage(ctx, assent.KindModel, f)
	if err != nil {
		return nil, "", err
	}
	modelIDs := make([]string, len(page))
	for i, g := range page {
		modelIDs[i] = g.ID
	}
	d := s.db.dialect
	q := governableSelect + ` WHERE ` + d.inList("g.parent_id", 1) + ` AND g.kind = 'model_version'`
	args := []any{d.listArg(modelIDs)}
	if f.Signoff != "" {
		args = append(args, f.Signoff)
		q += ` AND ` + gatingStateIs("g.governed_item_id", "$2")
	}
	if !f.IncludeHidden {
		q += ` AND g.status <> 'hidden'`
	}
	versions, err := queryGovernables(ctx, s.db.read, q+` ORDER BY g.created_at DESC, g.name DESC, g.id`, args...)
	if err != nil {
		return nil, "", err
	}
	projects, err := s.projectsOf(ctx, page)
	if err != nil {
		return nil, "", err
	}
	summaries, err := s.summaries(ctx, append(append(append([]*assent.GovernableItem{}, page...), versions...), mapValues(projects)...))
	if err != nil {
		return nil, "", err
	}
	out := make([]*assent.RegistryModel, len(page))
	byModel := make(map[string]*assent.RegistryModel, len(page))
	for i, m := range page {
		out[i] = &assent.RegistryModel{Project: entry(projects[*m.Parent], summaries), Model: entry(m, summaries), Versions: []assent.RegistryEntry{}}
		byModel[m.ID] = out[i]
	}
	focus, err := s.focus(ctx, versions, f.Focus)
	if err != nil {
		return nil, "", err
	}
	for _, v := range versions {
		rm := byModel[*v.Parent]
		e := entry(v, summaries)
		e.Focus = focus[v.ID]
		rm.Versions = append(rm.Versions, e)
	}
	return out, next, nil
}

// FindBundles lists bundles by project and bundle name.
func (s *RegistryService) FindBundles(ctx context.Context, f assent.RegistryFilter) ([]*assent.RegistryBundle, string, error) {
	page, next, err := s.findPage(ctx, assent.KindBundle, f)
	if err != nil {
		return nil, "", err
	}
	projects, err := s.projectsOf(ctx, page)
	if err != nil {
		return nil, "", err
	}
	summaries, err := s.summaries(ctx, append(append([]*assent.GovernableItem{}, page...), mapValues(projects)...))
	if err != nil {
		return nil, "", err
	}
	out := make([]*assent.RegistryBundle, len(page))
	for i, b := range page {
		out[i] = &assent.RegistryBundle{Project: entry(projects[*b.Parent], summaries), Bundle: entry(b, summaries)}
	}
	return out, next, nil
}

// findPage reads one page of models or bundles in (project name, name) order.
func (s *RegistryService) findPage(ctx context.Context, kind string, f assent.RegistryFilter) ([]*assent.GovernableItem, string, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleViewer); err != nil {
		return nil, "", err
	}
	var c conditions
	add := c.add
	add("g.kind = ?", kind)
	if !f.IncludeHidden {
		add("g.status <> 'hidden'")
	}
	if f.Source != "" {
		add("g.source_id = ?", f.Source)
	}
	if f.Project != "" {
		add("g.parent_id = ?", f.Project)
	}
	if f.Signoff != "" {
		if !slices.Contains(assent.SignoffStates, assent.SignoffState(f.Signoff)) {
			return nil, "", assent.Invalid("signoff", "must be one of NOT_STARTED, WAITING_FOR_FEEDBACK, WAITING_FOR_APPROVAL, APPROVED, REJECTED, ABANDONED")
		}
		if kind == assent.KindModel {
			add("EXISTS (SELECT 1 FROM governable_items v WHERE v.parent_id = g.id AND "+gatingStateIs("v.governed_item_id", "?")+")", f.Signoff)
		} else {
			add(gatingStateIs("g.governed_item_id", "?"), f.Signoff)
		}
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		pattern := "%" + likeEscape(q) + "%"
		ilike := s.db.dialect.ilike
		add("(g.name "+ilike+" ? ESCAPE '\\' OR p.name "+ilike+" ? ESCAPE '\\')", pattern, pattern)
	}
	if f.Cursor != "" {
		key, err := decodeCursor(f.Cursor)
		parts := strings.Split(key, "\x00")
		if err != nil || len(parts) != 4 {
			return nil, "", assent.Invalid("cursor", "is not a cursor this server gave out")
		}
		add("(p.name, p.id, g.name, g.id) > (?, ?, ?, ?)", parts[0], parts[1], parts[2], parts[3])
	}
	limit := assent.PageSize(f.Limit)
	var page []*assent.GovernableItem
	var err error
	if f.Q == "" && f.Project == "" && f.Signoff == "" {
		page, err = s.pageByProject(ctx, c, f, limit)
	} else {
		// The parent join is governableSelect's "p".
		page, err = queryGovernables(ctx, s.db.read, governableSelect+` WHERE `+c.sql()+
			fmt.Sprintf(` ORDER BY p.name, p.id, g.name, g.id LIMIT %d`, limit+1), c.args...)
	}
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(page) > limit {
		page = page[:limit]
		last := page[limit-1]
		next = encodeCursor(last.ParentName + "\x00" + *last.Parent + "\x00" + last.Name + "\x00" + last.ID)
	}
	return page, next, nil
}

// pageByProject reads a page without sorting every model: it takes the
// next projects in name order from their index, then the page among their
// models, and more projects while the page is not full.
func (s *RegistryService) pageByProject(ctx context.Context, c conditions, f assent.RegistryFilter, limit int) ([]*assent.GovernableItem, error) {
	var after []any // the last project read: (name, id)
	if f.Cursor != "" {
		key, _ := decodeCursor(f.Cursor) // checked by the caller
		parts := strings.Split(key, "\x00")
		after = []any{parts[0], parts[1]}
	}
	d := s.db.dialect
	var page []*assent.GovernableItem
	for chunk, first := limit+1, true; len(page) <= limit; chunk, first = chunk*4, false {
		pq := `SELECT id, name FROM governable_items WHERE kind = 'project'`
		var pargs []any
		if !f.IncludeHidden {
			pq += ` AND status <> 'hidden'`
		}
		if f.Source != "" {
			pargs = append(pargs, f.Source)
			pq += fmt.Sprintf(` AND source_id = $%d`, len(pargs))
		}
		if after != nil {
			op := ">"
			if first { // the cursor's project may have more models
				op = ">="
			}
			pargs = append(pargs, after...)
			pq += fmt.Sprintf(` AND (name, id) %s ($%d, $%d)`, op, len(pargs)-1, len(pargs))
		}
		rows, err := s.db.read.QueryContext(ctx, pq+fmt.Sprintf(` ORDER BY name, id LIMIT %d`, chunk), pargs...)
		if err != nil {
			return nil, fmt.Errorf("find projects: %w", err)
		}
		var ids []string
		var name, id string
		for rows.Next() {
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return nil, fmt.Errorf("find projects: %w", err)
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("find projects: %w", err)
		}
		if len(ids) == 0 {
			break
		}
		after = []any{name, id}
		qargs := append(append([]any{}, c.args...), d.listArg(ids))
		more, err := queryGovernables(ctx, s.db.read, governableSelect+` WHERE `+c.sql()+` AND `+d.inList("g.parent_id", len(qargs))+
			fmt.Sprintf(` ORDER BY p.name, p.id, g.name, g.id LIMIT %d`, limit+1-len(page)), qargs...)
		if err != nil {
			return nil, err
		}
		page = append(page, more...)
		if len(ids) < chunk {
			break
		}
	}
	return page, nil
}

// gatingStateIs is the condition "the item in column col has its gating
// sign-off in the state of the parameter param" ("?" or "$2").
func gatingStateIs(col, param string) string {
	return "EXISTS (SELECT 1 FROM signoffs s WHERE s.item_id = " + col + " AND s.gating AND s.state = " + param + ")"
}

// projectsOf reads the projects of a page of models or bundles, by id.
func (s *RegistryService) projectsOf(ctx context.Context, page []*assent.GovernableItem) (map[string]*assent.GovernableItem, error) {
	ids := make([]string, 0, len(page))
	seen := map[string]bool{}
	for _, g := range page {
		if !seen[*g.Parent] {
			seen[*g.Parent] = true
			ids = append(ids, *g.Parent)
		}
	}
	d := s.db.dialect
	list, err := queryGovernables(ctx, s.db.read, governableSelect+` WHERE `+d.inList("g.id", 1), d.listArg(ids))
	if err != nil {
		return nil, err
	}
	out := make(map[string]*assent.GovernableItem, len(list))
	for _, p := range list {
		out[p.ID] = p
	}
	return out, nil
}

// summaries reads the governed items of the governed ones among list.
func (s *RegistryService) summaries(ctx context.Context, list []*assent.GovernableItem) (map[string]*assent.GovernedSummary, error) {
	var ids []string
	for _, g := range list {
		if g.GovernedItem != nil {
			ids = append(ids, *g.GovernedItem)
		}
	}
	out := make(map[string]*assent.GovernedSummary, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	d := s.db.dialect
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+itemColumns+` FROM items WHERE `+d.inList("id", 1), d.listArg(ids))
	if err != nil {
		return nil, fmt.Errorf("find governed items: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, fmt.Errorf("find governed items: %w", err)
		}
		sum := &assent.GovernedSummary{ID: it.ID, Name: it.Name, Template: it.Template, CurrentStep: it.Workflow.CurrentStep, Archived: it.Archived}
		t, err := s.db.templateDefinition(ctx, s.db.read, it.Template.ID, it.Template.Version)
		if err != nil {
			return nil, err
		}
		if sum.GatingStep = t.GatingStep(); sum.GatingStep != "" {
			for _, st := range it.Workflow.Steps {
				if st.ID == sum.GatingStep {
					sum.GatingStatus = st.Status
				}
			}
		}
		out[it.ID] = sum
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find governed items: %w", err)
	}
	return out, s.fillSignoffStates(ctx, ids, out)
}

// fillSignoffStates sets the state of each item's gating sign-off.
func (s *RegistryService) fillSignoffStates(ctx context.Context, ids []string, out map[string]*assent.GovernedSummary) error {
	d := s.db.dialect
	rows, err := s.db.read.QueryContext(ctx, `SELECT item_id, state FROM signoffs WHERE gating AND `+d.inList("item_id", 1), d.listArg(ids))
	if err != nil {
		return fmt.Errorf("find sign-off states: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, state string
		if err := rows.Scan(&id, &state); err != nil {
			return fmt.Errorf("find sign-off states: %w", err)
		}
		if sum := out[id]; sum != nil {
			sum.SignoffState = state
		}
	}
	for _, sum := range out {
		if sum.GatingStep != "" && sum.SignoffState == "" {
			sum.SignoffState = string(assent.SignoffNotStarted)
		}
	}
	return rows.Err()
}

func entry(g *assent.GovernableItem, summaries map[string]*assent.GovernedSummary) assent.RegistryEntry {
	e := assent.RegistryEntry{Governable: g}
	if g != nil && g.GovernedItem != nil {
		e.Governed = summaries[*g.GovernedItem]
	}
	return e
}

func mapValues(m map[string]*assent.GovernableItem) []*assent.GovernableItem {
	out := make([]*assent.GovernableItem, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"assent"
)

// govRow is a governable item as sync and governing handle it.
type govRow struct {
	id, source, kind, key string
	parent                *string
	name, attrs, status   string
	deleted               bool
	governed              *string
}

// staleRunAge is how long the seen items of an unfinished full sync are kept.
const staleRunAge = 24 * time.Hour

// Sync applies one batch of a source in one transaction.
func (s *GovernableService) Sync(ctx context.Context, source string, b assent.SyncBatch) (*assent.SyncResult, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleMember); err != nil {
		return nil, err
	}
	if len(b.Items) > assent.MaxSyncItems {
		return nil, &assent.Error{Code: assent.ETOOLARGE, Message: fmt.Sprintf("A batch holds at most %d items; this one has %d. Send it in several batches with a run.", assent.MaxSyncItems, len(b.Items)),
			Details: []assent.ErrorDetail{{Location: "items", Message: fmt.Sprintf("has %d items; at most %d", len(b.Items), assent.MaxSyncItems)}}}
	}
	if err := checkPointCount(len(b.Metrics), "metrics"); err != nil {
		return nil, err
	}
	if err := checkDeploymentCount(len(b.Deployments), "deployments"); err != nil {
		return nil, err
	}
	problems, bad, attrs := checkBatch(&b)
	problems = append(problems, assent.CheckMetricPoints(b.Metrics, "metrics", true, s.db.Now())...)
	var res *assent.SyncResult
	var err error
	// Two batches creating the same key at once: the loser sees a unique
	// violation, and trying again finds the winner's row and updates it.
	for attempt := 0; attempt < 3; attempt++ {
		err = s.db.inTx(ctx, func(tx *Tx) error {
			var err error
			res, err = s.applyBatch(ctx, tx, source, b, problems, bad, attrs)
			return err
		})
		if !isUniqueViolation(err) {
			break
		}
	}
	return res, err
}

// checkBatch checks what needs no database: sizes, kinds, keys, names and
// duplicates. It fills names left empty with the key, and returns the
// problems with the indexes of the items at fault, which the database
// checks skip so that one answer names every bad item, and the attributes
// of each item as canonical JSON.
func checkBatch(b *assent.SyncBatch) (p assent.Problems, bad map[int]bool, attrs []string) {
	bad = map[int]bool{}
	attrs = make([]string, len(b.Items))
	if len(b.Run) > 100 {
		p.Add("run", "must be at most 100 characters")
	}
	seen := make(map[string]int, len(b.Items))
	for i := range b.Items {
		it := &b.Items[i]
		at := fmt.Sprintf("items[%d]", i)
		before := len(p)
		if assent.KindDepth(it.Kind) < 0 {
			p.Add(at+".kind", "must be one of %s", strings.Join(assent.GovernableKinds, ", "))
		}
		if it.Key == "" || len(it.Key) > 300 {
			p.Add(at+".key", "must be 1 to 300 characters")
		} else if j, dup := seen[it.Key]; dup {
			p.Add(at+".key", "%q is also the key of items[%d]; a key appears once in a batch", it.Key, j)
		} else {
			seen[it.Key] = i
		}
		it.Name = strings.TrimSpace(it.Name)
		if it.Name == "" {
			it.Name = it.Key
		}
		if len(it.Name) > 300 {
			p.Add(at+".name", "must be at most 300 characters")
		}
		switch want := assent.ParentKind(it.Kind); {
		case it.Kind == assent.KindProject && it.Parent != "":
			p.Add(at+".parent", "a project has no parent")
		case want != "" && it.Parent == "":
			p.Add(at+".parent", "a %s needs the key of its %s", it.Kind, want)
		}
		attrs[i] = canonicalJSON(it.Attributes)
		if len(attrs[i]) > 64<<10 {
			p.Add(at+".attributes", "must be a JSON object of at most 64 KiB")
		}
		if len(p) > before {
			bad[i] = true
		}
	}
	return p, bad, attrs
}

// applyBatch writes a checked batch: it resolves parents, inserts what is
// new, updates what changed, marks what a final batch did not see, and
// governs new items that a rule says to govern.
func (s *GovernableService) applyBatch(ctx context.Context, tx *Tx, source string, b assent.SyncBatch, p assent.Problems, bad map[int]bool, canonical []string) (*assent.SyncResult, error) {
	if _, err := findSource(ctx, tx, source); err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(b.Items)*2)
	for _, it := range b.Items {
		keys = append(keys, it.Key)
		if it.Parent != "" {
			keys = append(keys, it.Parent)
		}
	}
	for _, pt := range b.Metrics {
		keys = append(keys, pt.Key)
	}
	for _, d := range b.Deployments {
		keys = append(keys, d.Key)
	}
	existing, err := loadByKeys(ctx, tx, source, keys)
	if err != nil {
		return nil, err
	}
	// Parents before children, so that a batch may hold both in any order.
	order := make([]int, len(b.Items))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, c int) int {
		return assent.KindDepth(b.Items[a].Kind) - assent.KindDepth(b.Items[c].Kind)
	})
	res := &assent.SyncResult{Items: make([]assent.SyncItemRef, len(b.Items))}
	var created, changed []*govRow
	var befores, afters []map[string]any
	for _, i := range order {
		if bad[i] {
			continue
		}
		in := b.Items[i]
		at := fmt.Sprintf("items[%d]", i)
		var parent *govRow
		if in.Parent != "" {
			parent = existing[in.Parent]
			switch want := assent.ParentKind(in.Kind); {
			case parent == nil:
				p.Add(at+".parent", "source %s has no %s with key %q, in this batch or before", source, want, in.Parent)
				continue
			case parent.kind != want:
				p.Add(at+".parent", "%q is a %s; the parent of a %s must be a %s", in.Parent, parent.kind, in.Kind, want)
				continue
			}
		}
		attrs := canonical[i]
		row := existing[in.Key]
		if row == nil {
			row = &govRow{id: sortableID("gi_", tx.now), source: source, kind: in.Kind, key: in.Key, name: in.Name, attrs: attrs, status: assent.StatusGovernable}
			if parent != nil {
				row.parent = &parent.id
				if parent.status == assent.StatusHidden { // hiding a parent hides its children, upcoming ones too
					row.status = assent.StatusHidden
				}
			}
			existing[in.Key] = row
			created = append(created, row)
			res.Items[i] = assent.SyncItemRef{Key: in.Key, ID: row.id}
			continue
		}
		res.Items[i] = assent.SyncItemRef{Key: in.Key, ID: row.id}
		if row.kind != in.Kind {
			p.Add(at+".kind", "key %q is a %s in source %s; a key keeps its kind", in.Key, row.kind, source)
			continue
		}
		before, after := map[string]any{}, map[string]any{}
		if row.name != in.Name {
			before["name"], after["name"] = row.name, in.Name
			row.name = in.Name
		}
		if parent != nil && (row.parent == nil || *row.parent != parent.id) {
			before["parent"], after["parent"] = row.parent, parent.id
			row.parent = &parent.id
		}
		if row.attrs != attrs {
			before["attributes"], after["attributes"] = json.RawMessage(row.attrs), json.RawMessage(attrs)
			row.attrs = attrs
		}
		if row.deleted {
			before["deleted_in_source"], after["deleted_in_source"] = true, false
			row.deleted = false
		}
		if len(after) == 0 {
			res.Unchanged++
			continue
		}
		changed, befores, afters = append(changed, row), append(befores, before), append(afters, after)
	}
	if len(p) > 0 {
		sortProblems(p)
		return nil, p.Err()
	}
	if err := insertGovernables(ctx, tx, created); err != nil {
		return nil, err
	}
	for i, row := range changed {
		if _, err := tx.ExecContext(ctx, `UPDATE governable_items SET name = $1, parent_id = $2, attributes = $3, deleted_in_source = $4, updated_at = $5 WHERE id = $6`,
			row.name, row.parent, row.attrs, row.deleted, ms(tx.now), row.id); err != nil {
			return nil, fmt.Errorf("update governable item: %w", err)
		}
		tx.record("governable", row.id, "governable.update", befores[i], afters[i])
	}
	res.Created, res.Updated = len(created), len(changed)
	byKey := func(key string) (string, string) {
		if r := existing[key]; r != nil {
			return r.id, r.kind
		}
		return "", ""
	}
	if len(b.Metrics) > 0 {
		mres, err := addMetrics(ctx, tx, b.Metrics, "metrics", p, func(pt *assent.MetricPoint) (string, string) { return byKey(pt.Key) })
		if err != nil {
			return nil, err
		}
		res.Metrics = *mres
	}
	if len(b.Deployments) > 0 {
		for i := range b.Deployments {
			if b.Deployments[i].Key == "" {
				p.Add(fmt.Sprintf("deployments[%d].key", i), "is required: the key of a model version or bundle in this source")
			}
		}
		if err := p.Err(); err != nil {
			return nil, err
		}
		if _, res.Deployments, err = recordDeployments(ctx, tx, b.Deployments, "deployments", func(d *assent.Deployment) (string, string) { return byKey(d.Key) }); err != nil {
			return nil, err
		}
	}
	if b.Run != "" || b.Final {
		if res.Deleted, err = s.trackRun(ctx, tx, source, b, res.Items); err != nil {
			return nil, err
		}
	}
	// To the second: batches of one source from several clients would
	// otherwise queue on this row until each commits.
	if _, err := tx.ExecContext(ctx, `UPDATE sources SET last_sync_at = $1 WHERE id = $2 AND (last_sync_at IS NULL OR last_sync_at <= $3)`,
		ms(tx.now), source, ms(tx.now.Add(-time.Second))); err != nil {
		return nil, fmt.Errorf("update source: %w", err)
	}
	if res.Governed, err = s.autoGovern(ctx, tx, created, existing); err != nil {
		return nil, err
	}
	return res, nil
}

// loadByKeys reads the source's items with the given keys, by key.
func loadByKeys(ctx context.Context, tx *Tx, source string, keys []string) (map[string]*govRow, error) {
	d := tx.db.dialect
	rows, err := tx.QueryContext(ctx, `SELECT id, kind, key, parent_id, name, attributes, status, deleted_in_source, governed_item_id
		FROM governable_items WHERE source_id = $1 AND `+d.inList("key", 2), source, d.listArg(keys))
	if err != nil {
		return nil, fmt.Errorf("load governable items: %w", err)
	}
	defer rows.Close()
	out := make(map[string]*govRow, len(keys))
	for rows.Next() {
		r := &govRow{source: source}
		var parent, governed sql.NullString
		if err := rows.Scan(&r.id, &r.kind, &r.key, &parent, &r.name, &r.attrs, &r.status, &r.deleted, &governed); err != nil {
			return nil, fmt.Errorf("load governable items: %w", err)
		}
		r.parent, r.governed = nullString(parent), nullString(governed)
		out[r.key] = r
	}
	return out, rows.Err()
}

const governableInsertColumns = 10

// insertGovernables inserts new items with multi-row statements, one
// event each.
func insertGovernables(ctx context.Context, tx *Tx, rows []*govRow) error {
	if err := insertGovernableRows(ctx, tx, rows); err != nil {
		return err
	}
	for _, r := range rows {
		// A struct encodes several times faster than a map, and a batch
		// writes thousands of these.
		tx.record("governable", r.id, "governable.create", nil, governableCreated{
			Source: r.source, Kind: r.kind, Key: r.key, Parent: r.parent, Name: r.name, Attributes: json.RawMessage(r.attrs), Status: r.status})
	}
	return nil
}

// governableCreated is the after value of a governable.create event.
type governableCreated struct {
	Source     string          `json:"source"`
	Kind       string          `json:"kind"`
	Key        string          `json:"key"`
	Parent     *string         `json:"parent"`
	Name       string          `json:"name"`
	Attributes json.RawMessage `json:"attributes"`
	Status     string          `json:"status"`
}

func insertGovernableRows(ctx context.Context, tx *Tx, rows []*govRow) error {
	if len(rows) == 0 {
		return nil
	}
	if tx.db.dialect.isPostgres() {
		return insertGovernablesPostgres(ctx, tx, rows)
	}
	perStmt := tx.db.dialect.maxParams / governableInsertColumns
	for start := 0; start < len(rows); start += perStmt {
		chunk := rows[start:min(start+perStmt, len(rows))]
		var sb strings.Builder
		sb.WriteString(`INSERT INTO governable_items (id, source_id, kind, key, parent_id, name, attributes, status, created_at, updated_at) VALUES `)
		args := make([]any, 0, len(chunk)*governableInsertColumns)
		for i, r := range chunk {
			if i > 0 {
				sb.WriteByte(',')
			}
			tx.db.dialect.writePlaceholders(&sb, len(args), governableInsertColumns)
			args = append(args, r.id, r.source, r.kind, r.key, r.parent, r.name, r.attrs, r.status, ms(tx.now), ms(tx.now))
		}
		if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
			return fmt.Errorf("insert governable items: %w", err)
		}
	}
	return nil
}

// insertGovernablesPostgres sends the rows as one array per column: one
// statement that PostgreSQL plans once, as events do.
func insertGovernablesPostgres(ctx context.Context, tx *Tx, rows []*govRow) error {
	n := len(rows)
	ids, kinds, keys, names, attrs, statuses := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	parents := make([]*string, n)
	for i, r := range rows {
		ids[i], kinds[i], keys[i], names[i], attrs[i], statuses[i], parents[i] = r.id, r.kind, r.key, r.name, r.attrs, r.status, r.parent
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO governable_items (id, source_id, kind, key, parent_id, name, attributes, status, created_at, updated_at)
		SELECT u.id, $1, u.kind, u.key, u.parent, u.name, u.attrs, u.status, $2, $2
		FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[]) AS u (id, kind, key, parent, name, attrs, status)`,
		rows[0].source, ms(tx.now), ids, kinds, keys, parents, names, attrs, statuses)
	if err != nil {
		return fmt.Errorf("insert governable items: %w", err)
	}
	return nil
}

// canonicalJSON encodes attributes with sorted keys, so that equal
// attributes compare equal as text.
func canonicalJSON(attrs map[string]any) string {
	if len(attrs) == 0 {
		return "{}"
	}
	b, _ := json.Marshal(attrs)
	return string(b)
}

// sortProblems puts the problems of a batch in item order.
func sortProblems(p assent.Problems) {
	index := func(loc string) int {
		var i int
		for section, list := range []string{"items", "metrics", "deployments"} {
			if _, err := fmt.Sscanf(loc, list+"[%d]", &i); err == nil {
				return section*assent.MaxSyncItems*10 + i
			}
		}
		return i
	}
	slices.SortStableFunc(p, func(a, b assent.ErrorDetail) int { return index(a.Location) - index(b.Location) })
}

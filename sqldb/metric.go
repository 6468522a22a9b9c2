package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"assent"
)

// MetricService implements assent.MetricService.
type MetricService struct{ db *DB }

// NewMetricService returns the metric service of db.
func NewMetricService(db *DB) *MetricService { return &MetricService{db: db} }

var _ assent.MetricService = (*MetricService)(nil)

// AddMetrics stores points in one transaction.
func (s *MetricService) AddMetrics(ctx context.Context, points []assent.MetricPoint) (*assent.MetricResult, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleMember); err != nil {
		return nil, err
	}
	if err := checkPointCount(len(points), "points"); err != nil {
		return nil, err
	}
	p := assent.CheckMetricPoints(points, "points", false, s.db.Now())
	var res *assent.MetricResult
	err := s.db.inTx(ctx, func(tx *Tx) error {
		ids := make([]string, 0, len(points))
		for _, pt := range points {
			ids = append(ids, pt.Item)
		}
		kinds, err := governableKinds(ctx, tx, ids)
		if err != nil {
			return err
		}
		res, err = addMetrics(ctx, tx, points, "points", p, func(pt *assent.MetricPoint) (string, string) {
			return pt.Item, kinds[pt.Item]
		})
		return err
	})
	return res, err
}

func checkPointCount(n int, at string) error {
	if n > assent.MaxMetricPoints {
		return &assent.Error{Code: assent.ETOOLARGE, Message: fmt.Sprintf("A call holds at most %d metric points; this one has %d. Send them in several calls.", assent.MaxMetricPoints, n),
			Details: []assent.ErrorDetail{{Location: at, Message: fmt.Sprintf("has %d points; at most %d", n, assent.MaxMetricPoints)}}}
	}
	return nil
}

// governableKinds reads the kind of each governable id that exists.
func governableKinds(ctx context.Context, tx *Tx, ids []string) (map[string]string, error) {
	d := tx.db.dialect
	rows, err := tx.QueryContext(ctx, `SELECT id, kind FROM governable_items WHERE `+d.inList("id", 1), d.listArg(ids))
	if err != nil {
		return nil, fmt.Errorf("read governable items: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, kind string
		if err := rows.Scan(&id, &kind); err != nil {
			return nil, fmt.Errorf("read governable items: %w", err)
		}
		out[id] = kind
	}
	return out, rows.Err()
}

// seriesRow is a metric series with its latest values.
type seriesRow struct {
	id                   int64
	item, name, kind     string
	count                int64
	first                int64
	last, eval, training *pointRef
	isNew                bool
	// base is the finest rollup level the series keeps.
	base int
}

// pointRef is a point's identity and value.
type pointRef struct {
	time   int64
	origin string
	value  float64
}

// after orders points by time, then origin: the "latest" of a series or a
// bucket is the greatest point in this order.
func (p pointRef) after(q *pointRef) bool {
	return q == nil || p.time > q.time || (p.time == q.time && p.origin > q.origin)
}

func (p *pointRef) valuePtr() *assent.MetricValue {
	if p == nil {
		return nil
	}
	return &assent.MetricValue{Time: fromMS(p.time), Value: p.value, Origin: p.origin}
}

// addMetrics writes checked points: resolve gives each point's governable
// id and kind ("" when unknown). Points already stored with the same value
// change nothing; with another value they are corrected.
func addMetrics(ctx context.Context, tx *Tx, points []assent.MetricPoint, at string, p assent.Problems,
	resolve func(*assent.MetricPoint) (id, kind string)) (*assent.MetricResult, error) {
	bad := map[int]bool{}
	for _, d := range p {
		var i int
		if _, err := fmt.Sscanf(strings.TrimPrefix(d.Location, at), "[%d]", &i); err == nil {
			bad[i] = true
		}
	}
	itemOf := make([]string, len(points))
	var itemIDs []string
	for i := range points {
		if bad[i] {
			continue
		}
		id, kind := resolve(&points[i])
		switch {
		case kind == "" && points[i].Key != "":
			p.Add(fmt.Sprintf("%s[%d].key", at, i), "no model version with key %q in this batch or before", points[i].Key)
		case kind == "":
			p.Add(fmt.Sprintf("%s[%d].item", at, i), "no governable item %q", points[i].Item)
		case kind != assent.KindModelVersion:
			p.Add(fmt.Sprintf("%s[%d].item", at, i), "is a %s; metrics belong to model versions", kind)
		default:
			itemOf[i] = id
			itemIDs = append(itemIDs, id)
			continue
		}
		bad[i] = true
	}
	// Writers of one series wait for each other, in one order so that two
	// calls never wait on each other: each reads the series' latest values
	// and writes them back, and creates it when it is new.
	var keys []string
	for i := range points {
		if !bad[i] {
			keys = append(keys, itemOf[i]+"/"+points[i].Name)
		}
	}
	if err := lockSeries(ctx, tx, keys); err != nil {
		return nil, err
	}
	pairs := make([][2]string, 0, len(keys))
	for i := range points {
		if !bad[i] {
			pairs = append(pairs, [2]string{itemOf[i], points[i].Name})
		}
	}
	series, err := loadSeries(ctx, tx, tx.db.dialect, pairs)
	if err != nil {
		return nil, err
	}
	// Group the points by series, in the order they came.
	bySeries := map[string][]int{}
	var order []string
	for i := range points {
		if bad[i] {
			continue
		}
		pt := &points[i]
		k := itemOf[i] + "\x00" + pt.Name
		sr := series[k]
		if sr == nil {
			kind := pt.Kind
			if kind == "" {
				kind = assent.LookupMetric(pt.Name, "").Kind
			}
			sr = &seriesRow{item: itemOf[i], name: pt.Name, kind: kind, isNew: true}
			series[k] = sr
		}
		if pt.Kind == "" {
			pt.Kind = sr.kind
		}
		if sr.kind != pt.Kind {
			p.Add(fmt.Sprintf("%s[%d].kind", at, i), "metric %s of this item is a %s metric", pt.Name, sr.kind)
			continue
		}
		if _, ok := bySeries[k]; !ok {
			order = append(order, k)
		}
		bySeries[k] = append(bySeries[k], i)
	}
	if len(p) > 0 {
		sortLocations(p, at)
		return nil, p.Err()
	}
	res := &assent.MetricResult{}
	w := &metricWriter{tx: tx, rollups: map[rollupKey]*rollup{}, rolled: map[int64]int{}}
	if err := w.createSeries(ctx, order, series); err != nil {
		return nil, err
	}
	for _, k := range order {
		if err := w.addSeries(ctx, series[k], points, bySeries[k], at, &p, res); err != nil {
			return nil, err
		}
	}
	if len(p) > 0 {
		sortLocations(p, at)
		return nil, p.Err()
	}
	if err := w.flush(ctx); err != nil {
		return nil, err
	}
	return res, nil
}

// lockSeries takes the lock of each series key (item and name) on
// PostgreSQL, in sorted order, in one statement; SQLite's single writer
// serialises the writers already.
func lockSeries(ctx context.Context, tx *Tx, keys []string) error {
	if !tx.db.dialect.isPostgres() || len(keys) == 0 {
		return nil
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	// The lock function is volatile, so it runs after the sort.
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':metric:' || k))
		FROM unnest($1::text[]) AS k ORDER BY k`, keys); err != nil {
		return fmt.Errorf("lock metric series: %w", err)
	}
	return nil
}

// loadSeries reads the series of the given items and names (pairs[i] is
// item, name), by item and name; one index lookup each.
func loadSeries(ctx context.Context, q rowsQueryer, d dialect, pairs [][2]string) (map[string]*seriesRow, error) {
	out := map[string]*seriesRow{}
	if len(pairs) == 0 {
		return out, nil
	}
	var list []*seriesRow
	var err error
	if d.isPostgres() {
		items, names := make([]string, len(pairs)), make([]string, len(pairs))
		for i, p := range pairs {
			items[i], names[i] = p[0], p[1]
		}
		list, err = querySeries(ctx, q, `JOIN unnest($1::text[], $2::text[]) AS k (item_id, name) ON s.item_id = k.item_id AND s.name = k.name`, items, names)
	} else {
		b, _ := json.Marshal(pairs)
		// CROSS JOIN keeps the pairs as the outer loop.
		list, err = querySeries(ctx, q, `WHERE s.id IN (SELECT m.id FROM json_each($1) AS k CROSS JOIN metric_series m
			ON m.item_id = k.value ->> 0 AND m.name = k.value ->> 1)`, string(b))
	}
	for _, sr := range list {
		out[sr.item+"\x00"+sr.name] = sr
	}
	return out, err
}

const seriesColumns = `id, item_id, name, kind, count, first_time, last_time, last_origin, last_value,
	eval_time, eval_origin, eval_value, training_time, training_value, rollup_base`

func querySeries(ctx context.Context, q rowsQueryer, where string, args ...any) ([]*seriesRow, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+prefixed("s.", seriesColumns)+` FROM metric_series s `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("read metric series: %w", err)
	}
	defer rows.Close()
	var out []*seriesRow
	for rows.Next() {
		sr := &seriesRow{last: &pointRef{}}
		var evalTime, trainingTime sql.NullInt64
		var evalOrigin sql.NullString
		var evalValue, trainingValue sql.NullFloat64
		if err := rows.Scan(&sr.id, &sr.item, &sr.name, &sr.kind, &sr.count, &sr.first, &sr.last.time, &sr.last.origin, &sr.last.value,
			&evalTime, &evalOrigin, &evalValue, &trainingTime, &trainingValue, &sr.base); err != nil {
			return nil, fmt.Errorf("read metric series: %w", err)
		}
		if evalTime.Valid {
			sr.eval = &pointRef{evalTime.Int64, evalOrigin.String, evalValue.Float64}
		}
		if trainingTime.Valid {
			sr.training = &pointRef{trainingTime.Int64, assent.OriginTraining, trainingValue.Float64}
		}
		out = append(out, sr)
	}
	return out, rows.Err()
}

// sortLocations puts problems in the order of their list index.
func sortLocations(p assent.Problems, at string) {
	index := func(loc string) int {
		var i int
		fmt.Sscanf(strings.TrimPrefix(loc, at), "[%d]", &i)
		return i
	}
	slices.SortStableFunc(p, func(a, b assent.ErrorDetail) int { return index(a.Location) - index(b.Location) })
}

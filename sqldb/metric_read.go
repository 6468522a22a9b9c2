package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"assent"
)

// FindMetricSeries reads the series of a model version, each downsampled
// from the rollups when it holds more points than asked for.
func (s *MetricService) FindMetricSeries(ctx context.Context, q assent.MetricQuery) ([]*assent.MetricSeries, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleViewer); err != nil {
		return nil, err
	}
	var p assent.Problems
	switch {
	case q.Points == 0:
		q.Points = assent.DefaultMetricBuckets
	case q.Points < 1 || q.Points > assent.MaxMetricBuckets:
		p.Add("points", "must be between 1 and %d", assent.MaxMetricBuckets)
	}
	if !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From) {
		p.Add("to", "must not be before from")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	if _, err := s.findKind(ctx, q.Item); err != nil {
		return nil, err
	}
	where, args := `WHERE item_id = $1`, []any{q.Item}
	if q.Name != "" {
		where, args = where+` AND name = $2`, append(args, q.Name)
	}
	list, err := querySeries(ctx, s.db.read, where+` ORDER BY name`, args...)
	if err != nil {
		return nil, err
	}
	out := make([]*assent.MetricSeries, 0, len(list))
	for _, sr := range list {
		ms, err := s.readSeries(ctx, sr, q)
		if err != nil {
			return nil, err
		}
		out = append(out, ms)
	}
	sortByCatalog(out)
	return out, nil
}

func (s *MetricService) findKind(ctx context.Context, id string) (string, error) {
	var kind string
	if err := s.db.read.QueryRowContext(ctx, `SELECT kind FROM governable_items WHERE id = $1`, id).Scan(&kind); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return "", assent.Errorf(assent.ENOTFOUND, "No governable item %q.", id)
		}
		return "", fmt.Errorf("read governable item: %w", err)
	}
	return kind, nil
}

// readSeries reads one series between the query's bounds.
func (s *MetricService) readSeries(ctx context.Context, sr *seriesRow, q assent.MetricQuery) (*assent.MetricSeries, error) {
	ms := &assent.MetricSeries{MetricInfo: assent.LookupMetric(sr.name, sr.kind), Item: sr.item,
		Training: sr.training.valuePtr(), Latest: sr.last.valuePtr(), LatestEvaluation: sr.eval.valuePtr()}
	ms.Kind = sr.kind
	if sr.training != nil && sr.eval != nil {
		drift := sr.eval.value - sr.training.value
		ms.Drift = &drift
	}
	lo, hi := sr.first, sr.last.time
	if !q.From.IsZero() {
		lo = q.From.UnixMilli()
	}
	if !q.To.IsZero() {
		hi = q.To.UnixMilli()
	}
	if lo > hi {
		return ms, nil
	}
	n := int64(q.Points)
	if sr.count <= n {
		return ms, s.rawPoints(ctx, sr.id, lo, hi, ms)
	}
	width := (hi - lo + n) / n // ceil((hi - lo + 1) / n)
	level := -1                // the points themselves
	for i, w := range rollupLevels {
		if w <= width && i >= sr.base && hasRollups(sr.count) {
			level = i
		}
	}
	var start int64
	if level < 0 {
		// A short series, or buckets narrower than the finest rollup (a
		// short range): few enough points to read.
		start = lo
	} else {
		lw := rollupLevels[level]
		start = floorTo(lo, lw)
		width = lw * ((hi + 1 - start + n*lw - 1) / (n * lw))
	}
	pieces, err := s.pieces(ctx, sr.id, lo, hi, level, sr.base)
	if err != nil {
		return nil, err
	}
	var total int64
	for _, pc := range pieces {
		total += pc.count
	}
	ms.Count = total
	if total <= n {
		return ms, s.rawPoints(ctx, sr.id, lo, hi, ms)
	}
	buckets := map[int64]*rollup{}
	var order []int64
	for _, pc := range pieces {
		b := floorTo(pc.start-start, width)/width*width + start
		r := buckets[b]
		if r == nil {
			r = &rollup{}
			buckets[b] = r
			order = append(order, b)
		}
		r.merge(&pc.rollup)
	}
	slices.Sort(order)
	ms.Buckets = make([]assent.MetricBucket, 0, len(order))
	for _, b := range order {
		r := buckets[b]
		// The first and last buckets are cut to the range asked for.
		ms.Buckets = append(ms.Buckets, assent.MetricBucket{Start: fromMS(max(b, lo)), End: fromMS(min(b+width, hi+1)), Count: r.count,
			Min: r.min, Max: r.max, Mean: r.sum / float64(r.count), Last: r.last.value})
	}
	return ms, nil
}

// piece is an aggregate of the points from start on: a rollup row or one point.
type piece struct {
	start int64
	rollup
}

// pieces covers [lo, hi] with the rollups of level and, at the edges where
// a bucket of that level would reach outside, with finer ones down to the
// series' base level, and then with the points themselves.
func (s *MetricService) pieces(ctx context.Context, series, lo, hi int64, level, base int) ([]piece, error) {
	if level < base || level < 0 {
		return s.pointPieces(ctx, series, lo, hi)
	}
	w := rollupLevels[level]
	a := floorTo(lo+w-1, w) // the first bucket start at or after lo
	b := floorTo(hi+1, w)   // the end of the last whole bucket
	if a >= b {
		return s.pieces(ctx, series, lo, hi, level-1, base)
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT bucket, count, sum, min, max, last_time, last_origin, last_value FROM metric_rollups
		WHERE series_id = $1 AND level = $2 AND bucket >= $3 AND bucket < $4 ORDER BY bucket`, series, level, a, b)
	if err != nil {
		return nil, fmt.Errorf("read metric rollups: %w", err)
	}
	defer rows.Close()
	var out []piece
	for rows.Next() {
		var pc piece
		if err := rows.Scan(&pc.start, &pc.count, &pc.sum, &pc.min, &pc.max, &pc.last.time, &pc.last.origin, &pc.last.value); err != nil {
			return nil, fmt.Errorf("read metric rollups: %w", err)
		}
		out = append(out, pc)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read metric rollups: %w", err)
	}
	if lo < a {
		edge, err := s.pieces(ctx, series, lo, a-1, level-1, base)
		if err != nil {
			return nil, err
		}
		out = append(out, edge...)
	}
	if b <= hi {
		edge, err := s.pieces(ctx, series, b, hi, level-1, base)
		if err != nil {
			return nil, err
		}
		out = append(out, edge...)
	}
	return out, nil
}

func (s *MetricService) pointPieces(ctx context.Context, series, lo, hi int64) ([]piece, error) {
	var out []piece
	err := s.eachPoint(ctx, series, lo, hi, func(pt pointRef) {
		out = append(out, piece{start: pt.time, rollup: rollup{count: 1, sum: pt.value, min: pt.value, max: pt.value, last: pt}})
	})
	return out, err
}

func (s *MetricService) rawPoints(ctx context.Context, series, lo, hi int64, ms *assent.MetricSeries) error {
	ms.Points = []assent.MetricValue{}
	err := s.eachPoint(ctx, series, lo, hi, func(pt pointRef) {
		ms.Points = append(ms.Points, assent.MetricValue{Time: fromMS(pt.time), Value: pt.value, Origin: pt.origin})
	})
	ms.Count = int64(len(ms.Points))
	return err
}

func (s *MetricService) eachPoint(ctx context.Context, series, lo, hi int64, fn func(pointRef)) error {
	rows, err := s.db.read.QueryContext(ctx, `SELECT time, origin, value FROM metric_points WHERE series_id = $1 AND time >= $2 AND time <= $3 ORDER BY time, origin`,
		series, lo, hi)
	if err != nil {
		return fmt.Errorf("read metric points: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var pt pointRef
		if err := rows.Scan(&pt.time, &pt.origin, &pt.value); err != nil {
			return fmt.Errorf("read metric points: %w", err)
		}
		fn(pt)
	}
	return rows.Err()
}

// FindMetricNames lists the catalog, then the other names in use.
func (s *MetricService) FindMetricNames(ctx context.Context) ([]assent.MetricInfo, error) {
	if _, err := assent.RequireRole(ctx, assent.RoleViewer); err != nil {
		return nil, err
	}
	out := append([]assent.MetricInfo{}, assent.MetricCatalog...)
	rows, err := s.db.read.QueryContext(ctx, `SELECT DISTINCT name, kind FROM metric_series ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("read metric names: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, kind string
		if err := rows.Scan(&name, &kind); err != nil {
			return nil, fmt.Errorf("read metric names: %w", err)
		}
		if inCatalog(name) < len(assent.MetricCatalog) {
			continue
		}
		out = append(out, assent.LookupMetric(name, kind))
	}
	return out, rows.Err()
}

// inCatalog is a name's place in the catalog; past its end when not in it.
func inCatalog(name string) int {
	for i, m := range assent.MetricCatalog {
		if m.Name == name {
			return i
		}
	}
	return len(assent.MetricCatalog)
}

// sortByCatalog orders series as the catalog does, others by name after.
func sortByCatalog(list []*assent.MetricSeries) {
	slices.SortFunc(list, func(a, b *assent.MetricSeries) int {
		return cmp.Or(cmp.Compare(inCatalog(a.Name), inCatalog(b.Name)), cmp.Compare(a.Name, b.Name))
	})
}

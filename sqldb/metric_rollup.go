package sqldb

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
)

// rollupLevels are the widths, in milliseconds, of the buckets kept for
// every series: a minute, ten minutes, an hour and a day. Each divides the
// next, so a bucket of one level lies inside one bucket of any coarser
// level, and a read over N buckets meets at most 24 N rows.
var rollupLevels = []int64{60_000, 600_000, 3_600_000, 86_400_000}

type rollupKey struct {
	series int64
	level  int
	bucket int64 // start time
}

// rollup aggregates the points of one bucket.
type rollup struct {
	count    int64
	sum      float64
	min, max float64
	last     pointRef
}

func (r *rollup) addPoint(pt pointRef) {
	r.merge(&rollup{count: 1, sum: pt.value, min: pt.value, max: pt.value, last: pt})
}

func (r *rollup) merge(o *rollup) {
	if r.count == 0 {
		*r = *o
		return
	}
	r.count += o.count
	r.sum += o.sum
	r.min, r.max = min(r.min, o.min), max(r.max, o.max)
	if o.last.after(&r.last) {
		r.last = o.last
	}
}

func floorTo(t, width int64) int64 {
	b := t / width * width
	if b > t { // negative times round down too
		b -= width
	}
	return b
}

// addToRollups counts a new point into its bucket at every level.
func (w *metricWriter) addToRollups(series int64, pt pointRef) {
	for level, width := range rollupLevels {
		k := rollupKey{series, level, floorTo(pt.time, width)}
		r := w.rollups[k]
		if r == nil {
			r = &rollup{}
			w.rollups[k] = r
		}
		r.addPoint(pt)
	}
}

// upsertRollups adds the gathered aggregates to the stored ones.
func (w *metricWriter) upsertRollups(ctx context.Context) error {
	if len(w.rollups) == 0 {
		return nil
	}
	d := w.tx.db.dialect
	least, greatest := "min", "max"
	if d.isPostgres() {
		least, greatest = "LEAST", "GREATEST"
	}
	later := `(excluded.last_time > metric_rollups.last_time OR (excluded.last_time = metric_rollups.last_time AND excluded.last_origin > metric_rollups.last_origin))`
	conflict := ` ON CONFLICT (series_id, level, bucket) DO UPDATE SET count = metric_rollups.count + excluded.count, sum = metric_rollups.sum + excluded.sum,
		min = ` + least + `(metric_rollups.min, excluded.min), max = ` + greatest + `(metric_rollups.max, excluded.max),
		last_time = CASE WHEN ` + later + ` THEN excluded.last_time ELSE metric_rollups.last_time END,
		last_value = CASE WHEN ` + later + ` THEN excluded.last_value ELSE metric_rollups.last_value END,
		last_origin = CASE WHEN ` + later + ` THEN excluded.last_origin ELSE metric_rollups.last_origin END`
	const columns = 10
	keys := make([]rollupKey, 0, len(w.rollups))
	for k := range w.rollups {
		keys = append(keys, k)
	}
	// In key order, as every writer does.
	slices.SortFunc(keys, func(a, b rollupKey) int {
		return cmp.Or(cmp.Compare(a.series, b.series), cmp.Compare(a.level, b.level), cmp.Compare(a.bucket, b.bucket))
	})
	if d.isPostgres() {
		n := len(keys)
		series, levels, buckets, counts, lastTimes := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
		sums, mins, maxs, lastValues := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
		lastOrigins := make([]string, n)
		for i, k := range keys {
			r := w.rollups[k]
			series[i], levels[i], buckets[i], counts[i], lastTimes[i] = k.series, int64(k.level), k.bucket, r.count, r.last.time
			sums[i], mins[i], maxs[i], lastValues[i], lastOrigins[i] = r.sum, r.min, r.max, r.last.value, r.last.origin
		}
		_, err := w.tx.ExecContext(ctx, `INSERT INTO metric_rollups (series_id, level, bucket, count, sum, min, max, last_time, last_origin, last_value)
			SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::float8[], $6::float8[], $7::float8[], $8::bigint[], $9::text[], $10::float8[])`+conflict,
			series, levels, buckets, counts, sums, mins, maxs, lastTimes, lastOrigins, lastValues)
		if err != nil {
			return fmt.Errorf("update metric rollups: %w", err)
		}
		return nil
	}
	perStmt := d.maxParams / columns
	for start := 0; start < len(keys); start += perStmt {
		chunk := keys[start:min(start+perStmt, len(keys))]
		var sb strings.Builder
		sb.WriteString(`INSERT INTO metric_rollups (series_id, level, bucket, count, sum, min, max, last_time, last_origin, last_value) VALUES `)
		args := make([]any, 0, len(chunk)*columns)
		for i, k := range chunk {
			if i > 0 {
				sb.WriteByte(',')
			}
			r := w.rollups[k]
			d.writePlaceholders(&sb, len(args), columns)
			args = append(args, k.series, k.level, k.bucket, r.count, r.sum, r.min, r.max, r.last.time, r.last.origin, r.last.value)
		}
		sb.WriteString(conflict)
		if _, err := w.tx.ExecContext(ctx, sb.String(), args...); err != nil {
			return fmt.Errorf("update metric rollups: %w", err)
		}
	}
	return nil
}

// applyCorrections writes corrected values, then computes each bucket they
// fall in again from the points: a minimum or maximum cannot be undone
// from an aggregate.
func (w *metricWriter) applyCorrections(ctx context.Context) error {
	redo := map[rollupKey]bool{}
	for _, c := range w.corrected {
		if _, err := w.tx.ExecContext(ctx, `UPDATE metric_points SET value = $1 WHERE series_id = $2 AND time = $3 AND origin = $4`,
			c.value, c.series, c.time, c.origin); err != nil {
			return fmt.Errorf("correct metric point: %w", err)
		}
		for level, width := range rollupLevels {
			redo[rollupKey{c.series, level, floorTo(c.time, width)}] = true
		}
	}
	for k := range redo {
		width := rollupLevels[k.level]
		var r rollup
		err := w.tx.QueryRowContext(ctx, `SELECT count(*), sum(value), min(value), max(value) FROM metric_points WHERE series_id = $1 AND time >= $2 AND time < $3`,
			k.series, k.bucket, k.bucket+width).Scan(&r.count, &r.sum, &r.min, &r.max)
		if err != nil {
			return fmt.Errorf("compute metric rollup: %w", err)
		}
		err = w.tx.QueryRowContext(ctx, `SELECT time, origin, value FROM metric_points WHERE series_id = $1 AND time >= $2 AND time < $3 ORDER BY time DESC, origin DESC LIMIT 1`,
			k.series, k.bucket, k.bucket+width).Scan(&r.last.time, &r.last.origin, &r.last.value)
		if err != nil {
			return fmt.Errorf("compute metric rollup: %w", err)
		}
		if _, err := w.tx.ExecContext(ctx, `UPDATE metric_rollups SET count = $1, sum = $2, min = $3, max = $4, last_time = $5, last_origin = $6, last_value = $7
			WHERE series_id = $8 AND level = $9 AND bucket = $10`, r.count, r.sum, r.min, r.max, r.last.time, r.last.origin, r.last.value, k.series, k.level, k.bucket); err != nil {
			return fmt.Errorf("update metric rollup: %w", err)
		}
	}
	return nil
}

package sqldb

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
)

// rollupLevels are the widths, in milliseconds, of the buckets a series
// may keep: ten seconds, a minute, ten minutes, an hour, six hours and a
// day. Each divides the next, so a bucket of one level lies inside one
// bucket of any coarser level, and a read over N buckets meets at most 10 N
// rows (plus the edges). A series
// keeps the levels from the finest that holds a few of its points a bucket.
var rollupLevels = []int64{10_000, 60_000, 600_000, 3_600_000, 21_600_000, 86_400_000}

// rollupThreshold is the points a series holds before it keeps rollups: a
// shorter one is read and bucketed whole, faster than the rollups would be
// to write (an evaluation a week makes 52 points a year).
const rollupThreshold = 1000

func hasRollups(count int64) bool { return count > rollupThreshold }

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
func (w *metricWriter) addToRollups(sr *seriesRow, pt pointRef) {
	addToAll(w.rollups, sr.id, sr.base, pt)
}

// upsertRollups adds the gathered aggregates to the stored ones.
func (w *metricWriter) upsertRollups(ctx context.Context) error {
	return w.writeRollups(ctx, w.rollups, false)
}

// writeRollups writes aggregates: added to the stored ones, or replacing
// them (replace) when they were computed again from every point.
func (w *metricWriter) writeRollups(ctx context.Context, rollups map[rollupKey]*rollup, replace bool) error {
	if len(rollups) == 0 {
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
	if replace {
		conflict = ` ON CONFLICT (series_id, level, bucket) DO UPDATE SET count = excluded.count, sum = excluded.sum, min = excluded.min, max = excluded.max,
			last_time = excluded.last_time, last_value = excluded.last_value, last_origin = excluded.last_origin`
	}
	const columns = 10
	keys := make([]rollupKey, 0, len(rollups))
	for k := range rollups {
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
			r := rollups[k]
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
	err := w.tx.execRows(ctx, `INSERT INTO metric_rollups (series_id, level, bucket, count, sum, min, max, last_time, last_origin, last_value)`, conflict, columns, len(keys),
		func(args []any, i int) []any {
			k := keys[i]
			r := rollups[k]
			return append(args, k.series, k.level, k.bucket, r.count, r.sum, r.min, r.max, r.last.time, r.last.origin, r.last.value)
		})
	if err != nil {
		return fmt.Errorf("update metric rollups: %w", err)
	}
	return nil
}

// applyCorrections computes again the buckets of every day a corrected
// point of a series with rollups falls in, from that day's points: a
// minimum or a maximum cannot be undone from an aggregate, and every
// level's buckets lie within a day.
func (w *metricWriter) applyCorrections(ctx context.Context) error {
	day := rollupLevels[len(rollupLevels)-1]
	days := map[[2]int64]bool{} // series, day start
	for _, c := range w.corrected {
		if _, ok := w.rolled[c.series]; ok {
			days[[2]int64{c.series, floorTo(c.time, day)}] = true
		}
	}
	redone := map[rollupKey]*rollup{}
	for d := range days {
		base := w.rolled[d[0]]
		if err := w.eachStoredPoint(ctx, d[0], d[1], d[1]+day, func(pt pointRef) { addToAll(redone, d[0], base, pt) }); err != nil {
			return err
		}
	}
	return w.writeRollups(ctx, redone, true)
}

// rebuildRollups computes the rollups of the series that grew long enough
// in this call from all their points, from the finest level whose buckets
// hold a few points each on average: finer ones would cost as many rows as
// the points and save nothing on reading.
func (w *metricWriter) rebuildRollups(ctx context.Context) error {
	for _, sr := range w.rebuild {
		sr.base = baseLevel(sr.count, sr.last.time-sr.first+1)
		built := map[rollupKey]*rollup{}
		if err := w.eachStoredPoint(ctx, sr.id, math.MinInt64, math.MaxInt64, func(pt pointRef) { addToAll(built, sr.id, sr.base, pt) }); err != nil {
			return err
		}
		if err := w.writeRollups(ctx, built, true); err != nil {
			return err
		}
	}
	return nil
}

// pointsPerBucket is how many points the finest rollup of a series holds
// on average, at least.
const pointsPerBucket = 8

// baseLevel is the finest level whose buckets hold pointsPerBucket points
// on average for count points over span milliseconds.
func baseLevel(count, span int64) int {
	for level, width := range rollupLevels {
		if float64(count)*float64(width) >= pointsPerBucket*float64(span) {
			return level
		}
	}
	return len(rollupLevels) - 1
}

// addToAll counts a point into its bucket at every level from base.
func addToAll(rollups map[rollupKey]*rollup, series int64, base int, pt pointRef) {
	for level := base; level < len(rollupLevels); level++ {
		k := rollupKey{series, level, floorTo(pt.time, rollupLevels[level])}
		if rollups[k] == nil {
			rollups[k] = &rollup{}
		}
		rollups[k].addPoint(pt)
	}
}

// eachStoredPoint passes a series' points in [from, to) to fn.
func (w *metricWriter) eachStoredPoint(ctx context.Context, series, from, to int64, fn func(pointRef)) error {
	rows, err := w.tx.QueryContext(ctx, `SELECT time, origin, value FROM metric_points WHERE series_id = $1 AND time >= $2 AND time < $3`, series, from, to)
	if err != nil {
		return fmt.Errorf("compute metric rollups: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var pt pointRef
		if err := rows.Scan(&pt.time, &pt.origin, &pt.value); err != nil {
			return fmt.Errorf("compute metric rollups: %w", err)
		}
		fn(pt)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("compute metric rollups: %w", err)
	}
	return nil
}

// updatePoints writes the corrected values: one statement on PostgreSQL,
// where each would be a round trip; one each on SQLite, in process.
func (w *metricWriter) updatePoints(ctx context.Context) error {
	if w.tx.db.dialect.isPostgres() {
		n := len(w.corrected)
		series, times, origins, values := make([]int64, n), make([]int64, n), make([]string, n), make([]float64, n)
		for i, c := range w.corrected {
			series[i], times[i], origins[i], values[i] = c.series, c.time, c.origin, c.value
		}
		if _, err := w.tx.ExecContext(ctx, `UPDATE metric_points p SET value = u.value
			FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::float8[]) AS u (series_id, time, origin, value)
			WHERE p.series_id = u.series_id AND p.time = u.time AND p.origin = u.origin`, series, times, origins, values); err != nil {
			return fmt.Errorf("correct metric points: %w", err)
		}
		return nil
	}
	for _, c := range w.corrected {
		if _, err := w.tx.ExecContext(ctx, `UPDATE metric_points SET value = $1 WHERE series_id = $2 AND time = $3 AND origin = $4`,
			c.value, c.series, c.time, c.origin); err != nil {
			return fmt.Errorf("correct metric point: %w", err)
		}
	}
	return nil
}

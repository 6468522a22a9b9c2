package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"assent"
)

// metricWriter gathers the writes of one ingest so that each table gets a
// few multi-row statements.
type metricWriter struct {
	tx      *Tx
	inserts []pointRow
	rollups map[rollupKey]*rollup
	// corrected are the points whose value changed: their buckets are
	// computed again from the points.
	corrected []pointRow
	touched   []*seriesRow
	// rebuild are the series that grew long enough for rollups in this
	// call: theirs are computed from all their points.
	rebuild []*seriesRow
	// rolled are the series that had rollups before this call, with their
	// base level.
	rolled map[int64]int
	events map[string]*metricEvent // by item
	items  []string
}

type pointRow struct {
	series int64
	pointRef
}

// metricEvent is the after value of a metric.add event: what one call did
// to one model version's metrics.
type metricEvent struct {
	Added       map[string]int   `json:"added,omitempty"`
	Corrected   []correctedPoint `json:"corrected,omitempty"`
	From        string           `json:"from"`
	To          string           `json:"to"`
	first, last int64
}

type correctedPoint struct {
	Name   string  `json:"name"`
	Time   string  `json:"time"`
	Origin string  `json:"origin"`
	Before float64 `json:"before"`
	After  float64 `json:"after"`
}

// createSeries inserts the new series among keys, a chunk of rows per
// statement, and sets their ids. The values are placeholders until the
// series' first points update them in flush.
func (w *metricWriter) createSeries(ctx context.Context, keys []string, series map[string]*seriesRow) error {
	var fresh []*seriesRow
	for _, k := range keys {
		if series[k].isNew {
			fresh = append(fresh, series[k])
		}
	}
	for start := 0; start < len(fresh); start += rowsPerStatement {
		chunk := fresh[start:min(start+rowsPerStatement, len(fresh))]
		args := make([]any, 0, len(chunk)*8)
		byKey := make(map[string]*seriesRow, len(chunk))
		for _, sr := range chunk {
			args = append(args, sr.item, sr.name, sr.kind, 0, 0, 0, "", 0)
			byKey[sr.item+"\x00"+sr.name] = sr
		}
		q := w.tx.rowsSQL(`INSERT INTO metric_series (item_id, name, kind, count, first_time, last_time, last_origin, last_value)`,
			` RETURNING id, item_id, name`, 8, len(chunk))
		rows, err := w.tx.QueryContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("create metric series: %w", err)
		}
		for rows.Next() {
			var id int64
			var item, name string
			if err := rows.Scan(&id, &item, &name); err != nil {
				rows.Close()
				return fmt.Errorf("create metric series: %w", err)
			}
			byKey[item+"\x00"+name].id = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("create metric series: %w", err)
		}
	}
	return nil
}

// addSeries sorts the points of one series into new, unchanged and
// corrected, and updates the series' latest values.
func (w *metricWriter) addSeries(ctx context.Context, sr *seriesRow, points []assent.MetricPoint, idx []int, at string, p *assent.Problems, res *assent.MetricResult) error {
	// Only points at or before the series' last one may be stored already:
	// appending, the common case, reads nothing.
	var maybe []pointKey
	if !sr.isNew {
		for _, i := range idx {
			if t := points[i].Time.UnixMilli(); t <= sr.last.time {
				maybe = append(maybe, pointKey{t, points[i].Origin})
			}
		}
	}
	stored, err := storedPoints(ctx, w.tx, sr.id, maybe)
	if err != nil {
		return err
	}
	ev := w.event(sr.item)
	hadRollups := hasRollups(sr.count)
	seen := map[pointKey]int{}
	for _, i := range idx {
		pt := pointRef{points[i].Time.UnixMilli(), points[i].Origin, points[i].Value}
		key := pointKey{pt.time, pt.origin}
		if j, dup := seen[key]; dup {
			if points[j].Value != pt.value {
				p.Add(fmt.Sprintf("%s[%d]", at, i), "is the point of %s[%d] (same item, name, origin and time) with another value", at, j)
			} else {
				res.Unchanged++
			}
			continue
		}
		seen[key] = i
		old, exists := stored[key]
		switch {
		case exists && old == pt.value:
			res.Unchanged++
			continue
		case exists:
			res.Corrected++
			w.corrected = append(w.corrected, pointRow{sr.id, pt})
			ev.Corrected = append(ev.Corrected, correctedPoint{sr.name, fromMS(pt.time).Format(timeFormat), pt.origin, old, pt.value})
			sr.correct(pt)
		default:
			res.Added++
			w.inserts = append(w.inserts, pointRow{sr.id, pt})
			if hadRollups {
				w.addToRollups(sr, pt)
			}
			if ev.Added == nil {
				ev.Added = map[string]int{}
			}
			ev.Added[sr.name]++
			sr.add(pt)
		}
		ev.first, ev.last = min(ev.first, pt.time), max(ev.last, pt.time)
	}
	w.touched = append(w.touched, sr)
	if hadRollups {
		w.rolled[sr.id] = sr.base
	} else if hasRollups(sr.count) {
		w.rebuild = append(w.rebuild, sr)
	}
	return nil
}

const timeFormat = "2006-01-02T15:04:05.000Z07:00"

type pointKey struct {
	time   int64
	origin string
}

func (w *metricWriter) event(item string) *metricEvent {
	if w.events == nil {
		w.events = map[string]*metricEvent{}
	}
	ev := w.events[item]
	if ev == nil {
		ev = &metricEvent{first: 1<<63 - 1, last: -1 << 63}
		w.events[item] = ev
		w.items = append(w.items, item)
	}
	return ev
}

// add counts a new point into the series' latest values.
func (sr *seriesRow) add(pt pointRef) {
	if sr.count == 0 || pt.time < sr.first {
		sr.first = pt.time
	}
	sr.count++
	if pt.after(sr.last) {
		sr.last = &pointRef{pt.time, pt.origin, pt.value}
	}
	if pt.origin == assent.OriginTraining {
		if pt.after(sr.training) {
			sr.training = &pointRef{pt.time, pt.origin, pt.value}
		}
	} else if pt.after(sr.eval) {
		sr.eval = &pointRef{pt.time, pt.origin, pt.value}
	}
}

// correct changes the value of a stored point among the latest values.
func (sr *seriesRow) correct(pt pointRef) {
	for _, ref := range []*pointRef{sr.last, sr.eval, sr.training} {
		if ref != nil && ref.time == pt.time && ref.origin == pt.origin {
			ref.value = pt.value
		}
	}
}

// storedPoints reads which of keys a series holds, with their values, by
// looking each up: a batch that back-fills one old point reads one point,
// not the range up to it.
func storedPoints(ctx context.Context, tx *Tx, series int64, keys []pointKey) (map[pointKey]float64, error) {
	out := map[pointKey]float64{}
	if len(keys) == 0 {
		return out, nil
	}
	var rows *sql.Rows
	var err error
	if tx.db.dialect.isPostgres() {
		times, origins := make([]int64, len(keys)), make([]string, len(keys))
		for i, k := range keys {
			times[i], origins[i] = k.time, k.origin
		}
		rows, err = tx.QueryContext(ctx, `SELECT p.time, p.origin, p.value FROM unnest($2::bigint[], $3::text[]) AS k (time, origin)
			JOIN metric_points p ON p.series_id = $1 AND p.time = k.time AND p.origin = k.origin`, series, times, origins)
	} else {
		pairs := make([][2]any, len(keys))
		for i, k := range keys {
			pairs[i] = [2]any{k.time, k.origin}
		}
		list, _ := json.Marshal(pairs)
		// CROSS JOIN keeps the keys as the outer loop: one primary-key
		// lookup each.
		rows, err = tx.QueryContext(ctx, `SELECT p.time, p.origin, p.value FROM json_each($2) AS k
			CROSS JOIN metric_points p ON p.series_id = $1 AND p.time = k.value ->> 0 AND p.origin = k.value ->> 1`, series, string(list))
	}
	if err != nil {
		return nil, fmt.Errorf("read metric points: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k pointKey
		var v float64
		if err := rows.Scan(&k.time, &k.origin, &v); err != nil {
			return nil, fmt.Errorf("read metric points: %w", err)
		}
		out[k] = v
	}
	return out, rows.Err()
}

// flush writes what the series gathered: points, rollups, corrections,
// the series' latest values and one event per model version.
func (w *metricWriter) flush(ctx context.Context) error {
	if err := w.insertPoints(ctx); err != nil {
		return err
	}
	if err := w.updatePoints(ctx); err != nil {
		return err
	}
	if err := w.upsertRollups(ctx); err != nil {
		return err
	}
	if err := w.rebuildRollups(ctx); err != nil {
		return err
	}
	if err := w.applyCorrections(ctx); err != nil {
		return err
	}
	if err := w.updateSeries(ctx); err != nil {
		return err
	}
	for _, item := range w.items {
		ev := w.events[item]
		if len(ev.Added) == 0 && len(ev.Corrected) == 0 {
			continue
		}
		ev.From, ev.To = fromMS(ev.first).Format(timeFormat), fromMS(ev.last).Format(timeFormat)
		w.tx.record("governable", item, "metric.add", nil, ev)
	}
	return nil
}

// updateSeries writes the touched series' counts and latest values, a
// chunk of rows per statement.
func (w *metricWriter) updateSeries(ctx context.Context) error {
	err := w.tx.execRows(ctx, `INSERT INTO metric_series (id, item_id, name, kind, count, first_time, last_time, last_origin, last_value,
		eval_time, eval_origin, eval_value, training_time, training_value, rollup_base)`,
		` ON CONFLICT (id) DO UPDATE SET rollup_base = excluded.rollup_base, count = excluded.count, first_time = excluded.first_time, last_time = excluded.last_time,
		last_origin = excluded.last_origin, last_value = excluded.last_value, eval_time = excluded.eval_time, eval_origin = excluded.eval_origin,
		eval_value = excluded.eval_value, training_time = excluded.training_time, training_value = excluded.training_value`,
		15, len(w.touched), func(args []any, i int) []any {
			sr := w.touched[i]
			var evalTime, trainingTime *int64
			var evalOrigin *string
			var evalValue, trainingValue *float64
			if sr.eval != nil {
				evalTime, evalOrigin, evalValue = &sr.eval.time, &sr.eval.origin, &sr.eval.value
			}
			if sr.training != nil {
				trainingTime, trainingValue = &sr.training.time, &sr.training.value
			}
			return append(args, sr.id, sr.item, sr.name, sr.kind, sr.count, sr.first, sr.last.time, sr.last.origin, sr.last.value,
				evalTime, evalOrigin, evalValue, trainingTime, trainingValue, sr.base)
		})
	if err != nil {
		return fmt.Errorf("update metric series: %w", err)
	}
	return nil
}

// insertPoints inserts the new points with multi-row statements.
func (w *metricWriter) insertPoints(ctx context.Context) error {
	rows := w.inserts
	if len(rows) == 0 {
		return nil
	}
	d := w.tx.db.dialect
	if d.isPostgres() {
		n := len(rows)
		series, times, origins, values := make([]int64, n), make([]int64, n), make([]string, n), make([]float64, n)
		for i, r := range rows {
			series[i], times[i], origins[i], values[i] = r.series, r.time, r.origin, r.value
		}
		_, err := w.tx.ExecContext(ctx, `INSERT INTO metric_points (series_id, time, origin, value)
			SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::float8[])`, series, times, origins, values)
		if err != nil {
			return fmt.Errorf("insert metric points: %w", err)
		}
		return nil
	}
	err := w.tx.execRows(ctx, `INSERT INTO metric_points (series_id, time, origin, value)`, "", 4, len(rows), func(args []any, i int) []any {
		return append(args, rows[i].series, rows[i].time, rows[i].origin, rows[i].value)
	})
	if err != nil {
		return fmt.Errorf("insert metric points: %w", err)
	}
	return nil
}

package sqldb_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"assent"
	"assent/sqldb"
	"assent/sqldb/sqldbtest"
)

var day0 = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

func TestMetricIngest(t *testing.T) {
	sqldbtest.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		g := newGovernance(t, db)
		g.sync(t, assent.SyncBatch{Items: tutorialBatch})
		v1, v2, model := g.byKey(t, "GT.m1.v1"), g.byKey(t, "GT.m1.v2"), g.byKey(t, "GT.m1")
		metrics := sqldb.NewMetricService(db)
		points := []assent.MetricPoint{
			{Item: v2.ID, Name: "auc", Value: 0.90, Time: day0, Origin: "training"},
			{Item: v2.ID, Name: "auc", Value: 0.88, Time: day0.AddDate(0, 0, 7), Origin: "eval-1"},
			{Item: v2.ID, Name: "auc", Value: 0.84, Time: day0.AddDate(0, 0, 14), Origin: "eval-2"},
			{Item: v2.ID, Name: "data_drift", Value: 0.12, Time: day0.AddDate(0, 0, 14), Origin: "eval-2"},
			{Item: v1.ID, Name: "custom:latency_ms", Value: 41, Time: day0},
		}

		res, err := metrics.AddMetrics(member, points)
		if err != nil {
			t.Fatal(err)
		}
		if res.Added != 5 || res.Unchanged != 0 {
			t.Fatalf("first ingest %+v; want 5 added", res)
		}
		t.Run("Idempotent", func(t *testing.T) {
			before := eventsOf(t, db, "governable", v2.ID)
			res, err := metrics.AddMetrics(member, points)
			if err != nil {
				t.Fatal(err)
			}
			if res.Added != 0 || res.Unchanged != 5 {
				t.Fatalf("re-sent: %+v; want 5 unchanged", res)
			}
			if after := eventsOf(t, db, "governable", v2.ID); len(after) != len(before) {
				t.Fatalf("re-sending wrote events: %v", after[len(before):])
			}
		})
		t.Run("Drift", func(t *testing.T) {
			series := findSeries(t, metrics, assent.MetricQuery{Item: v2.ID})
			if len(series) != 2 || series[0].Name != "auc" || series[1].Name != "data_drift" {
				t.Fatalf("series %v; want auc then data_drift (catalog order)", names(series))
			}
			auc := series[0]
			if auc.Label != "ROC AUC" || auc.Direction != "higher" || auc.Training.Value != 0.90 || auc.LatestEvaluation.Value != 0.84 || len(auc.Points) != 3 {
				t.Fatalf("auc %+v", auc)
			}
			if auc.Drift == nil || math.Abs(*auc.Drift-(-0.06)) > 1e-9 {
				t.Fatalf("drift %v; want 0.84 - 0.90 = -0.06", auc.Drift)
			}
			if dd := series[1]; dd.Kind != assent.MetricDrift || dd.Drift != nil {
				t.Fatalf("data drift %+v: a drift metric without training has no drift", dd)
			}
			custom := findSeries(t, metrics, assent.MetricQuery{Item: v1.ID})
			if len(custom) != 1 || custom[0].Label != "custom:latency_ms" || custom[0].Points[0].Origin != assent.DefaultOrigin {
				t.Fatalf("an unknown name is kept as sent: %+v", custom[0])
			}
		})
		t.Run("Correction", func(t *testing.T) {
			res, err := metrics.AddMetrics(member, []assent.MetricPoint{{Item: v2.ID, Name: "auc", Value: 0.80, Time: day0.AddDate(0, 0, 14), Origin: "eval-2"}})
			if err != nil || res.Corrected != 1 {
				t.Fatalf("correct: %+v %v", res, err)
			}
			auc := findSeries(t, metrics, assent.MetricQuery{Item: v2.ID, Name: "auc"})[0]
			if auc.LatestEvaluation.Value != 0.80 || math.Abs(*auc.Drift-(-0.10)) > 1e-9 || auc.Count != 3 {
				t.Fatalf("after the correction: %+v drift %v", auc.LatestEvaluation, *auc.Drift)
			}
			if evs := eventsOf(t, db, "governable", v2.ID); evs[len(evs)-1] != "metric.add" {
				t.Fatalf("events %v", evs)
			}
		})
		t.Run("ErrBadPoints", func(t *testing.T) {
			before := findSeries(t, metrics, assent.MetricQuery{Item: v2.ID, Name: "auc"})[0].Count
			_, err := metrics.AddMetrics(member, []assent.MetricPoint{
				{Item: v2.ID, Name: "auc", Value: 0.5, Time: day0.AddDate(0, 1, 0)}, // good, but the call fails whole
				{Item: "gi_nope", Name: "auc", Value: 0.5, Time: day0},
				{Item: v2.ID, Name: "auc", Value: math.NaN(), Time: day0},
				{Item: v2.ID, Name: "auc", Value: 0.5, Time: time.Now().Add(48 * time.Hour)},
				{Item: model.ID, Name: "auc", Value: 0.5, Time: day0},
				{Item: v2.ID, Name: "auc", Kind: "drift", Value: 0.5, Time: day0},
				{Item: v2.ID, Name: "has space", Value: 0.5, Time: day0},
			})
			wantCode(t, err, assent.EINVALID)
			var locs []string
			for _, d := range err.(*assent.Error).Details {
				locs = append(locs, d.Location)
			}
			want := "points[1].item points[2].value points[3].time points[4].item points[5].kind points[6].name"
			if strings.Join(locs, " ") != want {
				t.Fatalf("locations %v; want %s", locs, want)
			}
			if after := findSeries(t, metrics, assent.MetricQuery{Item: v2.ID, Name: "auc"})[0].Count; after != before {
				t.Fatalf("a refused call stored points: %d → %d", before, after)
			}
			_, err = metrics.AddMetrics(member, make([]assent.MetricPoint, assent.MaxMetricPoints+1))
			wantCode(t, err, assent.ETOOLARGE)
			_, err = metrics.AddMetrics(as("vera", assent.RoleViewer), points[:1])
			wantCode(t, err, assent.EFORBIDDEN)
			_, err = metrics.FindMetricSeries(member, assent.MetricQuery{Item: v2.ID, Points: -1})
			wantCode(t, err, assent.EINVALID)
			_, err = metrics.FindMetricSeries(member, assent.MetricQuery{Item: "gi_nope"})
			wantCode(t, err, assent.ENOTFOUND)
		})
		t.Run("InSyncBatch", func(t *testing.T) {
			res := g.sync(t, assent.SyncBatch{
				Items:   []assent.SyncItem{{Kind: "model_version", Key: "GT.m1.v3", Parent: "GT.m1", Name: "Random forest (s1) - v3"}},
				Metrics: []assent.MetricPoint{{Key: "GT.m1.v3", Name: "auc", Value: 0.93, Time: day0, Origin: "training"}},
			})
			if res.Metrics.Added != 1 {
				t.Fatalf("sync result %+v", res.Metrics)
			}
			_, err := g.governables.Sync(member, "dss", assent.SyncBatch{Metrics: []assent.MetricPoint{{Key: "GT.nope", Name: "auc", Value: 1, Time: day0}}})
			wantCode(t, err, assent.EINVALID)
			if d := err.(*assent.Error).Details; d[0].Location != "metrics[0].key" {
				t.Fatalf("details %v", d)
			}
		})
	})
}

// TestMetricDownsampling compares the buckets read from the rollups with
// the same aggregates computed from every point.
func TestMetricDownsampling(t *testing.T) {
	sqldbtest.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		g := newGovernance(t, db)
		g.sync(t, assent.SyncBatch{Items: tutorialBatch})
		v2 := g.byKey(t, "GT.m1.v2")
		metrics := sqldb.NewMetricService(db)
		// Irregular times over about 20 days, some sharing a time with
		// another origin, sent in batches out of order.
		rng := rand.New(rand.NewPCG(1, 2))
		var all []assent.MetricPoint
		tm := day0
		for i := 0; i < 6000; i++ {
			tm = tm.Add(time.Duration(rng.IntN(600_000)) * time.Millisecond)
			origin := "eval"
			if i%50 == 0 {
				origin = "eval-b" // the same time, another origin
				all = append(all, assent.MetricPoint{Item: v2.ID, Name: "auc", Value: rng.Float64(), Time: tm, Origin: "eval"})
			}
			all = append(all, assent.MetricPoint{Item: v2.ID, Name: "auc", Value: rng.Float64(), Time: tm, Origin: origin})
		}
		shuffled := slices.Clone(all)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		for start := 0; start < len(shuffled); start += 2000 {
			if _, err := metrics.AddMetrics(member, shuffled[start:min(start+2000, len(shuffled))]); err != nil {
				t.Fatal(err)
			}
		}
		// A correction must redo the buckets it falls in.
		all[100].Value = 7
		if _, err := metrics.AddMetrics(member, all[100:101]); err != nil {
			t.Fatal(err)
		}
		// A dense series whose buckets are narrower than a minute.
		var dense []assent.MetricPoint
		for i := 0; i < 3000; i++ {
			dense = append(dense, assent.MetricPoint{Item: v2.ID, Name: "accuracy", Value: rng.Float64(), Time: day0.Add(time.Duration(i) * time.Second), Origin: "eval"})
		}
		if _, err := metrics.AddMetrics(member, dense); err != nil {
			t.Fatal(err)
		}
		s := findSeries(t, metrics, assent.MetricQuery{Item: v2.ID, Name: "accuracy", Points: 100})[0]
		if len(s.Buckets) != 100 || s.Buckets[0].Count != 30 || s.Buckets[0].Max != bruteForce(dense, day0, day0.Add(30*time.Second)).Max {
			t.Fatalf("dense series: %d buckets, first %+v", len(s.Buckets), s.Buckets[0])
		}
		last := all[len(all)-1].Time
		for _, q := range []assent.MetricQuery{
			{Points: 50},
			{Points: 500},
			{Points: 7, From: day0.Add(37 * time.Minute), To: last.Add(-5 * time.Hour)},
			{Points: 300, From: day0.Add(90 * time.Second), To: day0.Add(30*time.Hour + 17*time.Second)},
			{Points: 40, From: day0.Add(2 * time.Hour), To: day0.Add(3 * time.Hour)}, // fewer points than asked: the points themselves
		} {
			q.Item, q.Name = v2.ID, "auc"
			s := findSeries(t, metrics, q)[0]
			lo, hi := q.From, q.To
			if lo.IsZero() {
				lo = all[0].Time
			}
			if hi.IsZero() {
				hi = last
			}
			if want := bruteForce(all, lo, hi.Add(time.Millisecond)).Count; want <= int64(q.Points) {
				if int64(len(s.Points)) != want || len(s.Buckets) != 0 {
					t.Fatalf("%d points in range, at most %d asked: got %d points, %d buckets", want, q.Points, len(s.Points), len(s.Buckets))
				}
				continue
			}
			if len(s.Buckets) == 0 || len(s.Buckets) > q.Points {
				t.Fatalf("%d buckets for at most %d (count %d)", len(s.Buckets), q.Points, s.Count)
			}
			var total int64
			for _, b := range s.Buckets {
				want := bruteForce(all, maxTime(b.Start, lo), minTime(b.End, hi.Add(time.Millisecond)))
				if b.Count != want.Count || b.Min != want.Min || b.Max != want.Max || b.Last != want.Last || math.Abs(b.Mean-want.Mean) > 1e-9 {
					t.Fatalf("points %d, bucket %v–%v: got %+v, want %+v", q.Points, b.Start, b.End, b, want)
				}
				total += b.Count
			}
			if want := bruteForce(all, lo, hi.Add(time.Millisecond)).Count; total != want || s.Count != want {
				t.Fatalf("points %d: buckets hold %d points (count %d), the range has %d", q.Points, total, s.Count, want)
			}
		}
	})
}

// bruteForce aggregates the points in [from, to); the last point is the
// greatest by time, then origin.
func bruteForce(points []assent.MetricPoint, from, to time.Time) assent.MetricBucket {
	var b assent.MetricBucket
	var lastT time.Time
	var lastO string
	var sum float64
	for _, p := range points {
		if p.Time.Before(from) || !p.Time.Before(to) {
			continue
		}
		if b.Count == 0 || p.Value < b.Min {
			b.Min = p.Value
		}
		if b.Count == 0 || p.Value > b.Max {
			b.Max = p.Value
		}
		if b.Count == 0 || p.Time.After(lastT) || (p.Time.Equal(lastT) && p.Origin > lastO) {
			b.Last, lastT, lastO = p.Value, p.Time, p.Origin
		}
		b.Count++
		sum += p.Value
	}
	if b.Count > 0 {
		b.Mean = sum / float64(b.Count)
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func findSeries(t testing.TB, m *sqldb.MetricService, q assent.MetricQuery) []*assent.MetricSeries {
	t.Helper()
	s, err := m.FindMetricSeries(member, q)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func names(list []*assent.MetricSeries) []string {
	var out []string
	for _, s := range list {
		out = append(out, s.Name)
	}
	return out
}

// TestMetricConcurrentIngest: calls that write one series at once, new or
// not, the same points or not, all succeed and none loses another's.
func TestMetricConcurrentIngest(t *testing.T) {
	sqldbtest.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		g := newGovernance(t, db)
		g.sync(t, assent.SyncBatch{Items: tutorialBatch})
		v2 := g.byKey(t, "GT.m1.v2")
		metrics := sqldb.NewMetricService(db)
		const writers, each = 4, 50
		errs := make(chan error, writers*2)
		var wg sync.WaitGroup
		for w := range writers {
			wg.Add(2)
			go func() { // its own points of one new series
				defer wg.Done()
				var pts []assent.MetricPoint
				for i := range each {
					pts = append(pts, assent.MetricPoint{Item: v2.ID, Name: "recall", Value: float64(i), Time: day0.Add(time.Duration(i*writers+w) * time.Minute)})
				}
				_, err := metrics.AddMetrics(member, pts)
				errs <- err
			}()
			go func() { // the same point as every other writer: a retry
				defer wg.Done()
				_, err := metrics.AddMetrics(member, []assent.MetricPoint{{Item: v2.ID, Name: "f1", Value: 0.5, Time: day0}})
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		recall := findSeries(t, metrics, assent.MetricQuery{Item: v2.ID, Name: "recall", Points: 1})[0]
		var total int64
		for _, b := range recall.Buckets {
			total += b.Count
		}
		last := day0.Add(time.Duration(each*writers-1) * time.Minute)
		if recall.Count != writers*each || total != writers*each || !recall.Latest.Time.Equal(last) {
			t.Fatalf("after %d concurrent writers: count %d, in buckets %d, latest %v; want %d and %v", writers, recall.Count, total, recall.Latest.Time, writers*each, last)
		}
		if f1 := findSeries(t, metrics, assent.MetricQuery{Item: v2.ID, Name: "f1"})[0]; f1.Count != 1 {
			t.Fatalf("the same point sent %d times at once: count %d", writers, f1.Count)
		}
	})
}

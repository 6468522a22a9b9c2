package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"assent"
	"assent/sqldb"
	"assent/sqldb/sqldbtest"
)

// BenchmarkMetricsIngest measures POST /api/v1/metrics through the real
// server over HTTP, one batch of 10,000 points at a time, in the shapes of
// sqldb's BenchmarkAddMetrics (which calls the store directly, so that the
// difference is the cost of HTTP and JSON): "series" is 10 versions ×
// 1,000 consecutive one-minute points of one metric, each batch continuing
// the last; "sparse" is one point for each of 10,000 versions whose series
// exist (an evaluation run over a fleet); "sparse-new" gives every batch a
// new metric name, so that each point creates its series.
func BenchmarkMetricsIngest(b *testing.B) {
	for _, dbName := range []string{"sqlite", "postgres"} {
		b.Run(dbName, func(b *testing.B) {
			dsn := ""
			if dbName == "sqlite" {
				dsn = sqldbtest.SQLiteURL(b)
			} else {
				dsn = sqldbtest.PostgresURL(b)
			}
			e := newEnv(b, dsn)
			versions := benchVersions(b, e.db, 100, 10, 10)
			post := metricPoster(b, e)
			body := &metricBody{}

			next := 0 // batches sent so far; the next continues from there
			b.Run("series", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					body.reset()
					for v := range 10 {
						for j := range 1000 {
							k := next*1000 + j
							body.add(versions[v], "auc", "", benchWave(k+v), benchStart.Add(time.Duration(k)*time.Minute))
						}
					}
					next++
					b.StartTimer()
					post(b, body)
				}
				b.ReportMetric(float64(b.N*assent.MaxMetricPoints)/b.Elapsed().Seconds(), "points/s")
			})

			run := 0
			sparse := func(name string) {
				body.reset()
				for v, id := range versions {
					body.add(id, name, "nightly", benchWave(run+v), benchStart.Add(time.Duration(run)*time.Hour))
				}
				run++
			}
			sparse("accuracy") // the fleet's first evaluation run creates the series
			post(b, body)
			b.Run("sparse", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					sparse("accuracy")
					b.StartTimer()
					post(b, body)
				}
				b.ReportMetric(float64(b.N*assent.MaxMetricPoints)/b.Elapsed().Seconds(), "points/s")
			})
			names := 0
			b.Run("sparse-new", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					names++
					sparse(fmt.Sprintf("custom:m%d", names))
					b.StartTimer()
					post(b, body)
				}
				b.ReportMetric(float64(b.N*assent.MaxMetricPoints)/b.Elapsed().Seconds(), "points/s")
			})
		})
	}
}

// benchStart is where the benchmark's series start, years behind the clock.
var benchStart = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

func benchWave(i int) float64 { return 0.8 + 0.1*math.Sin(float64(i)/977) }

// benchVersions syncs projects × models × versions model versions through
// the store and returns their ids.
func benchVersions(b *testing.B, db *sqldb.DB, projects, models, versions int) []string {
	ctx := assent.NewContextWithUser(context.Background(), assent.SystemUser("setup"))
	if _, _, err := sqldb.NewSourceService(db).PutSource(ctx, "dss", assent.SourceUpdate{}); err != nil {
		b.Fatal(err)
	}
	var items []assent.SyncItem
	for p := range projects {
		pk := fmt.Sprintf("P%04d", p)
		items = append(items, assent.SyncItem{Kind: "project", Key: pk, Name: "Project " + pk})
		for m := range models {
			mk := fmt.Sprintf("%s.m%02d", pk, m)
			items = append(items, assent.SyncItem{Kind: "model", Key: mk, Parent: pk, Name: "Model " + mk})
			for v := range versions {
				items = append(items, assent.SyncItem{Kind: "model_version", Key: fmt.Sprintf("%s.v%d", mk, v), Parent: mk, Name: fmt.Sprintf("v%d", v)})
			}
		}
	}
	governables := sqldb.NewGovernableService(db, sqldb.NewItemService(db))
	var ids []string
	for len(items) > 0 {
		n := min(5000, len(items))
		res, err := governables.Sync(ctx, "dss", assent.SyncBatch{Items: items[:n]})
		if err != nil {
			b.Fatal(err)
		}
		for _, ref := range res.Items {
			if strings.Contains(ref.Key, ".v") {
				ids = append(ids, ref.ID)
			}
		}
		items = items[n:]
	}
	return ids
}

// metricBody is the JSON of a POST /api/v1/metrics, written by hand so
// that building it costs the benchmark little.
type metricBody struct {
	buf bytes.Buffer
	n   int
}

func (m *metricBody) reset() {
	m.buf.Reset()
	m.buf.WriteString(`{"points":[`)
	m.n = 0
}

func (m *metricBody) add(item, name, origin string, value float64, t time.Time) {
	if m.n > 0 {
		m.buf.WriteByte(',')
	}
	m.n++
	b := m.buf.AvailableBuffer()
	b = append(b, `{"item":"`...)
	b = append(b, item...)
	b = append(b, `","name":"`...)
	b = append(b, name...)
	b = append(b, `","value":`...)
	b = strconv.AppendFloat(b, value, 'g', -1, 64)
	b = append(b, `,"time":"`...)
	b = t.AppendFormat(b, time.RFC3339)
	b = append(b, '"')
	if origin != "" {
		b = append(b, `,"origin":"`...)
		b = append(b, origin...)
		b = append(b, '"')
	}
	b = append(b, '}')
	m.buf.Write(b)
}

// metricPoster returns a function that sends a body as the member and
// fails unless every point was added.
func metricPoster(b *testing.B, e *env) func(*testing.B, *metricBody) {
	client := &http.Client{}
	want := fmt.Sprintf(`"added":%d`, assent.MaxMetricPoints)
	return func(b *testing.B, m *metricBody) {
		data := append(m.buf.Bytes(), "]}"...)
		req, err := http.NewRequest("POST", e.srv.URL+"/api/v1/metrics", bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+e.tokens[member])
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.Contains(out, []byte(want)) {
			b.Fatalf("status %d: %.300s", resp.StatusCode, out)
		}
	}
}

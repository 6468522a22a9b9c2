package assent

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"
)

// Metric limits: a call or a sync batch carries at most MaxMetricPoints
// points; a series read gives at most MaxMetricBuckets buckets, and
// DefaultMetricBuckets when the caller does not say.
const (
	MaxMetricPoints      = 10000
	MaxMetricBuckets     = 10000
	DefaultMetricBuckets = 500
	// MetricFutureLimit is how far ahead of the server's clock a point's
	// time may be; beyond it the clock of the sender is wrong.
	MetricFutureLimit = 24 * time.Hour
)

// The kinds of metrics.
const (
	MetricPerformance = "performance"
	MetricDrift       = "drift"
)

// OriginTraining is the origin of a value measured when the version was
// trained; any other origin names an evaluation.
const OriginTraining = "training"

// DefaultOrigin is the origin of a point sent without one.
const DefaultOrigin = "evaluation"

// MetricPoint is one value of a metric of a model version. A point is
// identified by item, name, origin and time: sending it again changes
// nothing, and sending it with another value corrects it.
type MetricPoint struct {
	// Item is the model version's governable id. In a sync batch Key
	// names the version by its key in the source instead.
	Item   string    `json:"item,omitempty"`
	Key    string    `json:"key,omitempty"`
	Name   string    `json:"name"`
	Kind   string    `json:"kind,omitempty"` // from the catalog when empty
	Value  float64   `json:"value"`
	Time   time.Time `json:"time"`
	Origin string    `json:"origin,omitempty"`
	// unread names the field that JSON decoding could not read.
	unread string
}

// MetricResult counts what an ingest did.
type MetricResult struct {
	Added     int `json:"added"`
	Corrected int `json:"corrected"`
	Unchanged int `json:"unchanged"`
}

// MetricInfo describes a metric: its label and whether higher values are
// better ("higher"), worse ("lower") or unknown ("").
type MetricInfo struct {
	Name      string `json:"name"`
	Label     string `json:"label"`
	Kind      string `json:"kind"`
	Direction string `json:"direction,omitempty"`
}

// MetricCatalog is the known metrics, in the order pages offer them.
// Names outside it are kept and shown as sent.
var MetricCatalog = []MetricInfo{
	{"auc", "ROC AUC", MetricPerformance, "higher"},
	{"accuracy", "Accuracy", MetricPerformance, "higher"},
	{"precision", "Precision", MetricPerformance, "higher"},
	{"recall", "Recall", MetricPerformance, "higher"},
	{"f1", "F1 score", MetricPerformance, "higher"},
	{"log_loss", "Log loss", MetricPerformance, "lower"},
	{"mae", "Mean absolute error", MetricPerformance, "lower"},
	{"rmse", "Root mean squared error", MetricPerformance, "lower"},
	{"r2", "R²", MetricPerformance, "higher"},
	{"data_drift", "Data drift", MetricDrift, "lower"},
	{"prediction_drift", "Prediction drift", MetricDrift, "lower"},
}

// DefaultFocusMetric is the registry's metric to focus when none is chosen.
const DefaultFocusMetric = "auc"

// LookupMetric describes name: from the catalog, or as sent with kind.
func LookupMetric(name, kind string) MetricInfo {
	for _, m := range MetricCatalog {
		if m.Name == name {
			return m
		}
	}
	if kind == "" {
		kind = MetricPerformance
	}
	return MetricInfo{Name: name, Label: name, Kind: kind}
}

// MetricQuery selects the series of one model version.
type MetricQuery struct {
	Item string // governable id
	Name string // one metric; all of the item's when empty
	// From and To bound the times, both included; zero means the series'
	// first and last point.
	From, To time.Time
	// Points is the most buckets a series may come back in; a longer
	// series is downsampled. 0 means DefaultMetricBuckets.
	Points int
}

// MetricValue is one value in time.
type MetricValue struct {
	Time   time.Time `json:"time"`
	Value  float64   `json:"value"`
	Origin string    `json:"origin,omitempty"`
}

// MetricBucket aggregates the points whose time is in [Start, End).
type MetricBucket struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Count int64     `json:"count"`
	Min   float64   `json:"min"`
	Max   float64   `json:"max"`
	Mean  float64   `json:"mean"`
	Last  float64   `json:"last"`
}

// MetricSeries is a metric of a model version over time. Points holds the
// points when there are at most the asked number, Buckets otherwise.
type MetricSeries struct {
	MetricInfo
	Item string `json:"item"`
	// Count is the number of points between From and To.
	Count int64 `json:"count"`
	// Training is the latest training value, Latest the latest point of
	// any origin, LatestEvaluation the latest point of an evaluation.
	Training         *MetricValue `json:"training"`
	Latest           *MetricValue `json:"latest"`
	LatestEvaluation *MetricValue `json:"latest_evaluation"`
	// Drift is the latest evaluation minus the training value.
	Drift   *float64       `json:"drift"`
	Points  []MetricValue  `json:"points,omitempty"`
	Buckets []MetricBucket `json:"buckets,omitempty"`
}

// MetricSummary is what a registry row shows of a version's metric to
// focus: the latest value, its drift, and the latest data drift.
type MetricSummary struct {
	Name      string       `json:"name"`
	Label     string       `json:"label"`
	Latest    *MetricValue `json:"latest"`
	Training  *float64     `json:"training"`
	Drift     *float64     `json:"drift"`
	DataDrift *MetricValue `json:"data_drift"`
}

// MetricService keeps metric points and reads them as series.
type MetricService interface {
	// AddMetrics stores points in one transaction: all or nothing.
	// Members. EINVALID naming points[i] for each bad point; ETOOLARGE
	// over MaxMetricPoints.
	AddMetrics(ctx context.Context, points []MetricPoint) (*MetricResult, error)

	// FindMetricSeries reads the series of a model version. Viewers.
	// ENOTFOUND for an unknown item; EINVALID for a bad range or count.
	FindMetricSeries(ctx context.Context, q MetricQuery) ([]*MetricSeries, error)

	// FindMetricNames lists the catalog followed by the other names that
	// points use, for choosing a metric to focus. Viewers.
	FindMetricNames(ctx context.Context) ([]MetricInfo, error)
}

// UnmarshalJSON reads a point, keeping what it cannot read for the check
// to name (points[i].value, points[i].time) instead of failing the whole
// body.
func (p *MetricPoint) UnmarshalJSON(b []byte) error {
	var wire MetricPointJSON
	if err := json.Unmarshal(b, &wire); err != nil {
		return err
	}
	*p = wire.Point()
	return nil
}

// MetricPointJSON is a point as JSON carries it, its value and time still
// raw: decoding a list of them into this type reads the JSON once.
type MetricPointJSON struct {
	Item   string          `json:"item,omitempty"`
	Key    string          `json:"key,omitempty"`
	Name   string          `json:"name"`
	Kind   string          `json:"kind,omitempty"`
	Value  json.RawMessage `json:"value"`
	Time   json.RawMessage `json:"time"`
	Origin string          `json:"origin,omitempty"`
}

// Point reads the value and time, remembering which could not be read
// (missing, not a number, not RFC 3339) for CheckMetricPoints to name; a
// number too large for a float64 becomes an infinity, which it refuses.
func (w *MetricPointJSON) Point() MetricPoint {
	p := MetricPoint{Item: w.Item, Key: w.Key, Name: w.Name, Kind: w.Kind, Origin: w.Origin}
	switch raw := string(w.Value); {
	case raw == "" || raw == "null" || raw[0] == '"' || raw[0] == '{' || raw[0] == '[' || raw == "true" || raw == "false":
		p.unread = "value"
	default:
		v, err := strconv.ParseFloat(raw, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			p.unread = "value"
		}
		p.Value = v
	}
	if raw := string(w.Time); raw != "" && raw != "null" && p.unread == "" {
		t, err := strconv.Unquote(raw)
		if err == nil {
			p.Time, err = time.Parse(time.RFC3339Nano, t)
		}
		if err != nil {
			p.unread = "time"
		}
	}
	return p
}

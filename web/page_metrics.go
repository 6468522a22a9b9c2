package web

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"assent"
)

// metricChartPoints is how many points a chart draws of a series at most;
// a longer series comes back downsampled into buckets.
const metricChartPoints = 200

// metricsView is the Model metrics tab of one model version: a chart and
// a line of the summary table per series, then the drift chart.
type metricsView struct {
	Item   *assent.GovernableItem
	Focus  assent.MetricInfo
	Series []*metricSeriesView
	// Drift draws the focus metric's drift and the data drift over time;
	// nil when the version has neither.
	Drift *chartData
}

// metricSeriesView is one series as the tab shows it.
type metricSeriesView struct {
	*assent.MetricSeries
	Figures     metricFigures
	Chart       chartData
	Downsampled bool
	Points      int64 // how many points the series holds
}

// chartData is what web/static/metrics.js draws, handed over as JSON in
// the page, since scripts in the page itself may not run.
type chartData struct {
	Title string      `json:"title"`
	Lines []chartLine `json:"lines"`
	// Band is the range of each bucket of a downsampled series.
	Band []chartBand `json:"band,omitempty"`
	// Reference is drawn as a dashed horizontal line: the training value.
	Reference *chartReference `json:"reference,omitempty"`
}

type chartLine struct {
	Label string `json:"label"`
	// Axis is "y", or "y2" for a second scale on the right.
	Axis   string       `json:"axis"`
	Points []chartPoint `json:"points"`
}

type chartPoint struct {
	X int64   `json:"x"` // Unix milliseconds
	Y float64 `json:"y"`
}

type chartBand struct {
	X   int64   `json:"x"`
	Min float64 `json:"min"`
	Max float64 `json:"max"`
}

type chartReference struct {
	Label string  `json:"label"`
	Value float64 `json:"value"`
}

// metricFigures are a metric's numbers as text: the latest value, the
// training value and the drift between the latest evaluation and training.
type metricFigures struct {
	Latest, Training, Drift string
	LatestTime              time.Time
	LatestDate              string // the day of LatestTime, UTC
	// Degraded says the drift goes the wrong way for the metric's
	// direction; Improved the right way.
	Degraded, Improved bool
}

// newMetricFigures formats what a summary knows, for info's direction.
func newMetricFigures(info assent.MetricInfo, latest *assent.MetricValue, training, drift *float64) metricFigures {
	var f metricFigures
	ref := 0.0
	if training != nil {
		ref = *training
		f.Training = formatMetric(*training, ref)
	} else if latest != nil {
		ref = latest.Value
	}
	if latest != nil {
		f.Latest, f.LatestTime, f.LatestDate = formatMetric(latest.Value, ref), latest.Time, latest.Time.UTC().Format(time.DateOnly)
	}
	if drift != nil {
		f.Drift = formatDrift(*drift, ref)
		// A drift too small to show is no drift.
		if strings.Trim(f.Drift, "+−0.") != "" {
			worse := (info.Direction == "higher" && *drift < 0) || (info.Direction == "lower" && *drift > 0)
			better := (info.Direction == "higher" && *drift > 0) || (info.Direction == "lower" && *drift < 0)
			f.Degraded, f.Improved = worse, better
		}
	}
	return f
}

// metricDecimals is how many decimals suit values of the size of ref:
// three for scores and rates, fewer for errors in the tens or thousands.
func metricDecimals(ref float64) int {
	switch a := math.Abs(ref); {
	case a >= 1000:
		return 0
	case a >= 10:
		return 1
	}
	return 3
}

// formatMetric writes v with the decimals that suit ref.
func formatMetric(v, ref float64) string {
	return strings.Replace(fmt.Sprintf("%.*f", metricDecimals(ref), v), "-", "−", 1)
}

// formatDrift writes a drift with its sign, "+0.012" or "−0.062".
func formatDrift(d, ref float64) string {
	s := fmt.Sprintf("%+.*f", metricDecimals(ref), d)
	return strings.Replace(s, "-", "−", 1)
}

// loadMetricsView reads the series of a model version for its tab; focus
// is the metric whose drift the drift chart shows.
func (s *Server) loadMetricsView(ctx context.Context, g *assent.GovernableItem, focus string) (*metricsView, error) {
	series, err := s.Metrics.FindMetricSeries(ctx, assent.MetricQuery{Item: g.ID, Points: metricChartPoints})
	if err != nil {
		return nil, err
	}
	v := &metricsView{Item: g, Focus: assent.LookupMetric(focus, "")}
	var focusSeries, dataDrift *assent.MetricSeries
	for _, ms := range series {
		v.Series = append(v.Series, newMetricSeriesView(ms))
		switch ms.Name {
		case focus:
			focusSeries = ms
		case "data_drift":
			dataDrift = ms
		}
	}
	v.Drift = driftChart(v.Focus, focusSeries, dataDrift)
	return v, nil
}

func newMetricSeriesView(ms *assent.MetricSeries) *metricSeriesView {
	var training *float64
	if ms.Training != nil {
		training = &ms.Training.Value
	}
	sv := &metricSeriesView{MetricSeries: ms, Figures: newMetricFigures(ms.MetricInfo, ms.Latest, training, ms.Drift),
		Downsampled: len(ms.Buckets) > 0, Points: ms.Count}
	line := chartLine{Label: ms.Label, Axis: "y"}
	for _, p := range ms.Points {
		line.Points = append(line.Points, chartPoint{p.Time.UnixMilli(), p.Value})
	}
	for _, b := range ms.Buckets {
		mid := b.Start.Add(b.End.Sub(b.Start) / 2).UnixMilli()
		line.Points = append(line.Points, chartPoint{mid, b.Mean})
		sv.Chart.Band = append(sv.Chart.Band, chartBand{mid, b.Min, b.Max})
	}
	if sv.Points == 0 {
		sv.Points = int64(len(ms.Points))
	}
	if sv.Downsampled {
		line.Label += " (mean of each period)"
	}
	sv.Chart.Title, sv.Chart.Lines = ms.Label, []chartLine{line}
	if training != nil {
		sv.Chart.Reference = &chartReference{Label: "Training value", Value: *training}
	}
	return sv
}

// driftChart draws the focus metric's evaluations minus its training
// value, and the data drift on a scale of its own; nil when there is
// neither.
func driftChart(focus assent.MetricInfo, fs, dd *assent.MetricSeries) *chartData {
	c := &chartData{Title: "Drift"}
	if fs != nil && fs.Training != nil {
		line := chartLine{Label: focus.Label + " drift (evaluation − training)", Axis: "y"}
		base := fs.Training.Value
		for _, p := range fs.Points {
			if p.Origin != assent.OriginTraining {
				line.Points = append(line.Points, chartPoint{p.Time.UnixMilli(), p.Value - base})
			}
		}
		for _, b := range fs.Buckets {
			line.Points = append(line.Points, chartPoint{b.Start.Add(b.End.Sub(b.Start) / 2).UnixMilli(), b.Mean - base})
		}
		if len(line.Points) > 0 {
			c.Lines = append(c.Lines, line)
			c.Reference = &chartReference{Label: "No drift", Value: 0}
		}
	}
	if dd != nil {
		line := chartLine{Label: dd.Label, Axis: "y2"}
		if len(c.Lines) == 0 {
			line.Axis = "y"
		}
		for _, p := range dd.Points {
			line.Points = append(line.Points, chartPoint{p.Time.UnixMilli(), p.Value})
		}
		for _, b := range dd.Buckets {
			line.Points = append(line.Points, chartPoint{b.Start.Add(b.End.Sub(b.Start) / 2).UnixMilli(), b.Mean})
		}
		c.Lines = append(c.Lines, line)
	}
	if len(c.Lines) == 0 {
		return nil
	}
	return c
}

// focusChoice is the metric to focus of a registry, with the choices.
type focusChoice struct {
	assent.MetricInfo
	Options []assent.MetricInfo
}

// chooseFocus reads the metrics to choose from and keeps name when it is
// one of them, else the default.
func (s *Server) chooseFocus(ctx context.Context, name string) (*focusChoice, error) {
	names, err := s.Metrics.FindMetricNames(ctx)
	if err != nil {
		return nil, err
	}
	c := &focusChoice{MetricInfo: assent.LookupMetric(assent.DefaultFocusMetric, ""), Options: names}
	for _, m := range names {
		if m.Name == name {
			c.MetricInfo = m
		}
	}
	return c, nil
}

// focusCells are what a registry row of a model version shows of its
// metrics: the focus metric's latest value and drift, the data drift.
type focusCells struct {
	metricFigures
	Label         string // the focus metric's
	DataDrift     string
	DataDriftTime time.Time
}

// newFocusCells formats a version's summary; nil when it has none.
func newFocusCells(sum *assent.MetricSummary, info assent.MetricInfo) *focusCells {
	if sum == nil {
		return nil
	}
	c := &focusCells{metricFigures: newMetricFigures(info, sum.Latest, sum.Training, sum.Drift), Label: info.Label}
	if dd := sum.DataDrift; dd != nil {
		c.DataDrift, c.DataDriftTime = formatMetric(dd.Value, dd.Value), dd.Time
	}
	return c
}

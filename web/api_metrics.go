package web

import (
	"context"
	"reflect"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"assent"
)

func (s *Server) metricRoutes(api huma.API) {
	// The body is checked by the service, which names each bad point; huma's
	// own check would refuse a number too large for a float64 as malformed.
	huma.Register(api, huma.Operation{OperationID: "addMetrics", Method: "POST", Path: "/metrics",
		Summary:      "Store metric points of model versions, all or nothing (re-sending a point changes nothing)",
		MaxBodyBytes: syncBody, SkipValidateBody: true, Security: []map[string][]string{{"bearer": {}}}}, s.handleMetricsAdd)
	register(api, "GET", "/metrics/catalog", "metricCatalog", "The known metrics and the other names in use", 0, s.handleMetricCatalog)
	register(api, "GET", "/governable-items/{id}/metrics", "itemMetrics", "A model version's metrics over time, downsampled when long", 0, s.handleItemMetrics)
}

type metricsAddInput struct {
	Body struct {
		Points []metricPointInput `json:"points" doc:"At most 10,000 points. A point is identified by item, name, origin and time."`
	}
}

// metricPointInput is read in one pass with the body; the documentation
// shows it as the point it is.
type metricPointInput struct{ assent.MetricPointJSON }

func (metricPointInput) Schema(r huma.Registry) *huma.Schema {
	return r.Schema(reflect.TypeFor[assent.MetricPoint](), true, "MetricPoint")
}

type metricsAddOutput struct {
	Body *assent.MetricResult
}

// handleMetricsAdd stores points.
func (s *Server) handleMetricsAdd(ctx context.Context, in *metricsAddInput) (*metricsAddOutput, error) {
	points := make([]assent.MetricPoint, len(in.Body.Points))
	for i := range in.Body.Points {
		points[i] = in.Body.Points[i].Point()
	}
	res, err := s.Metrics.AddMetrics(ctx, points)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	return &metricsAddOutput{Body: res}, nil
}

type metricCatalogOutput struct {
	Body struct {
		Items []assent.MetricInfo `json:"items"`
	}
}

// handleMetricCatalog lists the metrics to choose from.
func (s *Server) handleMetricCatalog(ctx context.Context, _ *struct{}) (*metricCatalogOutput, error) {
	list, err := s.Metrics.FindMetricNames(ctx)
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	out := &metricCatalogOutput{}
	out.Body.Items = list
	return out, nil
}

type itemMetricsInput struct {
	ID     string    `path:"id"`
	Name   string    `query:"name" doc:"One metric; every metric of the item when empty."`
	From   time.Time `query:"from" doc:"First time included (RFC 3339); the series' first point when empty."`
	To     time.Time `query:"to" doc:"Last time included (RFC 3339); the series' last point when empty."`
	Points int       `query:"points" minimum:"1" maximum:"10000" doc:"At most this many buckets (1 to 10,000; 500 when empty). A longer series comes back as buckets with min, max, mean and last."`
}

type itemMetricsOutput struct {
	Body struct {
		Item   string                 `json:"item"`
		Series []*assent.MetricSeries `json:"series"`
	}
}

// handleItemMetrics reads a model version's series.
func (s *Server) handleItemMetrics(ctx context.Context, in *itemMetricsInput) (*itemMetricsOutput, error) {
	series, err := s.Metrics.FindMetricSeries(ctx, assent.MetricQuery{Item: in.ID, Name: in.Name, From: in.From, To: in.To, Points: in.Points})
	if err != nil {
		return nil, s.apiError(ctx, err)
	}
	out := &itemMetricsOutput{}
	out.Body.Item, out.Body.Series = in.ID, series
	return out, nil
}

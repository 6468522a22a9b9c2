package assent

import (
	"fmt"
	"math"
	"strings"
	"time"
	"unicode"
)

// CheckMetricPoints checks what needs no database and fills the default
// origin. (The kind, when left out, is the stored series' or the
// catalog's: the store fills it.) at is the list's location ("points" or
// "metrics"); inBatch says the points name versions by key. Each bad point
// is named once, by its first problem.
func CheckMetricPoints(points []MetricPoint, at string, inBatch bool, now time.Time) (p Problems) {
	latest := now.Add(MetricFutureLimit)
	for i := range points {
		pt := &points[i]
		loc := fmt.Sprintf("%s[%d]", at, i)
		switch {
		case inBatch && pt.Key == "":
			p.Add(loc+".key", "is required: the key of a model version in this source")
		case !inBatch && pt.Item == "":
			p.Add(loc+".item", "is required: the governable id of a model version")
		case pt.unread == "value":
			p.Add(loc+".value", "is required, a number")
		case pt.unread == "time":
			p.Add(loc+".time", "must be an RFC 3339 time such as 2026-11-01T00:00:00Z")
		case !validMetricName(pt.Name):
			p.Add(loc+".name", "must be 1 to 100 characters without spaces or control characters")
		case pt.Kind != "" && pt.Kind != MetricPerformance && pt.Kind != MetricDrift:
			p.Add(loc+".kind", "must be performance or drift")
		case math.IsNaN(pt.Value) || math.IsInf(pt.Value, 0):
			p.Add(loc+".value", "must be a finite number")
		case pt.Time.IsZero():
			p.Add(loc+".time", "is required (RFC 3339, such as 2026-11-01T00:00:00Z)")
		case pt.Time.After(latest):
			p.Add(loc+".time", "is more than a day ahead of the server's clock (%s)", now.UTC().Format(time.RFC3339))
		case pt.Time.UnixMilli() < 0:
			p.Add(loc+".time", "must be after 1970")
		case len(pt.Origin) > 200:
			p.Add(loc+".origin", "must be at most 200 characters")
		default:
			if pt.Origin == "" {
				pt.Origin = DefaultOrigin
			}
			pt.Time = pt.Time.UTC().Truncate(time.Millisecond)
		}
	}
	return p
}

func validMetricName(name string) bool {
	if name == "" || len(name) > 100 {
		return false
	}
	return !strings.ContainsFunc(name, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) })
}

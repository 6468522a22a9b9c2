package sqldb

import (
	"context"

	"assent"
)

// focus reads each version's metric to focus and latest data drift, from
// the series rows that ingest keeps up to date.
func (s *RegistryService) focus(ctx context.Context, versions []*assent.GovernableItem, name string) (map[string]*assent.MetricSummary, error) {
	if name == "" {
		name = assent.DefaultFocusMetric
	}
	out := map[string]*assent.MetricSummary{}
	if len(versions) == 0 {
		return out, nil
	}
	ids := make([]string, len(versions))
	for i, v := range versions {
		ids[i] = v.ID
	}
	d := s.db.dialect
	list, err := querySeries(ctx, s.db.read, `WHERE `+d.inList("item_id", 1)+` AND name IN ($2, 'data_drift')`, d.listArg(ids), name)
	if err != nil {
		return nil, err
	}
	info := assent.LookupMetric(name, "")
	get := func(item string) *assent.MetricSummary {
		if out[item] == nil {
			out[item] = &assent.MetricSummary{Name: name, Label: info.Label}
		}
		return out[item]
	}
	for _, sr := range list {
		sum := get(sr.item)
		if sr.name == "data_drift" {
			sum.DataDrift = sr.last.valuePtr()
		}
		if sr.name != name {
			continue
		}
		sum.Latest = sr.last.valuePtr()
		if sr.training != nil {
			sum.Training = &sr.training.value
			if sr.eval != nil {
				drift := sr.eval.value - sr.training.value
				sum.Drift = &drift
			}
		}
	}
	return out, nil
}

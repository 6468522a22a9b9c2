package assent_test

import (
	"testing"

	"assent"
)

func TestObjectURL(t *testing.T) {
	parent := "CHURN.m"
	v := &assent.GovernableItem{Kind: "model_version", Key: "CHURN.m/v 2", ParentKey: &parent, Attributes: map[string]any{"version": 2}}
	for _, tc := range []struct{ template, want string }{
		{"", ""},
		{"https://dss.example.com/projects/{project_key}/", "https://dss.example.com/projects/CHURN/"},
		{"https://x/{kind}/{parent_key}/{key}?v={attributes.version}&n={attributes.none}", "https://x/model_version/CHURN.m/CHURN.m%2Fv%202?v=2&n="},
		{"https://x/{unknown}/{key", "https://x//{key"},
	} {
		if got := assent.ObjectURL(tc.template, v, "CHURN"); got != tc.want {
			t.Errorf("ObjectURL(%q) = %q, want %q", tc.template, got, tc.want)
		}
	}
}

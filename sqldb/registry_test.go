package sqldb_test

import (
	"testing"

	"assent"
	"assent/sqldb"
	"assent/sqldb/sqldbtest"
)

func TestRegistries(t *testing.T) {
	sqldbtest.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		g := newGovernance(t, db)
		g.sync(t, assent.SyncBatch{Items: append(tutorialBatch,
			assent.SyncItem{Kind: "project", Key: "AA", Name: "Alpha"},
			assent.SyncItem{Kind: "model", Key: "AA.m", Parent: "AA", Name: "Zeta model"},
			assent.SyncItem{Kind: "model", Key: "AA.h", Parent: "AA", Name: "Hidden model"},
		)})
		if _, err := g.governables.HideItem(member, g.byKey(t, "AA.h").ID, true); err != nil {
			t.Fatal(err)
		}
		if _, err := g.governables.GovernItem(member, g.byKey(t, "GT.m1.v2").ID, assent.GovernRequest{GovernParents: true}); err != nil {
			t.Fatal(err)
		}

		models, next, err := g.registry.FindModels(member, assent.RegistryFilter{Limit: 1})
		if err != nil || len(models) != 1 || next == "" {
			t.Fatalf("first page %v, %q, %v", models, next, err)
		}
		if m := models[0]; m.Project.Governable.Name != "Alpha" || m.Model.Governable.Name != "Zeta model" || m.Model.Governed != nil || len(m.Versions) != 0 {
			t.Fatalf("first row %+v", m)
		}
		models, next, err = g.registry.FindModels(member, assent.RegistryFilter{Limit: 1, Cursor: next})
		if err != nil || len(models) != 1 || next != "" {
			t.Fatalf("second page %v, %q, %v", models, next, err)
		}
		m := models[0]
		if m.Project.Governed == nil || m.Model.Governed == nil || len(m.Versions) != 2 {
			t.Fatalf("tutorial model %+v", m)
		}
		v2, v1 := m.Versions[0], m.Versions[1]
		if v2.Governable.Name != "Random forest (s1) - v2" || v2.Governed == nil || v1.Governed != nil {
			t.Fatalf("versions newest first, v2 governed: %+v %+v", v2, v1)
		}
		if s := v2.Governed; s.Template.ID != "standard-model-version" || s.CurrentStep != "development" || s.GatingStep != "review" || s.GatingStatus != assent.StepNotStarted {
			t.Fatalf("summary %+v", s)
		}
		found, _, _ := g.registry.FindModels(member, assent.RegistryFilter{Q: "tutorial"})
		if len(found) != 1 || found[0].Model.Governable.Key != "GT.m1" {
			t.Fatalf("search by project name: %v", found)
		}
		hidden, _, _ := g.registry.FindModels(member, assent.RegistryFilter{IncludeHidden: true})
		if len(hidden) != 3 {
			t.Fatalf("with hidden: %d models", len(hidden))
		}
		if s := v2.Governed.SignoffState; s != "NOT_STARTED" {
			t.Fatalf("gating sign-off state %q", s)
		}
		for state, want := range map[string]int{"NOT_STARTED": 1, "APPROVED": 0} {
			found, _, err := g.registry.FindModels(member, assent.RegistryFilter{Signoff: state})
			if err != nil || len(found) != want || (want == 1 && len(found[0].Versions) != 1) {
				t.Fatalf("models with a %s version: %+v, %v", state, found, err)
			}
		}
		bundles, _, err := g.registry.FindBundles(member, assent.RegistryFilter{})
		if err != nil || len(bundles) != 2 || bundles[0].Bundle.Governable.Name != "v1" || bundles[0].Project.Governed == nil {
			t.Fatalf("bundles %+v, %v", bundles, err)
		}
	})
}

package sqldb_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"assent"
	"assent/sqldb"
	"assent/sqldb/sqldbtest"
)

func TestGovern(t *testing.T) {
	sqldbtest.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		g := newGovernance(t, db)
		g.sync(t, assent.SyncBatch{Items: tutorialBatch})
		project, model, v1 := g.byKey(t, "GT"), g.byKey(t, "GT.m1"), g.byKey(t, "GT.m1.v1")

		t.Run("ErrParentNotGoverned", func(t *testing.T) {
			_, err := g.governables.GovernItem(member, v1.ID, assent.GovernRequest{})
			wantCode(t, err, assent.ECONFLICT)
			if msg := assent.ErrorMessage(err); !strings.Contains(msg, `model "Predict authorized_flag (binary)"`) || !strings.Contains(msg, `project "Govern Tutorial"`) {
				t.Fatalf("message %q does not name the parent", msg)
			}
		})
		t.Run("ErrWrongTypeTemplate", func(t *testing.T) {
			_, err := g.governables.GovernItem(member, project.ID, assent.GovernRequest{Template: "standard-model"})
			wantCode(t, err, assent.EINVALID)
			if d := err.(*assent.Error).Details; len(d) != 1 || d[0].Location != "template" {
				t.Fatalf("details %v", d)
			}
		})
		t.Run("ErrArchivedTemplate", func(t *testing.T) {
			ts := sqldb.NewTemplateService(db)
			if _, err := ts.AddTemplateVersion(admin, &assent.Template{ID: "old-project", Name: "Old", ItemType: "project"}, assent.TemplateActive); err != nil {
				t.Fatal(err)
			}
			if _, err := ts.SetTemplateVersionStatus(admin, "old-project", 1, assent.TemplateArchived); err != nil {
				t.Fatal(err)
			}
			_, err := g.governables.GovernItem(member, project.ID, assent.GovernRequest{Template: "old-project"})
			wantCode(t, err, assent.EINVALID)
		})
		t.Run("ErrViewer", func(t *testing.T) {
			_, err := g.governables.GovernItem(as("vic", assent.RoleViewer), project.ID, assent.GovernRequest{})
			wantCode(t, err, assent.EFORBIDDEN)
		})
		var projectItem *assent.Item
		t.Run("ProjectWithoutItsBundles", func(t *testing.T) {
			res, err := g.governables.GovernItem(member, project.ID, assent.GovernRequest{Template: "standard-project"})
			if err != nil {
				t.Fatal(err)
			}
			projectItem = res.Item
			if projectItem.Type != "project" || projectItem.Name != "Govern Tutorial" || !cmp.Equal(projectItem.GovernableItems, []string{project.ID}) {
				t.Fatalf("governed project %+v", projectItem)
			}
			got := g.statuses(t, "GT", "GT.b1", "GT.b2", "GT.m1")
			want := map[string]string{"GT": "governed", "GT.b1": "governable", "GT.b2": "governable", "GT.m1": "governable"}
			if !cmp.Equal(got, want) {
				t.Fatal(cmp.Diff(want, got))
			}
			if g.byKey(t, "GT").GovernedItem == nil || *g.byKey(t, "GT").GovernedItem != projectItem.ID {
				t.Fatal("the source object does not name its governed item")
			}
		})
		t.Run("ErrAlreadyGoverned", func(t *testing.T) {
			_, err := g.governables.GovernItem(member, project.ID, assent.GovernRequest{})
			wantCode(t, err, assent.ECONFLICT)
		})
		t.Run("ModelWithAllItsVersions", func(t *testing.T) {
			res, err := g.governables.GovernItem(member, model.ID, assent.GovernRequest{GovernChildren: true})
			if err != nil {
				t.Fatal(err)
			}
			if res.Item.Parent == nil || *res.Item.Parent != projectItem.ID || len(res.Governed) != 3 {
				t.Fatalf("model %+v governed %v", res.Item, res.Governed)
			}
			versions, _, err := g.items.FindItems(member, assent.ItemFilter{Parent: res.Item.ID})
			if err != nil || len(versions) != 2 || versions[0].Name != "Random forest (s1) - v1" || versions[0].Template.ID != "standard-model-version" {
				t.Fatalf("versions %v, %v", versions, err)
			}
		})
		t.Run("ErrUngovernWithGovernedChildren", func(t *testing.T) {
			_, err := g.governables.UngovernItem(member, model.ID)
			wantCode(t, err, assent.ECONFLICT)
			if !strings.Contains(assent.ErrorMessage(err), "Random forest") {
				t.Fatalf("message %q does not name the child", assent.ErrorMessage(err))
			}
		})
		t.Run("UngovernArchivesTheItem", func(t *testing.T) {
			itemID := *g.byKey(t, "GT.m1.v1").GovernedItem
			got, err := g.governables.UngovernItem(member, v1.ID)
			if err != nil || got.Status != "governable" || got.GovernedItem != nil {
				t.Fatalf("ungoverned %+v, %v", got, err)
			}
			it, _ := g.items.FindItem(member, itemID)
			if !it.Archived || len(it.GovernableItems) != 0 {
				t.Fatalf("item after ungovern %+v", it)
			}
			// And it can be governed again, as a new item.
			res, err := g.governables.GovernItem(member, v1.ID, assent.GovernRequest{})
			if err != nil || res.Item.ID == itemID {
				t.Fatalf("governed again: %+v, %v", res, err)
			}
		})
	})
}

func TestGovernParentsAttachAndInitiative(t *testing.T) {
	sqldbtest.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		g := newGovernance(t, db)
		g.sync(t, assent.SyncBatch{Items: append(tutorialBatch, assent.SyncItem{Kind: "project", Key: "GT2", Name: "Govern Tutorial copy"})})
		initiative, err := g.items.CreateItem(member, assent.NewItem{Template: assent.TemplateRef{ID: "standard-business-initiative"}, Name: "Fraud"})
		if err != nil {
			t.Fatal(err)
		}

		res, err := g.governables.GovernItem(member, g.byKey(t, "GT.m1.v2").ID, assent.GovernRequest{GovernParents: true})
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{g.byKey(t, "GT.m1.v2").ID, g.byKey(t, "GT").ID, g.byKey(t, "GT.m1").ID}; !cmp.Equal(res.Governed, want) {
			t.Fatalf("governed %v, want the version then its parents from the top %v", res.Governed, want)
		}
		if got := g.statuses(t, "GT", "GT.m1", "GT.m1.v1", "GT.m1.v2"); got["GT"] != "governed" || got["GT.m1"] != "governed" || got["GT.m1.v1"] != "governable" {
			t.Fatalf("statuses %v", got)
		}
		projectItem := *g.byKey(t, "GT").GovernedItem

		t.Run("AttachToAnExistingProject", func(t *testing.T) {
			res, err := g.governables.GovernItem(member, g.byKey(t, "GT2").ID, assent.GovernRequest{AttachTo: projectItem})
			if err != nil {
				t.Fatal(err)
			}
			if res.Item.ID != projectItem || len(res.Item.GovernableItems) != 2 {
				t.Fatalf("attached: %+v", res.Item)
			}
			// Ungoverning one of two keeps the shared item.
			if _, err := g.governables.UngovernItem(member, g.byKey(t, "GT2").ID); err != nil {
				t.Fatal(err)
			}
			if it, _ := g.items.FindItem(member, projectItem); it.Archived {
				t.Fatal("the shared project was archived while it still governs a source project")
			}
		})
		t.Run("ErrAttachToAModel", func(t *testing.T) {
			_, err := g.governables.GovernItem(member, g.byKey(t, "GT2").ID, assent.GovernRequest{AttachTo: *g.byKey(t, "GT.m1").GovernedItem})
			wantCode(t, err, assent.EINVALID)
		})
		t.Run("LinkABusinessInitiative", func(t *testing.T) {
			res, err := g.governables.GovernItem(member, g.byKey(t, "GT2").ID, assent.GovernRequest{BusinessInitiative: initiative.ID})
			if err != nil {
				t.Fatal(err)
			}
			if res.Item.Parent == nil || *res.Item.Parent != initiative.ID || res.Item.Fields["business_initiative"] != initiative.ID {
				t.Fatalf("project %+v", res.Item)
			}
		})
		t.Run("ErrInitiativeOfWrongType", func(t *testing.T) {
			if _, err := g.governables.UngovernItem(member, g.byKey(t, "GT2").ID); err != nil {
				t.Fatal(err)
			}
			_, err := g.governables.GovernItem(member, g.byKey(t, "GT2").ID, assent.GovernRequest{BusinessInitiative: projectItem})
			wantCode(t, err, assent.EINVALID)
			if d := err.(*assent.Error).Details; d[0].Location != "business_initiative" {
				t.Fatalf("details %v", d)
			}
		})
	})
}

func TestHide(t *testing.T) {
	sqldbtest.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		g := newGovernance(t, db)
		g.sync(t, assent.SyncBatch{Items: tutorialBatch})
		all := []string{"GT", "GT.b1", "GT.b2", "GT.m1", "GT.m1.v1", "GT.m1.v2"}

		if _, err := g.governables.HideItem(member, g.byKey(t, "GT").ID, true); err != nil {
			t.Fatal(err)
		}
		for k, s := range g.statuses(t, all...) {
			if s != "hidden" {
				t.Errorf("%s is %s after hiding its project", k, s)
			}
		}
		if list, _, _ := g.governables.FindGovernableItems(member, assent.GovernableFilter{Source: "dss"}); len(list) != 0 {
			t.Fatalf("the default list shows hidden items: %v", list)
		}
		// A version synced under a hidden model is hidden too.
		g.sync(t, assent.SyncBatch{Items: []assent.SyncItem{{Kind: "model_version", Key: "GT.m1.v3", Parent: "GT.m1", Name: "v3"}}})
		if s := g.byKey(t, "GT.m1.v3").Status; s != "hidden" {
			t.Fatalf("new child of a hidden model is %s", s)
		}
		_, err := g.governables.HideItem(member, g.byKey(t, "GT.m1").ID, false)
		wantCode(t, err, assent.ECONFLICT)
		if !strings.Contains(assent.ErrorMessage(err), `project "Govern Tutorial"`) {
			t.Fatalf("message %q", assent.ErrorMessage(err))
		}
		_, err = g.governables.GovernItem(member, g.byKey(t, "GT").ID, assent.GovernRequest{})
		wantCode(t, err, assent.ECONFLICT)

		if _, err := g.governables.HideItem(member, g.byKey(t, "GT").ID, false); err != nil {
			t.Fatal(err)
		}
		for k, s := range g.statuses(t, append(all, "GT.m1.v3")...) {
			if s != "governable" {
				t.Errorf("%s is %s after unhiding its project", k, s)
			}
		}
		if _, err := g.governables.GovernItem(member, g.byKey(t, "GT").ID, assent.GovernRequest{}); err != nil {
			t.Fatal(err)
		}
		_, err = g.governables.HideItem(member, g.byKey(t, "GT").ID, true)
		wantCode(t, err, assent.ECONFLICT)
		if got := eventsOf(t, db, "governable", g.byKey(t, "GT.b1").ID); !cmp.Equal(got, []string{"governable.create", "governable.hide", "governable.unhide"}) {
			t.Fatalf("bundle events %v", got)
		}
	})
}

func TestAutoGovernance(t *testing.T) {
	sqldbtest.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		g := newGovernance(t, db)
		t.Run("ErrBadRules", func(t *testing.T) {
			_, err := g.rules.PutGovernanceRules(admin, []assent.GovernanceRule{
				{Kind: "project", Mode: "automated"},
				{Kind: "model", Mode: "sometimes"},
				{Kind: "bundle", Mode: "recommended", Template: "standard-model"},
				{Kind: "dataset", Mode: "none"},
			})
			wantCode(t, err, assent.EINVALID)
			var locs []string
			for _, d := range err.(*assent.Error).Details {
				locs = append(locs, d.Location)
			}
			if want := []string{"rules[0].template", "rules[1].mode", "rules[2].template", "rules[3].kind"}; !cmp.Equal(locs, want) {
				t.Fatal(cmp.Diff(want, locs))
			}
			_, err = g.rules.PutGovernanceRules(member, nil)
			wantCode(t, err, assent.EFORBIDDEN)
		})
		if _, err := g.rules.PutGovernanceRules(admin, []assent.GovernanceRule{
			{Kind: "project", Mode: "automated", Template: "standard-project"},
			{Kind: "model", Mode: "automated", Template: "standard-model"},
			{Kind: "bundle", Mode: "recommended", Template: "standard-bundle"},
		}); err != nil {
			t.Fatal(err)
		}
		res := g.sync(t, assent.SyncBatch{Items: tutorialBatch})
		if res.Governed != 2 {
			t.Fatalf("result %+v, want the project and the model governed", res)
		}
		want := map[string]string{"GT": "governed", "GT.m1": "governed", "GT.b1": "governable", "GT.m1.v1": "governable"}
		if got := g.statuses(t, "GT", "GT.m1", "GT.b1", "GT.m1.v1"); !cmp.Equal(got, want) {
			t.Fatal(cmp.Diff(want, got))
		}

		// The governed model overrides the rule for its upcoming versions.
		modelItem := *g.byKey(t, "GT.m1").GovernedItem
		if _, err := g.rules.PutGovernanceRules(admin, []assent.GovernanceRule{
			{Kind: "model_version", Parent: modelItem, Mode: "automated", Template: "standard-model-version"},
		}); err != nil {
			t.Fatal(err)
		}
		res = g.sync(t, assent.SyncBatch{Items: []assent.SyncItem{
			{Kind: "model_version", Key: "GT.m1.v3", Parent: "GT.m1", Name: "v3"},
			{Kind: "project", Key: "P2", Name: "Second"},
			{Kind: "model", Key: "P2.m", Parent: "P2", Name: "Other model"},
			{Kind: "model_version", Key: "P2.m.v1", Parent: "P2.m", Name: "Other v1"},
		}})
		want = map[string]string{"GT.m1.v3": "governed", "P2": "governable", "P2.m": "governable", "P2.m.v1": "governable"}
		if got := g.statuses(t, "GT.m1.v3", "P2", "P2.m", "P2.m.v1"); res.Governed != 1 || !cmp.Equal(got, want) {
			t.Fatalf("governed %d; %s", res.Governed, cmp.Diff(want, got))
		}
		rules, _ := g.rules.FindGovernanceRules(member)
		if len(rules) != 1 || rules[0].Parent != modelItem {
			t.Fatalf("rules %+v", rules)
		}
	})
}

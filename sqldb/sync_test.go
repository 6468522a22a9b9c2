package sqldb_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"assent"
	"assent/sqldb"
	"assent/sqldb/sqldbtest"
)

func TestSync(t *testing.T) {
	sqldbtest.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		g := newGovernance(t, db)

		t.Run("CreatesParentsBeforeChildrenInAnyOrder", func(t *testing.T) {
			res := g.sync(t, assent.SyncBatch{Items: tutorialBatch})
			if res.Created != 6 || res.Updated != 0 || res.Unchanged != 0 || len(res.Items) != 6 {
				t.Fatalf("result %+v", res)
			}
			for i, ref := range res.Items {
				if ref.Key != tutorialBatch[i].Key || !strings.HasPrefix(ref.ID, "gi_") {
					t.Fatalf("items[%d] = %+v, want the key of the request in its order", i, ref)
				}
			}
			v2 := g.byKey(t, "GT.m1.v2")
			model := g.byKey(t, "GT.m1")
			if v2.Parent == nil || *v2.Parent != model.ID || v2.Status != "governable" || v2.Attributes["active"] != true {
				t.Fatalf("version %+v", v2)
			}
			if v2.URL != "https://dss.example.com/projects/GT/model_version/GT.m1.v2" {
				t.Fatalf("link %q", v2.URL)
			}
		})
		t.Run("UnchangedWritesNothing", func(t *testing.T) {
			before := countEvents(t, db)
			res := g.sync(t, assent.SyncBatch{Items: tutorialBatch})
			if res.Created != 0 || res.Updated != 0 || res.Unchanged != 6 {
				t.Fatalf("result %+v", res)
			}
			if after := countEvents(t, db); after != before {
				t.Fatalf("%d events written for an unchanged batch", after-before)
			}
		})
		t.Run("EachChangedItemOneEvent", func(t *testing.T) {
			before := countEvents(t, db)
			changed := append([]assent.SyncItem{}, tutorialBatch...)
			changed[0].Attributes = map[string]any{"active": true, "auc": 0.91}
			changed[1].Name = "Govern Tutorial (renamed)"
			res := g.sync(t, assent.SyncBatch{Items: changed})
			if res.Updated != 2 || res.Unchanged != 4 {
				t.Fatalf("result %+v", res)
			}
			if after := countEvents(t, db); after-before != 2 {
				t.Fatalf("%d events, want 2", after-before)
			}
			if got := eventsOf(t, db, "governable", g.byKey(t, "GT").ID); !cmp.Equal(got, []string{"governable.create", "governable.update"}) {
				t.Fatalf("project events %v", got)
			}
		})
		t.Run("ErrBadItemsRefuseTheWholeBatch", func(t *testing.T) {
			before := countEvents(t, db)
			_, err := g.governables.Sync(member, "dss", assent.SyncBatch{Items: []assent.SyncItem{
				{Kind: "project", Key: "NEW", Name: "Would be new"},
				{Kind: "model", Key: "NEW.m", Parent: "NOPE", Name: "Orphan"},
				{Kind: "model_version", Key: "NEW.v", Parent: "GT", Name: "Version under a project"},
				{Kind: "project", Key: "NEW", Name: "Twice"},
				{Kind: "bundle", Key: "GT.m1", Parent: "GT", Name: "A model's key as a bundle"},
				{Kind: "project", Key: "P2", Parent: "GT", Name: "Project with a parent"},
				{Kind: "dataset", Key: "D", Name: "Unknown kind"},
			}})
			wantCode(t, err, assent.EINVALID)
			got := map[string]string{}
			for _, d := range err.(*assent.Error).Details {
				got[d.Location] = d.Message
			}
			for loc, frag := range map[string]string{
				"items[1].parent": `no project with key "NOPE"`,
				"items[2].parent": `"GT" is a project; the parent of a model_version must be a model`,
				"items[3].key":    "also the key of items[0]",
				"items[4].kind":   "keeps its kind",
				"items[5].parent": "a project has no parent",
				"items[6].kind":   "must be one of",
			} {
				if !strings.Contains(got[loc], frag) {
					t.Errorf("%s: %q, want it to say %q (all: %v)", loc, got[loc], frag, got)
				}
			}
			if after := countEvents(t, db); after != before {
				t.Fatalf("%d events written by a refused batch", after-before)
			}
			list, _, _ := g.governables.FindGovernableItems(member, assent.GovernableFilter{Key: "NEW", Status: "all"})
			if len(list) != 0 {
				t.Fatalf("refused batch left %v", list)
			}
		})
		t.Run("ErrTooLarge", func(t *testing.T) {
			items := make([]assent.SyncItem, assent.MaxSyncItems+1)
			for i := range items {
				items[i] = assent.SyncItem{Kind: "project", Key: fmt.Sprint("big", i), Name: "big"}
			}
			_, err := g.governables.Sync(member, "dss", assent.SyncBatch{Items: items})
			wantCode(t, err, assent.ETOOLARGE)
		})
		t.Run("ErrUnknownSource", func(t *testing.T) {
			_, err := g.governables.Sync(member, "nowhere", assent.SyncBatch{Items: tutorialBatch[:1]})
			wantCode(t, err, assent.ENOTFOUND)
		})
		t.Run("ErrViewerCannotSync", func(t *testing.T) {
			_, err := g.governables.Sync(as("vic", assent.RoleViewer), "dss", assent.SyncBatch{Items: tutorialBatch[:1]})
			wantCode(t, err, assent.EFORBIDDEN)
		})
	})
}

func TestFullSyncOverSeveralBatches(t *testing.T) {
	sqldbtest.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		g := newGovernance(t, db)
		g.sync(t, assent.SyncBatch{Items: tutorialBatch})
		model := g.byKey(t, "GT.m1")
		if _, err := g.governables.GovernItem(member, g.byKey(t, "GT").ID, assent.GovernRequest{}); err != nil {
			t.Fatal(err)
		}
		if _, err := g.governables.GovernItem(member, model.ID, assent.GovernRequest{GovernChildren: true}); err != nil {
			t.Fatal(err)
		}

		// The platform lost bundle b2 and version v1, and has a new project.
		first := g.sync(t, assent.SyncBatch{Run: "r1", Items: []assent.SyncItem{tutorialBatch[1], tutorialBatch[2], {Kind: "project", Key: "CH", Name: "Churn"}}})
		if first.Deleted != 0 || first.Created != 1 {
			t.Fatalf("first batch %+v: nothing is deleted before the final batch", first)
		}
		if g.byKey(t, "GT.b2").DeletedInSource {
			t.Fatal("marked deleted before the final batch")
		}
		final := g.sync(t, assent.SyncBatch{Run: "r1", Final: true, Items: []assent.SyncItem{tutorialBatch[4], tutorialBatch[0]}})
		if final.Deleted != 2 {
			t.Fatalf("final batch %+v, want 2 deleted", final)
		}
		for key, want := range map[string]bool{"GT": false, "GT.b1": false, "GT.b2": true, "GT.m1": false, "GT.m1.v1": true, "GT.m1.v2": false, "CH": false} {
			it := g.byKey(t, key)
			if it.DeletedInSource != want {
				t.Errorf("%s deleted_in_source = %v, want %v", key, it.DeletedInSource, want)
			}
			if key == "GT.m1.v1" && (it.Status != "governed" || it.GovernedItem == nil) {
				t.Errorf("a governed item deleted in its source stays governed: %+v", it)
			}
		}
		// Seen again: no longer deleted.
		again := g.sync(t, assent.SyncBatch{Items: []assent.SyncItem{tutorialBatch[5]}})
		if again.Updated != 1 || g.byKey(t, "GT.m1.v1").DeletedInSource {
			t.Fatalf("seen again: %+v", again)
		}
		// A final batch on its own is a full sync by itself.
		alone := g.sync(t, assent.SyncBatch{Final: true, Items: []assent.SyncItem{{Kind: "project", Key: "CH", Name: "Churn"}}})
		if alone.Deleted != 5 {
			t.Fatalf("full sync of one project: %+v, want the 5 tutorial items that were not deleted yet", alone)
		}
	})
}

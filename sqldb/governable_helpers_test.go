package sqldb_test

import (
	"testing"

	"assent"
	"assent/sqldb"
	"assent/templates"
)

// governance is a database with the standard templates and a source
// "dss", and the services that sync and govern.
type governance struct {
	db          *sqldb.DB
	items       *sqldb.ItemService
	governables *sqldb.GovernableService
	rules       *sqldb.GovernanceRuleService
	registry    *sqldb.RegistryService
}

func newGovernance(t testing.TB, db *sqldb.DB) *governance {
	t.Helper()
	standard, err := templates.Standard()
	if err != nil {
		t.Fatal(err)
	}
	if err := sqldb.NewTemplateService(db).EnsureBuiltinTemplates(admin, standard); err != nil {
		t.Fatal(err)
	}
	if _, _, err := sqldb.NewSourceService(db).PutSource(admin, "dss", assent.SourceUpdate{DisplayName: "Design node", LinkTemplate: "https://dss.example.com/projects/{project_key}/{kind}/{key}"}); err != nil {
		t.Fatal(err)
	}
	items := sqldb.NewItemService(db)
	return &governance{db: db, items: items, governables: sqldb.NewGovernableService(db, items),
		rules: sqldb.NewGovernanceRuleService(db), registry: sqldb.NewRegistryService(db)}
}

// tutorialBatch is the tutorial's project: two bundles, a model and two versions.
var tutorialBatch = []assent.SyncItem{
	{Kind: "model_version", Key: "GT.m1.v2", Parent: "GT.m1", Name: "Random forest (s1) - v2", Attributes: map[string]any{"active": true}},
	{Kind: "project", Key: "GT", Name: "Govern Tutorial"},
	{Kind: "bundle", Key: "GT.b1", Parent: "GT", Name: "v1"},
	{Kind: "bundle", Key: "GT.b2", Parent: "GT", Name: "v2"},
	{Kind: "model", Key: "GT.m1", Parent: "GT", Name: "Predict authorized_flag (binary)"},
	{Kind: "model_version", Key: "GT.m1.v1", Parent: "GT.m1", Name: "Random forest (s1) - v1", Attributes: map[string]any{"active": false}},
}

// sync applies a batch as a member and fails the test on error.
func (g *governance) sync(t testing.TB, b assent.SyncBatch) *assent.SyncResult {
	t.Helper()
	res, err := g.governables.Sync(member, "dss", b)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// byKey returns the governable item of a key in source dss.
func (g *governance) byKey(t testing.TB, key string) *assent.GovernableItem {
	t.Helper()
	list, _, err := g.governables.FindGovernableItems(member, assent.GovernableFilter{Source: "dss", Key: key, Status: "all"})
	if err != nil || len(list) != 1 {
		t.Fatalf("key %s: %d items, %v", key, len(list), err)
	}
	return list[0]
}

// statuses returns the status of each key.
func (g *governance) statuses(t testing.TB, keys ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, k := range keys {
		out[k] = g.byKey(t, k).Status
	}
	return out
}

var member = as("ada", assent.RoleMember)

// countEvents counts every event of the instance.
func countEvents(t testing.TB, db *sqldb.DB) int {
	t.Helper()
	n, cursor := 0, ""
	for {
		evs, next, err := sqldb.NewEventService(db).FindEvents(admin, assent.EventFilter{Limit: 500, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		n += len(evs)
		if next == "" {
			return n
		}
		cursor = next
	}
}

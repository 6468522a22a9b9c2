package sqldb_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"assent"
	"assent/sqldb"
	"assent/sqldb/sqldbtest"
)

// reviewedVersion governs the tutorial's v2 with its parents and makes ada
// an IT & Operations reviewer and bob the final approver on the project.
func reviewedVersion(t *testing.T, db *sqldb.DB) (*governance, *sqldb.SignoffService, string) {
	t.Helper()
	g := newGovernance(t, db)
	for _, u := range []string{"ada", "bob", "carol"} {
		mustCreateUser(t, db, u, assent.RoleMember)
	}
	mustCreateUser(t, db, "vic", assent.RoleViewer)
	g.sync(t, assent.SyncBatch{Items: tutorialBatch})
	res, err := g.governables.GovernItem(member, g.byKey(t, "GT.m1.v2").ID, assent.GovernRequest{GovernParents: true})
	if err != nil {
		t.Fatal(err)
	}
	project := *g.byKey(t, "GT").GovernedItem
	if _, err := g.items.UpdateItem(member, project, assent.ItemUpdate{Fields: map[string]any{
		"reviewers_it_ops": []any{"ada"}, "reviewers_business": []any{"group:business"}, "final_approvers": []any{"bob"}}}); err != nil {
		t.Fatal(err)
	}
	return g, sqldb.NewSignoffService(db), res.Item.ID
}

func act(s *sqldb.SignoffService, who, item string, a assent.SignoffAction, set func(r *assent.SignoffActionRequest)) (*assent.Signoff, error) {
	req := assent.SignoffActionRequest{Action: a}
	if set != nil {
		set(&req)
	}
	return s.Act(as(who, assent.RoleMember), item, "review", req)
}

func TestSignoffReview(t *testing.T) {
	sqldbtest.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		g, signoffs, version := reviewedVersion(t, db)
		text := func(s string) func(r *assent.SignoffActionRequest) {
			return func(r *assent.SignoffActionRequest) { r.Comment = &s }
		}

		sig, err := signoffs.FindSignoff(member, version, "review")
		if err != nil {
			t.Fatal(err)
		}
		if sig.State != assent.SignoffNotStarted || sig.Cycle != 1 || len(sig.Groups) != 3 || fmt.Sprint(sig.Groups[0].Members) != "[ada]" || fmt.Sprint(sig.Approvers) != "[bob]" || !sig.Mandatory {
			t.Fatalf("new sign-off %+v", sig)
		}
		if _, err := act(signoffs, "ada", version, assent.ActRequestFeedback, func(r *assent.SignoffActionRequest) { r.Notify = []string{"carol"} }); assent.ErrorCode(err) != assent.EINVALID {
			t.Fatalf("notify a non-reviewer: %v", err)
		}
		if sig, err = act(signoffs, "carol", version, assent.ActRequestFeedback, nil); err != nil || sig.State != assent.SignoffWaitingForFeedback {
			t.Fatalf("request feedback: %+v, %v", sig, err)
		}
		minor := func(r *assent.SignoffActionRequest) {
			c := "This model might have some location bias. Please review if you should keep merchant_geopoint as a model feature."
			r.Group, r.Status, r.Comment = "it_ops", "MINOR_ISSUE", &c
		}
		_, err = act(signoffs, "carol", version, assent.ActAddFeedback, minor)
		wantCode(t, err, assent.EFORBIDDEN)
		_, err = act(signoffs, "ada", version, assent.ActAddFeedback, func(r *assent.SignoffActionRequest) { r.Group, r.Status = "it_ops", "FINE" })
		wantCode(t, err, assent.EINVALID)
		long := strings.Repeat("x", assent.MaxCommentLength+1)
		_, err = act(signoffs, "ada", version, assent.ActAddFeedback, func(r *assent.SignoffActionRequest) { r.Group, r.Status, r.Comment = "it_ops", "APPROVED", &long })
		wantCode(t, err, assent.EINVALID)
		_, err = act(signoffs, "ada", version, assent.ActAddFeedback, func(r *assent.SignoffActionRequest) { r.Group, r.Status = "nope", "APPROVED" })
		wantCode(t, err, assent.EINVALID)
		if sig, err = act(signoffs, "ada", version, assent.ActAddFeedback, minor); err != nil || len(sig.Feedback) != 1 {
			t.Fatalf("feedback: %+v, %v", sig, err)
		}
		_, err = act(signoffs, "ada", version, assent.ActAddFeedback, minor)
		wantCode(t, err, assent.ECONFLICT)
		fid := sig.Feedback[0].ID
		_, err = act(signoffs, "bob", version, assent.ActEditFeedback, func(r *assent.SignoffActionRequest) { r.Feedback, r.Status = fid, "APPROVED" })
		wantCode(t, err, assent.EFORBIDDEN)
		if sig, err = act(signoffs, "ada", version, assent.ActEditFeedback, func(r *assent.SignoffActionRequest) { r.Feedback, r.Status = fid, "MAJOR_ISSUE" }); err != nil || sig.Feedback[0].Status != assent.FeedbackMajorIssue || !strings.Contains(sig.Feedback[0].Comment, "merchant_geopoint") {
			t.Fatalf("edit: %+v, %v", sig, err)
		}
		_, err = g.items.SetItemStep(member, version, "review", assent.StepFinished, nil)
		wantCode(t, err, assent.ECONFLICT)

		if sig, err = act(signoffs, "ada", version, assent.ActRequestApproval, nil); err != nil || sig.State != assent.SignoffWaitingForApproval || sig.ApprovalRequestedBy != "ada" {
			t.Fatalf("request approval: %+v, %v", sig, err)
		}
		_, err = act(signoffs, "ada", version, assent.ActApprove, func(r *assent.SignoffActionRequest) { r.Status = "APPROVED" })
		wantCode(t, err, assent.EFORBIDDEN)
		if sig, err = act(signoffs, "bob", version, assent.ActApprove, func(r *assent.SignoffActionRequest) {
			r.Status = "REJECTED"
			text("The model must be redesigned to account for location and racial bias.")(r)
		}); err != nil || sig.State != assent.SignoffRejected || sig.Approval.Author != "bob" {
			t.Fatalf("reject: %+v, %v", sig, err)
		}
		if sig, err = act(signoffs, "ada", version, assent.ActAbandon, nil); err != nil || sig.State != assent.SignoffAbandoned {
			t.Fatalf("abandon: %+v, %v", sig, err)
		}
		_, err = act(signoffs, "ada", version, assent.ActEditFeedback, func(r *assent.SignoffActionRequest) { r.Feedback, r.Status = fid, "APPROVED" })
		if assent.ErrorCode(err) != assent.ECONFLICT || !strings.Contains(assent.ErrorMessage(err), "it allows cancel-abandon, reset") {
			t.Fatalf("act on an abandoned sign-off: %v", err)
		}
		if sig, err = act(signoffs, "ada", version, assent.ActCancelAbandon, nil); err != nil || sig.State != assent.SignoffRejected || len(sig.Feedback) != 1 || sig.Approval == nil {
			t.Fatalf("cancel abandon: %+v, %v", sig, err)
		}
		if sig, err = act(signoffs, "ada", version, assent.ActReset, nil); err != nil || sig.State != assent.SignoffNotStarted || sig.Cycle != 2 || len(sig.Feedback) != 0 || sig.Approval != nil {
			t.Fatalf("reset: %+v, %v", sig, err)
		}
		if sig.History != nil {
			t.Fatal("an action's answer leaves the history out")
		}
		if sig, err = signoffs.FindSignoff(member, version, "review"); err != nil {
			t.Fatal(err)
		}
		if h := sig.History; len(h) != 1 || h[0].State != assent.SignoffRejected || len(h[0].Feedback) != 1 || h[0].Approval.Status != assent.ApprovalRejected {
			t.Fatalf("history %+v", sig.History)
		}
		// The second cycle approves, and the step can be finished.
		for _, a := range []struct {
			who string
			a   assent.SignoffAction
		}{{"ada", assent.ActRequestApproval}, {"bob", assent.ActApprove}} {
			if _, err := act(signoffs, a.who, version, a.a, func(r *assent.SignoffActionRequest) { r.Status = "APPROVED" }); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := g.items.SetItemStep(member, version, "review", assent.StepFinished, nil); err != nil {
			t.Fatalf("finish after approval: %v", err)
		}
		if got := eventsOf(t, db, "item", version); len(got) < 12 || !strings.Contains(strings.Join(got, " "), "signoff.reset") {
			t.Fatalf("events %v", got)
		}
		if _, err := g.items.ArchiveItem(member, version, true, nil); err != nil {
			t.Fatal(err)
		}
		_, err = act(signoffs, "ada", version, assent.ActReset, nil)
		wantCode(t, err, assent.ECONFLICT)
		_, err = signoffs.Act(as("vic", assent.RoleViewer), version, "review", assent.SignoffActionRequest{Action: assent.ActReset})
		wantCode(t, err, assent.EFORBIDDEN)
	})
}

func TestSignoffRaces(t *testing.T) {
	sqldbtest.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		g, signoffs, version := reviewedVersion(t, db)
		project := *g.byKey(t, "GT").GovernedItem
		var reviewers []any
		for i := range 32 {
			name := fmt.Sprintf("r%02d", i)
			mustCreateUser(t, db, name, assent.RoleMember)
			reviewers = append(reviewers, name)
		}
		if _, err := g.items.UpdateItem(member, project, assent.ItemUpdate{Fields: map[string]any{"reviewers_risk_compliance": reviewers, "final_approvers": reviewers}}); err != nil {
			t.Fatal(err)
		}
		if _, err := act(signoffs, "ada", version, assent.ActRequestFeedback, nil); err != nil {
			t.Fatal(err)
		}
		// 32 reviewers give feedback at once while one requests approval
		// and another goes back: every feedback is kept.
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for i := range 32 {
			who := fmt.Sprintf("r%02d", i)
			wg.Go(func() {
				_, err := act(signoffs, who, version, assent.ActAddFeedback, func(r *assent.SignoffActionRequest) { r.Group, r.Status = "risk_compliance", "APPROVED" })
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("feedback lost: %v", err)
			}
		}
		if _, err := act(signoffs, "ada", version, assent.ActRequestApproval, nil); err != nil {
			t.Fatal(err)
		}
		// 32 approvers decide at once: exactly one final approval.
		results := make(chan error, 32)
		for i := range 32 {
			who := fmt.Sprintf("r%02d", i)
			status := []string{"APPROVED", "REJECTED"}[i%2]
			wg.Go(func() {
				_, err := act(signoffs, who, version, assent.ActApprove, func(r *assent.SignoffActionRequest) { r.Status = status })
				results <- err
			})
		}
		wg.Wait()
		close(results)
		won := 0
		for err := range results {
			switch assent.ErrorCode(err) {
			case "":
				won++
			case assent.ECONFLICT:
			default:
				t.Errorf("unexpected %v", err)
			}
		}
		sig, err := signoffs.FindSignoff(member, version, "review")
		if err != nil {
			t.Fatal(err)
		}
		if won != 1 || sig.Approval == nil || len(sig.Feedback) != 32 {
			t.Fatalf("%d approvals won, approval %+v, %d feedback", won, sig.Approval, len(sig.Feedback))
		}
		approvals := 0
		for _, a := range eventsOf(t, db, "item", version) {
			if a == "signoff.approval" {
				approvals++
			}
		}
		if approvals != 1 {
			t.Fatalf("%d approval events", approvals)
		}
	})
}

func TestSignoffOfAStepAddedByMigration(t *testing.T) {
	sqldbtest.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ts := sqldb.NewTemplateService(db)
		v1 := &assent.Template{ID: "card", Name: "Card", ItemType: "model_card", Steps: []assent.StepDef{{ID: "draft", Name: "Draft"}}}
		if _, err := ts.AddTemplateVersion(admin, v1, assent.TemplateActive); err != nil {
			t.Fatal(err)
		}
		items, signoffs := sqldb.NewItemService(db), sqldb.NewSignoffService(db)
		it, err := items.CreateItem(member, assent.NewItem{Template: assent.TemplateRef{ID: "card"}, Name: "Card"})
		if err != nil {
			t.Fatal(err)
		}
		if list, _ := signoffs.FindSignoffs(member, it.ID); len(list) != 0 {
			t.Fatalf("sign-offs of a template without any: %v", list)
		}
		v2 := *v1
		v2.Steps = append(v2.Steps, assent.StepDef{ID: "review", Name: "Review", Signoff: &assent.SignoffConfig{Approvers: []assent.PrincipalSource{"user:ada"}, Mandatory: true}})
		if _, err := ts.AddTemplateVersion(admin, &v2, assent.TemplateActive); err != nil {
			t.Fatal(err)
		}
		if _, err := items.MigrateItem(member, it.ID, 2, false); err != nil {
			t.Fatal(err)
		}
		list, err := signoffs.FindSignoffs(member, it.ID)
		if err != nil || len(list) != 1 || list[0].Step != "review" || list[0].State != assent.SignoffNotStarted || !list[0].Mandatory {
			t.Fatalf("after migration: %+v, %v", list, err)
		}
		_, err = items.SetItemStep(member, it.ID, "review", assent.StepFinished, nil)
		wantCode(t, err, assent.ECONFLICT)
	})
}

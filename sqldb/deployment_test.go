package sqldb_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"assent"
	"assent/sqldb"
	"assent/sqldb/sqldbtest"
)

func TestDeploymentChecks(t *testing.T) {
	sqldbtest.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		g, signoffs, version := reviewedVersion(t, db)
		deployments := sqldb.NewDeploymentService(db)
		for name, policy := range map[string]string{"dev": assent.PolicyNoCheck, "staging": assent.PolicyWarn, "prod": assent.PolicyPrevent} {
			if _, created, err := deployments.PutTarget(admin, name, assent.DeploymentTargetUpdate{Stage: name, Policy: policy}); err != nil || !created {
				t.Fatalf("put %s: %v %v", name, created, err)
			}
		}
		v1, v2 := g.byKey(t, "GT.m1.v1"), g.byKey(t, "GT.m1.v2")
		check := func(target, item string) *assent.DeploymentCheck {
			t.Helper()
			c, err := deployments.CheckDeployment(as("vic", assent.RoleViewer), assent.DeploymentCheckRequest{Target: target, Item: item})
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		want := func(c *assent.DeploymentCheck, decision, code string) {
			t.Helper()
			if c.Decision != decision || c.Reasons[0].Code != code {
				t.Fatalf("check on %s: %s %+v; want %s %s", c.Target, c.Decision, c.Reasons, decision, code)
			}
		}
		setStep := func(step string, status assent.StepStatus) error {
			_, err := g.items.SetItemStep(member, version, step, status, nil)
			return err
		}

		t.Run("Policies", func(t *testing.T) {
			want(check("dev", v1.ID), assent.DecisionAllow, "NO_CHECK")
			want(check("staging", v1.ID), assent.DecisionWarn, "NOT_GOVERNED")
			want(check("prod", v1.ID), assent.DecisionBlock, "NOT_GOVERNED")
			c := check("prod", v2.ID)
			want(c, assent.DecisionBlock, "SIGNOFF_NOT_APPROVED")
			if c.SignoffState != "NOT_STARTED" || c.GovernedItem == nil || *c.GovernedItem != version || c.Locked {
				t.Fatalf("check %+v", c)
			}
			want(check("staging", v2.ID), assent.DecisionWarn, "SIGNOFF_NOT_APPROVED")
			byKey, err := deployments.CheckDeployment(member, assent.DeploymentCheckRequest{Target: "dev", Source: "dss", Key: "GT.m1.v2"})
			if err != nil || byKey.Item != v2.ID {
				t.Fatalf("by source and key: %+v %v", byKey, err)
			}
			if evs := eventsOf(t, db, "governable", v2.ID); evs[len(evs)-1] != "deployment.check" {
				t.Fatalf("the check is not an event: %v", evs)
			}
		})
		t.Run("ConcurrentChecks", func(t *testing.T) {
			// Checks share transactions; each still gets its answer and its event.
			before := len(eventsOf(t, db, "governable", v1.ID))
			const goroutines, each = 16, 10
			var wg sync.WaitGroup
			errs := make(chan error, goroutines*each)
			for range goroutines {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range each {
						target := []string{"dev", "staging", "prod"}[i%3]
						c, err := deployments.CheckDeployment(as("vic", assent.RoleViewer), assent.DeploymentCheckRequest{Target: target, Item: v1.ID})
						if err == nil && c.Target != target {
							err = fmt.Errorf("asked %s, answered for %s", target, c.Target)
						}
						errs <- err
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			if after := len(eventsOf(t, db, "governable", v1.ID)); after-before != goroutines*each {
				t.Fatalf("%d checks wrote %d events", goroutines*each, after-before)
			}
		})
		t.Run("ErrBadChecks", func(t *testing.T) {
			_, err := deployments.CheckDeployment(member, assent.DeploymentCheckRequest{Target: "moon", Item: v2.ID})
			wantCode(t, err, assent.ENOTFOUND)
			_, err = deployments.CheckDeployment(member, assent.DeploymentCheckRequest{Target: "prod", Item: "gi_nope"})
			wantCode(t, err, assent.ENOTFOUND)
			_, err = deployments.CheckDeployment(member, assent.DeploymentCheckRequest{Target: "prod", Item: g.byKey(t, "GT.m1").ID})
			wantCode(t, err, assent.EINVALID)
			_, err = deployments.CheckDeployment(member, assent.DeploymentCheckRequest{Item: v2.ID})
			wantCode(t, err, assent.EINVALID)
			_, _, err = deployments.PutTarget(admin, "prod", assent.DeploymentTargetUpdate{Stage: "prod", Policy: "STRICT"})
			wantCode(t, err, assent.EINVALID)
			_, _, err = deployments.PutTarget(member, "qa", assent.DeploymentTargetUpdate{Stage: "qa"})
			wantCode(t, err, assent.EFORBIDDEN)
			_, _, err = deployments.RecordDeployments(member, []assent.Deployment{{Item: v2.ID, Target: "moon"}}, "")
			if wantCode(t, err, assent.EINVALID); err.(*assent.Error).Details[0].Location != "target" {
				t.Fatalf("details %v", err.(*assent.Error).Details)
			}
		})
		t.Run("Approved", func(t *testing.T) {
			if _, err := act(signoffs, "carol", version, assent.ActRequestApproval, nil); err != nil {
				t.Fatal(err)
			}
			if _, err := act(signoffs, "bob", version, assent.ActApprove, func(r *assent.SignoffActionRequest) { r.Status = "APPROVED" }); err != nil {
				t.Fatal(err)
			}
			want(check("prod", v2.ID), assent.DecisionAllow, "SIGNOFF_APPROVED")
			want(check("staging", v2.ID), assent.DecisionAllow, "SIGNOFF_APPROVED")
		})
		t.Run("LockedByCheck", func(t *testing.T) {
			if _, err := act(signoffs, "bob", version, assent.ActEditApproval, func(r *assent.SignoffActionRequest) { r.Status = "REJECTED" }); err != nil {
				t.Fatal(err)
			}
			// Rejected after prod was checked in this cycle (and allowed it):
			// the workflow is locked, and a check against WARN says so.
			c := check("staging", v2.ID)
			want(c, assent.DecisionWarn, "SIGNOFF_NOT_APPROVED")
			if !c.Locked || c.Reasons[len(c.Reasons)-1].Code != "WORKFLOW_LOCKED" || !strings.Contains(c.Reasons[len(c.Reasons)-1].Message, "prod") {
				t.Fatalf("rejected after a check against PREVENT: %+v", c)
			}
			c = check("prod", v2.ID)
			if !c.Locked || c.Reasons[len(c.Reasons)-1].Code != "WORKFLOW_LOCKED" {
				t.Fatalf("rejected and checked against PREVENT: %+v", c)
			}
			err := setStep("deployment", assent.StepOngoing)
			wantCode(t, err, assent.ECONFLICT)
			if msg := assent.ErrorMessage(err); !strings.Contains(msg, "locked") || !strings.Contains(msg, "prod") {
				t.Fatalf("message %q", msg)
			}
			if err := setStep("development", assent.StepFinished); err != nil {
				t.Fatalf("a step before the gate stays free: %v", err)
			}
			// Relaxing prod ends the lock; making it strict again brings it back.
			if _, _, err := deployments.PutTarget(admin, "prod", assent.DeploymentTargetUpdate{Stage: "prod", Policy: assent.PolicyWarn}); err != nil {
				t.Fatal(err)
			}
			if lock, err := deployments.FindWorkflowLock(member, version); err != nil || lock != "" {
				t.Fatalf("prod under WARN still locks: %q %v", lock, err)
			}
			if _, _, err := deployments.PutTarget(admin, "prod", assent.DeploymentTargetUpdate{Stage: "prod", Policy: assent.PolicyPrevent}); err != nil {
				t.Fatal(err)
			}
			if lock, err := deployments.FindWorkflowLock(member, version); err != nil || lock != "prod" {
				t.Fatalf("prod under PREVENT again: %q %v", lock, err)
			}
			if _, err := act(signoffs, "carol", version, assent.ActReset, nil); err != nil {
				t.Fatal(err)
			}
			if err := setStep("deployment", assent.StepOngoing); err != nil {
				t.Fatalf("after the reset: %v", err)
			}
			if err := setStep("deployment", assent.StepNotStarted); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("LockedByDeployment", func(t *testing.T) {
			at := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
			recs, added, err := deployments.RecordDeployments(member, []assent.Deployment{{Item: v2.ID, Target: "prod", Time: at, Reference: "deploy-42"}}, "")
			if err != nil || added != 1 || recs[0].Status != assent.DeploymentDeployed || recs[0].ID == "" {
				t.Fatalf("record: %+v %v", recs, err)
			}
			again, added, err := deployments.RecordDeployments(member, []assent.Deployment{{Item: v2.ID, Target: "prod", Time: at}}, "")
			if err != nil || added != 0 || again[0].ID != recs[0].ID {
				t.Fatalf("recording again is not idempotent: %+v %v", again, err)
			}
			if _, err := act(signoffs, "carol", version, assent.ActAbandon, nil); err != nil {
				t.Fatal(err)
			}
			wantCode(t, setStep("production", assent.StepFinished), assent.ECONFLICT)
			// A failed redeployment leaves the version serving: still locked.
			if _, _, err := deployments.RecordDeployments(member, []assent.Deployment{{Item: v2.ID, Target: "prod", Time: at.Add(time.Minute), Status: assent.DeploymentFailed}}, ""); err != nil {
				t.Fatal(err)
			}
			wantCode(t, setStep("production", assent.StepFinished), assent.ECONFLICT)
			// Taken off prod: no longer locked.
			if _, _, err := deployments.RecordDeployments(member, []assent.Deployment{{Item: v2.ID, Target: "prod", Time: at.Add(time.Hour), Status: assent.DeploymentUndeployed}}, ""); err != nil {
				t.Fatal(err)
			}
			if err := setStep("production", assent.StepFinished); err != nil {
				t.Fatalf("after undeploying: %v", err)
			}
			statuses, err := deployments.FindTargetStatuses(member, v2.ID)
			if err != nil {
				t.Fatal(err)
			}
			var prod *assent.TargetStatus
			for _, st := range statuses {
				if st.Target.Name == "prod" {
					prod = st
				}
			}
			if prod == nil || prod.Count != 3 || prod.Latest.Status != assent.DeploymentUndeployed || prod.LastCheck == nil || prod.LastCheck.Decision != assent.DecisionBlock {
				t.Fatalf("prod status %+v", prod)
			}
			list, _, err := deployments.FindDeployments(member, assent.DeploymentFilter{Item: v2.ID, Limit: 1})
			if err != nil || len(list) != 1 || list[0].Status != assent.DeploymentUndeployed {
				t.Fatalf("history, newest first: %+v %v", list, err)
			}
		})
		t.Run("InSyncBatch", func(t *testing.T) {
			res := g.sync(t, assent.SyncBatch{Deployments: []assent.Deployment{{Key: "GT.b1", Target: "dev", Time: time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)}}})
			if res.Deployments != 1 {
				t.Fatalf("sync result %+v", res)
			}
			_, err := g.governables.Sync(member, "dss", assent.SyncBatch{Deployments: []assent.Deployment{{Key: "GT.b1", Target: "moon"}}})
			if wantCode(t, err, assent.EINVALID); err.(*assent.Error).Details[0].Location != "deployments[0].target" {
				t.Fatalf("details %v", err.(*assent.Error).Details)
			}
		})
	})
}

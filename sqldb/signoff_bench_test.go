package sqldb_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"assent"
	"assent/sqldb"
)

// BenchmarkSignoffActions walks review cycles on many model versions, one
// version per goroutine, one action per call: request feedback, feedback,
// edit, request approval, approve, reset.
func BenchmarkSignoffActions(b *testing.B) {
	eachBenchDB(b, func(b *testing.B, db *sqldb.DB) {
		g := newGovernance(b, db)
		signoffs := sqldb.NewSignoffService(db)
		mustCreateUser(b, db, "ada", assent.RoleMember)
		project, err := g.items.CreateItem(member, assent.NewItem{Template: assent.TemplateRef{ID: "standard-project"}, Name: "Reviewed",
			Fields: map[string]any{"reviewers_it_ops": []any{"ada"}, "final_approvers": []any{"ada"}}})
		if err != nil {
			b.Fatal(err)
		}
		model, err := g.items.CreateItem(member, assent.NewItem{Template: assent.TemplateRef{ID: "standard-model"}, Name: "Model", Parent: &project.ID})
		if err != nil {
			b.Fatal(err)
		}
		var next atomic.Int64
		ada := as("ada", assent.RoleMember)
		b.SetParallelism(8) // 16 goroutines on two cores
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			v, err := g.items.CreateItem(member, assent.NewItem{Template: assent.TemplateRef{ID: "standard-model-version"},
				Name: fmt.Sprint("v", next.Add(1)), Parent: &model.ID})
			if err != nil {
				b.Error(err)
				return
			}
			comment := "Check the location bias."
			feedback := ""
			for i := 0; pb.Next(); i++ {
				req := assent.SignoffActionRequest{}
				switch i % 6 {
				case 0:
					req.Action = assent.ActRequestFeedback
				case 1:
					req = assent.SignoffActionRequest{Action: assent.ActAddFeedback, Group: "it_ops", Status: "MINOR_ISSUE", Comment: &comment}
				case 2:
					req = assent.SignoffActionRequest{Action: assent.ActEditFeedback, Feedback: feedback, Status: "MAJOR_ISSUE"}
				case 3:
					req.Action = assent.ActRequestApproval
				case 4:
					req = assent.SignoffActionRequest{Action: assent.ActApprove, Status: "APPROVED", Comment: &comment}
				case 5:
					req.Action = assent.ActReset
				}
				sig, err := signoffs.Act(ada, v.ID, "review", req)
				if err != nil {
					b.Error(err)
					return
				}
				if len(sig.Feedback) > 0 {
					feedback = sig.Feedback[0].ID
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "actions/s")
	})
}

package assent_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"assent"
)

func projectLike() *assent.Template {
	return &assent.Template{ID: "p", Name: "P", ItemType: "project",
		Fields: []assent.FieldDef{{ID: "notes", Label: "Notes", Type: assent.FieldText}, {ID: "decision", Label: "Decision", Type: assent.FieldCategory, Options: []string{"Go", "No go"}}},
		Steps: []assent.StepDef{
			{ID: "explore", Name: "Explore", Fields: []string{"notes"}},
			{ID: "qualify", Name: "Qualify", Fields: []string{"decision"}},
			{ID: "build", Name: "Build", VisibleWhen: &assent.Condition{Field: "decision", In: []any{"Go"}}},
			{ID: "close", Name: "Close"},
		}}
}

func statuses(steps []assent.StepState) []assent.StepStatus {
	out := make([]assent.StepStatus, len(steps))
	for i, s := range steps {
		out[i] = s.Status
	}
	return out
}

const (
	ns = assent.StepNotStarted
	on = assent.StepOngoing
	fi = assent.StepFinished
	sk = assent.StepSkipped
)

func TestSetStepStatus(t *testing.T) {
	tmpl := projectLike()
	for _, tc := range []struct {
		name   string
		from   []assent.StepStatus
		fields map[string]any
		step   string
		to     assent.StepStatus
		want   []assent.StepStatus
		code   string
	}{
		{"FinishStartsNext", []assent.StepStatus{on, ns, ns, ns}, nil, "explore", fi, []assent.StepStatus{fi, on, ns, ns}, ""},
		{"FinishSkipsHiddenStep", []assent.StepStatus{fi, on, ns, ns}, map[string]any{"decision": "No go"}, "qualify", fi, []assent.StepStatus{fi, fi, ns, on}, ""},
		{"FinishShowsVisibleStep", []assent.StepStatus{fi, on, ns, ns}, map[string]any{"decision": "Go"}, "qualify", fi, []assent.StepStatus{fi, fi, on, ns}, ""},
		{"FinishOutOfOrder", []assent.StepStatus{ns, ns, ns, ns}, nil, "close", fi, []assent.StepStatus{ns, ns, ns, fi}, ""},
		{"Reopen", []assent.StepStatus{fi, fi, on, ns}, nil, "explore", on, []assent.StepStatus{on, fi, on, ns}, ""},
		{"SkipHidden", []assent.StepStatus{fi, fi, ns, ns}, map[string]any{"decision": "No go"}, "build", sk, []assent.StepStatus{fi, fi, sk, ns}, ""},
		{"ErrSkipVisible", []assent.StepStatus{on, ns, ns, ns}, nil, "explore", sk, nil, assent.ECONFLICT},
		{"ErrUnknownStep", []assent.StepStatus{on, ns, ns, ns}, nil, "nope", fi, nil, assent.ENOTFOUND},
		{"ErrBadStatus", []assent.StepStatus{on, ns, ns, ns}, nil, "explore", "DONE", nil, assent.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			steps := tmpl.NewSteps()
			for i := range steps {
				steps[i].Status = tc.from[i]
			}
			got, err := assent.SetStepStatus(tmpl, steps, tc.fields, tc.step, tc.to, nil)
			if assent.ErrorCode(err) != tc.code {
				t.Fatalf("error %v, want code %q", err, tc.code)
			}
			if tc.code == "" {
				if diff := cmp.Diff(tc.want, statuses(got)); diff != "" {
					t.Fatal(diff)
				}
			}
		})
	}
}

func TestGuardRefuses(t *testing.T) {
	tmpl := projectLike()
	guard := func(step string, to assent.StepStatus) error {
		if step == "qualify" && to == fi {
			return assent.Errorf(assent.ECONFLICT, "sign-off not approved")
		}
		return nil
	}
	_, err := assent.SetStepStatus(tmpl, tmpl.NewSteps(), nil, "qualify", fi, guard)
	if assent.ErrorCode(err) != assent.ECONFLICT {
		t.Fatal(err)
	}
}

func TestStartCurrentStep(t *testing.T) {
	tmpl := projectLike()
	steps := tmpl.NewSteps()
	if got := statuses(assent.StartCurrentStep(tmpl, steps, []string{"decision"})); got[0] != ns {
		t.Fatalf("a field of another step started the current one: %v", got)
	}
	if got := statuses(assent.StartCurrentStep(tmpl, steps, []string{"notes"})); got[0] != on {
		t.Fatalf("saving the current step's field did not start it: %v", got)
	}
}

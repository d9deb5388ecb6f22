package workflows

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/activities"
)

type startParams struct {
	Attempts int      `json:"attempts" default:"3" min:"1" max:"6" doc:"tries"`
	Spacing  Duration `json:"spacing" default:"336h" min:"24h" max:"1440h" doc:"between tries"`
	First    string   `json:"first" default:"scheduled" enum:"scheduled|now" doc:"when"`
}

// StartJourney's activity input is recorded in history: a journey started
// with its defaults must send "{}", as StartJourney(name, map{}) did.
func TestStartJourneyEncodesOnlyChangedParams(t *testing.T) {
	d := &Journey[startParams]{Name: "test_start", Version: 1}
	for _, c := range []struct {
		change func(*startParams)
		want   string
	}{
		{func(*startParams) {}, `{}`},
		{func(p *startParams) { p.First = "now" }, `{"first":"now"}`},
		{func(p *startParams) { p.Spacing, p.Attempts = Duration(0), 1 }, `{"attempts":1,"spacing":"0s"}`},
	} {
		p := d.Defaults()
		c.change(&p)
		got, err := d.changedParams(p)
		if err != nil || string(got) != c.want {
			t.Errorf("params %+v encode as %s (%v), want %s", p, got, err, c.want)
		}
	}
}

// A step that fails ends the journey there, recorded as failed with the
// step's error; nothing after it runs.
func TestFailedStepEndsTheJourney(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	ranOn := false
	d := &Journey[startParams]{Name: "test_failed_step", Version: 1, Run: func(j *J, _ startParams) (string, error) {
		j.Escalate(Task{Priority: "someday", Reason: "not a priority"})
		ranOn = true
		return "done", nil
	}}
	env.RegisterWorkflowWithOptions(d.WorkflowFunc(), workflow.RegisterOptions{Name: d.Name})
	env.RegisterActivity(&activities.Activities{})
	var finished activities.FinishEnrollmentRequest
	env.OnActivity(acts.FinishEnrollment, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req activities.FinishEnrollmentRequest) error { finished = req; return nil })
	env.ExecuteWorkflow(d.Name, Input{EnrollmentID: "e1", PatientID: "p1", Journey: d.Name})
	err := env.GetWorkflowError()
	if err == nil || !strings.Contains(err.Error(), "unknown task priority") {
		t.Fatalf("journey error %v, want the failed step's", err)
	}
	if ranOn || finished.Status != carepath.EnrollmentFailed || finished.Outcome != "error" {
		t.Fatalf("ran on after the failed step: %v; finished %+v", ranOn, finished)
	}
}

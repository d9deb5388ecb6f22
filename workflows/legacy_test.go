package workflows_test

// The per-task watcher (legacy.go) still runs for tasks raised before the
// task sweeper; these tests cover it until it is deleted. The sweeper has
// its own tests (sweeper_test.go).

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/activities"
	"github.com/carepath/carepath/workflows"
)

func runEscalation(t *testing.T, priority carepath.Priority, stillOpen int) []time.Duration {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(workflows.TaskEscalation, workflow.RegisterOptions{Name: workflows.TaskEscalationWorkflow})
	env.RegisterActivity(&activities.Activities{})
	start := env.Now()
	var at []time.Duration
	var a *activities.Activities
	env.OnActivity(a.EscalateTask, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req activities.EscalateTaskRequest) (activities.EscalateTaskResult, error) {
			at = append(at, env.Now().Sub(start))
			level := len(at)
			return activities.EscalateTaskResult{Escalated: level <= stillOpen, Level: level}, nil
		})
	env.ExecuteWorkflow(workflows.TaskEscalationWorkflow, workflows.TaskEscalationInput{TaskID: "t1", Priority: priority})
	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("escalation workflow: %v", env.GetWorkflowError())
	}
	return at
}

func TestUrgentTaskEscalatesUntilLastLevel(t *testing.T) {
	at := runEscalation(t, carepath.PriorityUrgent, 99)
	want := []time.Duration{15 * time.Minute, 30 * time.Minute}
	if len(at) != carepath.MaxEscalationLevel || at[0] != want[0] || at[1] != want[1] {
		t.Fatalf("escalated at %v, want %v", at, want)
	}
}

func TestAcknowledgedTaskStopsEscalating(t *testing.T) {
	// Acknowledged before the first deadline: one check, no escalation.
	if at := runEscalation(t, carepath.PriorityNormal, 0); len(at) != 1 || at[0] != 24*time.Hour {
		t.Fatalf("checks at %v", at)
	}
}

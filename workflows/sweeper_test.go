package workflows_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/carepath/carepath/activities"
	"github.com/carepath/carepath/workflows"
)

func TestTaskSweeperSweepsEveryIntervalAndSurvivesAFailedSweep(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(workflows.TaskSweeper, workflow.RegisterOptions{Name: workflows.TaskSweeperWorkflow})
	env.RegisterActivity(&activities.Activities{})
	start := env.Now()
	var at []time.Duration
	var a *activities.Activities
	env.OnActivity(a.SweepTasks, mock.Anything).Return(func(context.Context) (activities.SweepTasksResult, error) {
		at = append(at, env.Now().Sub(start))
		if len(at) == 2 {
			// The database is down for longer than a sweep may retry.
			return activities.SweepTasksResult{}, temporal.NewNonRetryableApplicationError("database down", "Down", nil)
		}
		return activities.SweepTasksResult{Escalated: 1}, nil
	})
	env.ExecuteWorkflow(workflows.TaskSweeperWorkflow)
	if !env.IsWorkflowCompleted() {
		t.Fatal("sweeper did not reach the end of its run")
	}
	var cont *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); !errors.As(err, &cont) || cont.WorkflowType.Name != workflows.TaskSweeperWorkflow {
		t.Fatalf("sweeper ended with %v, want to continue as new", err)
	}
	if len(at) != 500 {
		t.Fatalf("%d sweeps in a run, want 500", len(at))
	}
	for i, d := range at {
		if want := time.Duration(i) * workflows.SweepInterval; d != want {
			t.Fatalf("sweep %d at %v, want %v (one per interval, the failed one included)", i, d, want)
		}
	}
}

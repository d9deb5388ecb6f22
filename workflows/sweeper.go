package workflows

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/workflow"
)

// The task sweeper (TaskSweeperWorkflow) escalates every swept task whose
// acknowledgement deadline passed. One runs per deployment, so a task costs
// a row, not a watcher workflow: at a thousand urgent replies an hour that
// is a thousand workflows, their histories and their timers the server no
// longer keeps.
const (
	// SweepInterval is how late past its deadline a task may escalate.
	SweepInterval = time.Minute
	// sweepsPerRun bounds a run's history (about eight events a sweep).
	sweepsPerRun = 500
)

// TaskSweeper sweeps once a minute, on a timer, and continues as new
// before its history grows long.
func TaskSweeper(ctx workflow.Context) error {
	for range sweepsPerRun {
		if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, sweepOptions), acts.SweepTasks).Get(ctx, nil); err != nil {
			// The next sweep retries what this one missed; a sweeper that
			// stopped would leave every deadline unwatched.
			workflow.GetLogger(ctx).Warn("task sweep failed", "error", err)
		}
		if err := workflow.Sleep(ctx, SweepInterval); err != nil {
			return fmt.Errorf("task sweeper: %w", err)
		}
	}
	return workflow.NewContinueAsNewError(ctx, TaskSweeperWorkflow)
}

// sweepOptions retry within one interval; the next sweep takes over.
var sweepOptions = workflow.ActivityOptions{
	StartToCloseTimeout:    30 * time.Second,
	ScheduleToCloseTimeout: SweepInterval,
	RetryPolicy:            recordOptions.RetryPolicy,
}

// EnsureTaskSweeper starts the deployment's sweeper unless it runs; every
// worker calls it at start, and the fixed ID keeps it to one.
func EnsureTaskSweeper(ctx context.Context, c client.Client) error {
	_, err := c.ExecuteWorkflow(ctx, TaskSweeperStartOptions(), TaskSweeperWorkflow)
	if err != nil {
		return fmt.Errorf("start task sweeper: %w", err)
	}
	return nil
}

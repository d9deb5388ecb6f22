package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/carepath/carepath/activities"
)

// bulkChunk is how many pending patients the launch activity reads at a
// time; one activity launches page after page for up to its budget
// (activities.LaunchBatch).
const bulkChunk = 200

// chunksPerRun bounds a run's history: a chunk adds about six events (its
// activity and the workflow task after it), so a run stays near 3,000
// events, far below Temporal's history limits. Today's largest job
// (engine.MaxBatch patients, 50 chunks) ends in its first run; the bound
// keeps a larger one from growing a single history without end.
const chunksPerRun = 500

// BulkLaunch (BulkLaunchWorkflow) launches a job's patients chunk by chunk
// until none is pending. It survives worker crashes (a chunk is retried and
// resumes where it stopped) and continues as new before its history grows
// long.
func BulkLaunch(ctx workflow.Context, jobID string) error {
	opts := workflow.ActivityOptions{
		StartToCloseTimeout: 5 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
	}
	for range chunksPerRun {
		var res activities.LaunchBatchResult
		if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, opts), acts.LaunchBatch,
			activities.LaunchBatchRequest{JobID: jobID, Limit: bulkChunk}).Get(ctx, &res); err != nil {
			return fmt.Errorf("bulk launch: %w", err)
		}
		if res.Done {
			return nil
		}
	}
	return workflow.NewContinueAsNewError(ctx, BulkLaunchWorkflow, jobID)
}

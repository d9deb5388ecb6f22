package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/carepath/carepath/activities"
)

// BulkLaunchWorkflow runs a bulk launch.
const BulkLaunchWorkflow = "carepath.bulk_launch"

// BulkLaunchWorkflowID is keyed by the job: one launcher per job.
func BulkLaunchWorkflowID(jobID string) string { return "batch-" + jobID }

// bulkChunk is how many patients one activity launches.
const bulkChunk = 200

// BulkLaunch launches a job's patients chunk by chunk until none is
// pending. It survives worker crashes (a chunk is retried and resumes where
// it stopped) and continues as new before its history grows long.
func BulkLaunch(ctx workflow.Context, jobID string) error {
	opts := workflow.ActivityOptions{
		StartToCloseTimeout: 5 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
	}
	for chunks := 0; chunks < 500; chunks++ {
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

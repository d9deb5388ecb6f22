package activities

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"
	"golang.org/x/sync/errgroup"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
)

// launchParallelism is how many patients of a chunk launch at once. Each
// launch is an enrollment transaction and a workflow start, mostly waiting
// on round trips; 32 (was 16) is the bench's bare-Temporal start
// concurrency, and the pool (CAREPATH_DB_MAX_CONNS) bounds the
// transactions among them.
const launchParallelism = 32

// LaunchBatch launches up to Limit pending patients of a bulk launch. Each
// enrollment ID is derived from the job and the patient, so a retried or
// resumed chunk finds what it launched and never enrolls anyone twice.
func (a *Activities) LaunchBatch(ctx context.Context, req LaunchBatchRequest) (LaunchBatchResult, error) {
	if a.Enroll == nil {
		return LaunchBatchResult{}, temporal.NewNonRetryableApplicationError("no enroller configured", ErrTypeInvalidRequest, nil)
	}
	job, err := a.Store.BatchJobGet(ctx, req.JobID)
	if err != nil {
		return LaunchBatchResult{}, fmt.Errorf("launch batch: %w", err)
	}
	pending, err := a.Store.BatchPending(ctx, req.JobID, req.Limit)
	if err != nil {
		return LaunchBatchResult{}, fmt.Errorf("launch batch: %w", err)
	}
	// Patients launch in parallel: each launch waits on PostgreSQL and
	// Temporal round trips, not on CPU.
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(launchParallelism)
	for _, pid := range pending {
		g.Go(func() error { return a.launchOne(gctx, req.JobID, job, pid) })
	}
	if err := g.Wait(); err != nil {
		return LaunchBatchResult{}, fmt.Errorf("launch batch: %w", err) // retried: the chunk resumes
	}
	left, err := a.Store.BatchPending(ctx, req.JobID, 1)
	if err != nil {
		return LaunchBatchResult{}, fmt.Errorf("launch batch: %w", err)
	}
	if len(left) == 0 {
		if err := a.Store.BatchJobComplete(ctx, req.JobID); err != nil {
			return LaunchBatchResult{}, fmt.Errorf("launch batch: %w", err)
		}
	}
	return LaunchBatchResult{Processed: len(pending), Done: len(left) == 0}, nil
}

// launchOne enrolls one patient of a job and records how it went. An
// internal error is returned (the chunk is retried); anything the patient
// or journey caused is recorded as skipped or failed.
func (a *Activities) launchOne(ctx context.Context, jobID string, job store.BatchJob, pid string) error {
	want := uuid.NewSHA1(carepath.NamespaceBatch, []byte(jobID+"/"+pid)).String()
	got, err := a.Enroll(ctx, EnrollmentRequest{EnrollmentID: want, PatientID: pid, Journey: job.Journey, Params: job.Params})
	id, created := got.ID, got.Created
	status, reason := "launched", ""
	switch {
	case carepath.ErrorCode(err) == carepath.ENOTFOUND:
		status, reason, id = "skipped", SkipUnknownPatient, ""
	case err != nil && carepath.ErrorCode(err) != carepath.EINTERNAL:
		status, reason, id = "failed", carepath.ErrorCode(err), ""
	case err != nil:
		return err
	case !created && id != want:
		status, reason = "skipped", SkipAlreadyActive
	}
	return a.Store.BatchItemDone(ctx, jobID, pid, status, reason, id)
}

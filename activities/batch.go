package activities

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"

	"github.com/carepath/carepath"
)

// Enroller launches a journey for a patient under a given enrollment ID
// (idempotent: the same ID finds the same enrollment).
type Enroller func(ctx context.Context, patientID, journey string, params json.RawMessage, enrollmentID string) (id string, created bool, err error)

// batchSpace namespaces the enrollment IDs a bulk launch derives.
var batchSpace = uuid.MustParse("5a1d3c0e-6b2f-4f8e-9c7a-3e2d1b0a9f8c")

// LaunchBatch launches up to Limit pending patients of a bulk launch. Each
// enrollment ID is derived from the job and the patient, so a retried or
// resumed chunk finds what it launched and never enrolls anyone twice.
func (a *Activities) LaunchBatch(ctx context.Context, req LaunchBatchRequest) (LaunchBatchResult, error) {
	if a.Enroll == nil {
		return LaunchBatchResult{}, temporal.NewNonRetryableApplicationError("no enroller configured", ErrTypeSendConfig, nil)
	}
	job, err := a.Store.BatchJobGet(ctx, req.JobID)
	if err != nil {
		return LaunchBatchResult{}, fmt.Errorf("launch batch: %w", err)
	}
	pending, err := a.Store.BatchPending(ctx, req.JobID, req.Limit)
	if err != nil {
		return LaunchBatchResult{}, fmt.Errorf("launch batch: %w", err)
	}
	for _, pid := range pending {
		want := uuid.NewSHA1(batchSpace, []byte(req.JobID+"/"+pid)).String()
		id, created, err := a.Enroll(ctx, pid, job.Journey, job.Params, want)
		status, reason := "launched", ""
		switch {
		case carepath.ErrorCode(err) == carepath.ENOTFOUND:
			status, reason, id = "skipped", "unknown patient", ""
		case err != nil && carepath.ErrorCode(err) != carepath.EINTERNAL:
			status, reason, id = "failed", carepath.ErrorCode(err), ""
		case err != nil:
			return LaunchBatchResult{}, fmt.Errorf("launch batch: %w", err) // retried: the chunk resumes
		case !created && id != want:
			status, reason = "skipped", "already active in this journey"
		}
		if err := a.Store.BatchItemDone(ctx, req.JobID, pid, status, reason, id); err != nil {
			return LaunchBatchResult{}, fmt.Errorf("launch batch: %w", err)
		}
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

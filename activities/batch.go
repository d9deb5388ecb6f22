package activities

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"
	"golang.org/x/sync/errgroup"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
)

// launchParallelism is how many patients of a job launch at once. Each
// launch is an enrollment transaction and a workflow start, mostly waiting
// on round trips; 32 (was 16) is the bench's bare-Temporal start
// concurrency, and the pool (CAREPATH_DB_MAX_CONNS) bounds the
// transactions among them.
const launchParallelism = 32

// launchBudget is how long one LaunchBatch keeps taking pages of pending
// patients. Launches stream through one pool of launchParallelism across
// pages, instead of draining it at the end of every page (the last
// launches of a page ran with ever fewer beside them, then the workflow's
// next activity had to be dispatched); the activity still ends well inside
// its timeout, and the workflow calls it again until the job is done.
const launchBudget = 30 * time.Second

// LaunchBatch launches pending patients of a bulk launch, Limit per page,
// for up to launchBudget. Each enrollment ID is derived from the job and
// the patient, so a retried or resumed call finds what it launched and
// never enrolls anyone twice.
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
	rec := &launchRecord{a: a, jobID: req.JobID}
	since, processed := time.Now(), 0
	var next error
	for len(pending) > 0 && gctx.Err() == nil {
		for _, pid := range pending {
			g.Go(func() error { // waits while launchParallelism are running
				it, err := a.launchOne(gctx, job, req.JobID, pid)
				if err != nil {
					return err
				}
				return rec.add(gctx, it)
			})
		}
		processed += len(pending)
		if time.Since(since) > launchBudget {
			break
		}
		// The page's last launches are still running (and pending): the
		// next page starts after its last patient.
		if pending, next = a.Store.BatchPendingAfter(gctx, req.JobID, pending[len(pending)-1], req.Limit); next != nil {
			break
		}
	}
	// What was launched is recorded even when a launch failed: the retry
	// then has fewer to look at again.
	if err := errors.Join(g.Wait(), rec.flush(ctx), next); err != nil {
		return LaunchBatchResult{}, fmt.Errorf("launch batch: %w", err) // retried: the job resumes
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
	return LaunchBatchResult{Processed: processed, Done: len(left) == 0}, nil
}

// launchOne enrolls one patient of a job and says how it went. An
// internal error is returned (the chunk is retried); anything the patient
// or journey caused is a skipped or failed item.
func (a *Activities) launchOne(ctx context.Context, job store.BatchJob, jobID, pid string) (store.BatchItem, error) {
	want := uuid.NewSHA1(carepath.NamespaceBatch, []byte(jobID+"/"+pid)).String()
	got, err := a.Enroll(ctx, EnrollmentRequest{EnrollmentID: want, PatientID: pid, Journey: job.Journey, Params: job.Params})
	it := store.BatchItem{PatientID: pid, Status: "launched", EnrollmentID: got.ID}
	switch {
	case carepath.ErrorCode(err) == carepath.ENOTFOUND:
		it.Status, it.Reason, it.EnrollmentID = "skipped", SkipUnknownPatient, ""
	case err != nil && carepath.ErrorCode(err) != carepath.EINTERNAL:
		it.Status, it.Reason, it.EnrollmentID = "failed", carepath.ErrorCode(err), ""
	case err != nil:
		return store.BatchItem{}, err
	case !got.Created && got.ID != want:
		it.Status, it.Reason = "skipped", SkipAlreadyActive
	}
	return it, nil
}

// itemsPerWrite is how many patients' results one statement records. The
// launch itself (the enrollment's transaction and its workflow) is what
// must not be lost, and a retried chunk finds it again by its derived ID,
// so a result can wait for a few others: one write instead of one per
// patient.
const itemsPerWrite = 32

// launchRecord collects a chunk's results and writes them itemsPerWrite
// at a time.
type launchRecord struct {
	a     *Activities
	jobID string
	mu    sync.Mutex
	items []store.BatchItem
}

// add keeps it, writing the batch it fills.
func (r *launchRecord) add(ctx context.Context, it store.BatchItem) error {
	r.mu.Lock()
	r.items = append(r.items, it)
	var full []store.BatchItem
	if len(r.items) >= itemsPerWrite {
		full, r.items = r.items, nil
	}
	r.mu.Unlock()
	return r.write(ctx, full)
}

// flush writes what is left.
func (r *launchRecord) flush(ctx context.Context) error {
	r.mu.Lock()
	rest := r.items
	r.items = nil
	r.mu.Unlock()
	return r.write(ctx, rest)
}

func (r *launchRecord) write(ctx context.Context, items []store.BatchItem) error {
	if len(items) == 0 {
		return nil
	}
	if err := r.a.Store.BatchItemsDone(ctx, r.jobID, items); err != nil {
		return fmt.Errorf("record %d launches: %w", len(items), err)
	}
	return nil
}

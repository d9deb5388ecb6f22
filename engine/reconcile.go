package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
	"github.com/carepath/carepath/workflows"
)

// An enrollment or bulk launch is written to PostgreSQL before its workflow
// is started, so the record always exists for the workflow's first
// activity. The start can still fail (Temporal down, the process killed in
// between). The reconciler finds such rows and settles each: it starts the
// workflow under the same deterministic ID (a duplicate start is a no-op),
// or after MaxAttempts failed tries ends the row as failed with the reason.
// Rows are claimed one at a time with SKIP LOCKED, so any number of worker
// processes can reconcile at once.

// ReconcileOptions tune the reconciler.
type ReconcileOptions struct {
	Interval time.Duration // between sweeps
	// Grace is how old an unconfirmed row must be before the reconciler
	// looks: long enough for the launch that wrote it (or the parent
	// journey that starts it as a child) to finish the start itself.
	Grace time.Duration
	// ParentGrace is Grace for a journey a parent journey starts as its
	// child. The parent's start is retried by Temporal until it happens, so
	// only a parent that ended in between (terminated, reset) leaves it
	// unstarted; starting it sooner would race the parent, whose child
	// start then fails as "already started".
	ParentGrace time.Duration
	MaxAttempts int           // failed tries before the row is failed
	Backoff     time.Duration // wait after the first failed try; doubles, at most MaxBackoff
}

// DefaultReconcile: a failed start is retried for roughly an hour and a
// half (30 s, 1 min, 2 min, ... 30 min apart) before the row is failed.
var DefaultReconcile = ReconcileOptions{Interval: 30 * time.Second, Grace: 2 * time.Minute, ParentGrace: time.Hour,
	MaxAttempts: 8, Backoff: 30 * time.Second}

// MaxBackoff bounds the wait between tries.
const MaxBackoff = 30 * time.Minute

// OutcomeNotStarted is the outcome of an enrollment whose journey could
// never be started.
const OutcomeNotStarted = "not_started"

// reconcileBatch bounds one sweep; the next sweep takes the rest.
const reconcileBatch = 500

// temporalCallTimeout bounds each Temporal call a sweep makes while it
// holds a row lock.
const temporalCallTimeout = 10 * time.Second

var reconcilerActor = carepath.Actor{Kind: carepath.ActorSystem, ID: "reconciler"}

// Reconciled counts what one sweep did.
type Reconciled struct {
	Started, Confirmed, Failed, Retrying int
}

// Reconcile sweeps every o.Interval until ctx ends. Errors are logged: a
// database or Temporal outage only delays the next sweep.
func (e *Engine) Reconcile(ctx context.Context, o ReconcileOptions) {
	t := time.NewTicker(o.Interval)
	defer t.Stop()
	for {
		r, err := e.ReconcileOnce(ctx, o)
		switch {
		case err != nil && ctx.Err() == nil:
			e.Log.Warn("reconcile: sweep stopped early", "error", err)
		case r != Reconciled{}:
			e.Log.Info("reconcile: workflow starts settled", "started", r.Started, "confirmed", r.Confirmed,
				"failed", r.Failed, "retrying", r.Retrying)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// ReconcileOnce settles unconfirmed enrollments, then bulk launches, until
// none is due or a call to Temporal fails (then the rest wait for the next
// sweep: Temporal is likely down for them too).
func (e *Engine) ReconcileOnce(ctx context.Context, o ReconcileOptions) (Reconciled, error) {
	var r Reconciled
	for _, kind := range []func(context.Context, ReconcileOptions, *Reconciled) (bool, error){e.reconcileEnrollment, e.reconcileBatchJob} {
		for range reconcileBatch {
			more, err := kind(ctx, o, &r)
			if err != nil {
				return r, err
			}
			if !more {
				break
			}
		}
	}
	return r, nil
}

// errTemporal marks a sweep stopped by a failed Temporal call, after the
// row's attempt was recorded.
var errTemporal = errors.New("temporal call failed")

// reconcileEnrollment settles the oldest due enrollment; false when none is due.
func (e *Engine) reconcileEnrollment(ctx context.Context, o ReconcileOptions, r *Reconciled) (bool, error) {
	var found bool
	var terr error
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		enr, attempts, ok, err := q.EnrollmentUnstartedClaim(ctx, o.Grace, o.ParentGrace)
		if !ok || err != nil {
			return err
		}
		found = true
		tctx, cancel := context.WithTimeout(ctx, temporalCallTimeout)
		defer cancel()
		var started bool
		started, terr = e.ensureRunning(tctx, enr.WorkflowID, func(ctx context.Context) error { return e.startJourney(ctx, enr) })
		if terr == nil {
			count(r, started)
			return q.EnrollmentStarted(ctx, enr.ID)
		}
		n, err := q.EnrollmentStartFailed(ctx, enr.ID, backoff(o, attempts))
		if err != nil {
			return err
		}
		if n < o.MaxAttempts {
			r.Retrying++
			e.Log.Warn("reconcile: journey start failed; will retry", "enrollment_id", enr.ID, "attempts", n, "error", terr)
			return nil
		}
		r.Failed++
		reason := failureReason(n, terr)
		e.Log.Error("reconcile: journey never started; enrollment failed", "enrollment_id", enr.ID, "attempts", n, "error", terr)
		if err := q.EnrollmentFinish(ctx, enr.ID, carepath.EnrollmentFailed, OutcomeNotStarted); err != nil {
			return err
		}
		if err := q.EnrollmentOutcomeDetail(ctx, enr.ID, reason); err != nil {
			return err
		}
		return audit(ctx, q, reconcilerActor, "enrollment.fail", enr.PatientID, "enrollment/"+enr.ID)
	})
	if err == nil && terr != nil {
		err = fmt.Errorf("%w: %w", errTemporal, terr)
	}
	return found, err
}

// reconcileBatchJob settles the oldest due bulk launch; false when none is due.
func (e *Engine) reconcileBatchJob(ctx context.Context, o ReconcileOptions, r *Reconciled) (bool, error) {
	var found bool
	var terr error
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		id, attempts, ok, err := q.BatchJobUnstartedClaim(ctx, o.Grace)
		if !ok || err != nil {
			return err
		}
		found = true
		tctx, cancel := context.WithTimeout(ctx, temporalCallTimeout)
		defer cancel()
		var started bool
		started, terr = e.ensureRunning(tctx, workflows.BulkLaunchWorkflowID(id), func(ctx context.Context) error { return e.startBulkLaunch(ctx, id) })
		if terr == nil {
			count(r, started)
			return q.BatchJobStarted(ctx, id)
		}
		n, err := q.BatchJobStartFailed(ctx, id, backoff(o, attempts))
		if err != nil {
			return err
		}
		if n < o.MaxAttempts {
			r.Retrying++
			e.Log.Warn("reconcile: bulk launch start failed; will retry", "job_id", id, "attempts", n, "error", terr)
			return nil
		}
		r.Failed++
		e.Log.Error("reconcile: bulk launch never started; job failed", "job_id", id, "attempts", n, "error", terr)
		if err := q.BatchJobFail(ctx, id, failureReason(n, terr)); err != nil {
			return err
		}
		return audit(ctx, q, reconcilerActor, "enrollment.batch.fail", "", "batch/"+id)
	})
	if err == nil && terr != nil {
		err = fmt.Errorf("%w: %w", errTemporal, terr)
	}
	return found, err
}

// ensureRunning starts a workflow Temporal does not know; one it knows, in
// any state, is left alone. started reports whether this call started it.
func (e *Engine) ensureRunning(ctx context.Context, workflowID string, start func(context.Context) error) (started bool, err error) {
	_, err = e.Temporal.DescribeWorkflowExecution(ctx, workflowID, "")
	if err == nil {
		return false, nil
	}
	if !errNotFound(err) {
		return false, fmt.Errorf("describe workflow: %w", err)
	}
	if err := start(ctx); err != nil {
		return false, err
	}
	return true, nil
}

func count(r *Reconciled, started bool) {
	if started {
		r.Started++
	} else {
		r.Confirmed++
	}
}

// backoff is the wait after a row's attempts+1-th failed try.
func backoff(o ReconcileOptions, attempts int) time.Duration {
	d := o.Backoff
	for range attempts {
		if d >= MaxBackoff/2 {
			return MaxBackoff
		}
		d *= 2
	}
	return min(d, MaxBackoff)
}

// failureReason is what the row keeps: the last error, which names only
// workflow IDs, never PHI.
func failureReason(attempts int, err error) string {
	s := fmt.Sprintf("workflow could not be started after %d attempts: %v", attempts, err)
	if len(s) > 500 {
		s = s[:500]
	}
	return s
}

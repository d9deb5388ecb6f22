package engine

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/journeys"
	"github.com/carepath/carepath/store"
	"github.com/carepath/carepath/workflows"
)

// Temporal is "down" for an engine whose client points at a closed port;
// "up" is the package's dev server. The journeys are started, not run:
// no worker polls here, so a started workflow simply waits.

var testActor = carepath.Actor{Kind: carepath.ActorSystem, ID: "reconcile-test"}

// noWait reconciles rows at once and retries at once.
var noWait = ReconcileOptions{Interval: time.Second, Grace: 0, MaxAttempts: 3, Backoff: 0}

func newTestEngine(t *testing.T, temporalUp bool) *Engine {
	t.Helper()
	testenv.Pool(t) // migrations
	ctx := context.Background()
	st, err := store.Open(ctx, testenv.Get(t).DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	addr := "127.0.0.1:1"
	if temporalUp {
		addr = testenv.Get(t).TemporalAddress
	}
	tc, err := client.NewLazyClient(client.Options{HostPort: addr})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tc.Close)
	reg, err := journeys.Registry()
	if err != nil {
		t.Fatal(err)
	}
	return &Engine{Store: st, Temporal: tc, Journeys: reg, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

var phoneSeq atomic.Int64

func init() { phoneSeq.Store(time.Now().UnixNano() % 1_000_000 * 10) }

func newTestPatient(t *testing.T, e *Engine) string {
	t.Helper()
	id := uuid.NewString()
	_, err := e.Store.PatientInsert(context.Background(), id, carepath.NewPatient{GivenName: "Rec", FamilyName: "Onciler",
		BirthDate: "1970-01-01", Phone: fmt.Sprintf("+1333%07d", phoneSeq.Add(1)%10_000_000), Timezone: "UTC",
		PreferredChannel: "sms", Locale: "en"})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// workflowExists asks the dev server whether a workflow ID is known.
func workflowExists(t *testing.T, up *Engine, id string) bool {
	t.Helper()
	_, err := up.Temporal.DescribeWorkflowExecution(context.Background(), id, "")
	if err != nil && !errNotFound(err) {
		t.Fatalf("describe %s: %v", id, err)
	}
	return err == nil
}

// reconcileUntil sweeps until done holds; each sweep settles rows oldest
// first, so other tests' rows may be settled on the way.
func reconcileUntil(t *testing.T, e *Engine, o ReconcileOptions, what string, done func() bool) {
	t.Helper()
	for range 50 {
		if _, err := e.ReconcileOnce(context.Background(), o); err != nil && !strings.Contains(err.Error(), errTemporal.Error()) {
			t.Fatalf("reconcile: %v", err)
		}
		if done() {
			return
		}
	}
	t.Fatalf("not reconciled after 50 sweeps: %s", what)
}

// An enrollment accepted while Temporal was unreachable is recorded, and
// the reconciler starts its journey under the enrollment's workflow ID
// once Temporal is back.
func TestReconcilerStartsEnrollmentAcceptedWhileTemporalDown(t *testing.T) {
	ctx := context.Background()
	down, up := newTestEngine(t, false), newTestEngine(t, true)
	pid := newTestPatient(t, down)
	enr, created, err := down.Enroll(ctx, testActor, EnrollRequest{PatientID: pid, Journey: "onboarding"})
	if err != nil || !created {
		t.Fatalf("enroll with Temporal down: created=%v err=%v (the row is stored: the launch should be accepted)", created, err)
	}
	if workflowExists(t, up, enr.WorkflowID) {
		t.Fatal("workflow exists although Temporal was unreachable at launch")
	}
	reconcileUntil(t, up, noWait, "enrollment started", func() bool { return workflowExists(t, up, enr.WorkflowID) })
	got, err := up.Store.EnrollmentGet(ctx, enr.ID)
	if err != nil || got.Status != carepath.EnrollmentActive {
		t.Fatalf("enrollment after reconcile: %+v %v", got, err)
	}
	// Recorded as started: the next sweep leaves it alone.
	var started bool
	if err := testenv.Pool(t).QueryRow(ctx, `SELECT workflow_started_at IS NOT NULL FROM enrollments WHERE id = $1`, enr.ID).Scan(&started); err != nil || !started {
		t.Fatalf("workflow_started_at not recorded: %v", err)
	}
}

// A bulk launch accepted while Temporal was unreachable gets its launcher.
func TestReconcilerStartsBatchAcceptedWhileTemporalDown(t *testing.T) {
	ctx := context.Background()
	down, up := newTestEngine(t, false), newTestEngine(t, true)
	pid := newTestPatient(t, down)
	job, err := down.CreateBatch(ctx, testActor, BatchRequest{Journey: "onboarding", PatientIDs: []string{pid}})
	if err != nil {
		t.Fatalf("bulk launch with Temporal down: %v (the job is stored: it should be accepted)", err)
	}
	wid := workflows.BulkLaunchWorkflowID(job.ID)
	reconcileUntil(t, up, noWait, "bulk launch started", func() bool { return workflowExists(t, up, wid) })
}

// A start that keeps failing ends the enrollment as failed, with the
// reason, after MaxAttempts: never active with no workflow.
func TestReconcilerFailsEnrollmentThatNeverStarts(t *testing.T) {
	ctx := context.Background()
	down := newTestEngine(t, false)
	pid := newTestPatient(t, down)
	enr, _, err := down.Enroll(ctx, testActor, EnrollRequest{PatientID: pid, Journey: "onboarding"})
	if err != nil {
		t.Fatal(err)
	}
	o := noWait
	o.MaxAttempts = 2
	var got carepath.Enrollment
	reconcileUntil(t, down, o, "enrollment failed", func() bool {
		got, err = down.Store.EnrollmentGet(ctx, enr.ID)
		return err == nil && got.Status != carepath.EnrollmentActive
	})
	var attempts int
	var detail string
	if err := testenv.Pool(t).QueryRow(ctx, `SELECT start_attempts, outcome_detail FROM enrollments WHERE id = $1`, enr.ID).Scan(&attempts, &detail); err != nil {
		t.Fatal(err)
	}
	if got.Status != carepath.EnrollmentFailed || got.Outcome != OutcomeNotStarted || attempts != 2 ||
		!strings.Contains(detail, "could not be started after 2 attempts") {
		t.Fatalf("enrollment whose start kept failing: status=%s outcome=%s attempts=%d detail=%q", got.Status, got.Outcome, attempts, detail)
	}
	// A job likewise.
	job, err := down.CreateBatch(ctx, testActor, BatchRequest{Journey: "onboarding", PatientIDs: []string{pid}})
	if err != nil {
		t.Fatal(err)
	}
	reconcileUntil(t, down, o, "batch failed", func() bool {
		job, err = down.Store.BatchJobGet(ctx, job.ID)
		return err == nil && job.Status != "running"
	})
	if job.Status != "failed" || !strings.Contains(job.Failure, "could not be started") {
		t.Fatalf("batch whose start kept failing: %s %q", job.Status, job.Failure)
	}
}

// Cancelling an enrollment whose journey never started ends it at once,
// and the reconciler does not start it afterwards.
func TestCancelUnstartedEnrollment(t *testing.T) {
	ctx := context.Background()
	down, up := newTestEngine(t, false), newTestEngine(t, true)
	pid := newTestPatient(t, up)
	enr, _, err := down.Enroll(ctx, testActor, EnrollRequest{PatientID: pid, Journey: "onboarding"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := up.CancelEnrollment(ctx, testActor, enr.ID); err != nil {
		t.Fatal(err)
	}
	got, err := up.Store.EnrollmentGet(ctx, enr.ID)
	if err != nil || got.Status != carepath.EnrollmentCancelled {
		t.Fatalf("cancelled unstarted enrollment: %+v %v", got, err)
	}
	if _, err := up.ReconcileOnce(ctx, noWait); err != nil {
		t.Fatal(err)
	}
	if workflowExists(t, up, enr.WorkflowID) {
		t.Fatal("the reconciler started a cancelled enrollment's journey")
	}
}

// Several processes reconcile at once: each orphan is started once and no
// sweep fails.
func TestConcurrentReconcilers(t *testing.T) {
	ctx := context.Background()
	down := newTestEngine(t, false)
	var ids []string
	for range 6 {
		enr, _, err := down.Enroll(ctx, testActor, EnrollRequest{PatientID: newTestPatient(t, down), Journey: "onboarding"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, enr.WorkflowID)
	}
	var wg sync.WaitGroup
	var started atomic.Int64
	for range 3 {
		e := newTestEngine(t, true)
		wg.Go(func() {
			r, err := e.ReconcileOnce(ctx, noWait)
			if err != nil {
				t.Errorf("concurrent sweep: %v", err)
			}
			started.Add(int64(r.Started + r.Confirmed))
		})
	}
	wg.Wait()
	up := newTestEngine(t, true)
	for _, id := range ids {
		if !workflowExists(t, up, id) {
			t.Errorf("%s not started", id)
		}
	}
	if started.Load() < int64(len(ids)) {
		t.Errorf("sweeps settled %d rows, want at least %d", started.Load(), len(ids))
	}
}

// A journey a parent journey starts is left to the parent for ParentGrace:
// the reconciler starting it first would make the parent's child start
// fail as "already started" and end the parent as failed.
func TestReconcilerLeavesChildJourneysToTheirParent(t *testing.T) {
	ctx := context.Background()
	up := newTestEngine(t, true)
	id := uuid.NewString()
	enr := carepath.Enrollment{ID: id, PatientID: newTestPatient(t, up), Journey: "reengagement",
		Params: map[string]any{}, WorkflowID: workflows.WorkflowID(id)}
	if _, err := up.Store.EnrollmentInsertForParent(ctx, enr); err != nil {
		t.Fatal(err)
	}
	o := noWait
	o.ParentGrace = time.Hour
	if _, err := up.ReconcileOnce(ctx, o); err != nil {
		t.Fatal(err)
	}
	if workflowExists(t, up, enr.WorkflowID) {
		t.Fatal("the reconciler started a child journey within its parent's grace")
	}
	o.ParentGrace = 0 // the parent is long gone
	reconcileUntil(t, up, o, "orphaned child started", func() bool { return workflowExists(t, up, enr.WorkflowID) })
}

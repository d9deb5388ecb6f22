package engine

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/activities"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/workflows"
)

// A journey starting a journey goes through the one enrollment path: the
// enrollment is validated, recorded for its parent to start (the
// reconciler waits longer for it), audited, and found again by a retry;
// a second one for the same journey finds the first.
func TestJourneyEnrollmentIsRecordedForItsParent(t *testing.T) {
	ctx := context.Background()
	up := newTestEngine(t, true)
	pid := newTestPatient(t, up)
	enroll := up.Enroller()
	id := uuid.NewString()
	req := activities.EnrollmentRequest{EnrollmentID: id, PatientID: pid, Journey: "reengagement", ByParent: true}
	got, err := enroll(ctx, req)
	if err != nil || !got.Created || !got.Active || got.ID != id || len(got.Params) < 2 {
		t.Fatalf("first enrollment: %+v %v", got, err)
	}
	var byParent bool
	var audited int
	pool := testenv.Pool(t)
	if err := pool.QueryRow(ctx, `SELECT start_by_parent FROM enrollments WHERE id = $1`, id).Scan(&byParent); err != nil || !byParent {
		t.Fatalf("start_by_parent = %v (%v), want true", byParent, err)
	}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = 'enrollment.create' AND resource = $1 AND actor = $2`,
		"enrollment/"+id, journeyActor.Name()).Scan(&audited); err != nil || audited != 1 {
		t.Fatalf("enrollment.create audited %d times (%v), want 1", audited, err)
	}
	if workflowExists(t, up, workflows.WorkflowID(id)) {
		t.Fatal("the enroller started a journey its parent starts")
	}
	again, err := enroll(ctx, req)
	if err != nil || again.Created || !again.Active || again.ID != id || string(again.Params) != string(got.Params) {
		t.Fatalf("retry: %+v %v, want the same enrollment, not created", again, err)
	}
	other, err := enroll(ctx, activities.EnrollmentRequest{EnrollmentID: uuid.NewString(), PatientID: pid, Journey: "reengagement", ByParent: true})
	if err != nil || other.Created || other.ID != id {
		t.Fatalf("second enrollment in the journey: %+v %v, want the active one (%s)", other, err, id)
	}
	if _, err := enroll(ctx, activities.EnrollmentRequest{EnrollmentID: uuid.NewString(), PatientID: pid, Journey: "no_such_journey", ByParent: true}); carepath.ErrorCode(err) != carepath.EINVALID {
		t.Fatalf("unknown journey: %v, want EINVALID", err)
	}
}

// A retried enrollment that cannot read back the conflicting row must
// fail (and be retried), not answer "already in that journey": that answer
// silently dropped onboarding's hand-off to re-engagement.
func TestEnrollmentReadFailureIsAnError(t *testing.T) {
	ctx := context.Background()
	up := newTestEngine(t, true)
	pid := newTestPatient(t, up)
	// A row under the enrollment's ID that cannot be read back: its params
	// are not an object, so EnrollmentGet fails to decode them.
	id := uuid.NewString()
	if _, err := testenv.Pool(t).Exec(ctx, `INSERT INTO enrollments (id, patient_id, journey, params, status, workflow_id)
		VALUES ($1, $2, 'reengagement', '[1]', 'completed', $3)`, id, pid, carepath.EnrollmentWorkflowID(id)); err != nil {
		t.Fatal(err)
	}
	got, err := up.Enroller()(ctx, activities.EnrollmentRequest{EnrollmentID: id, PatientID: pid, Journey: "reengagement", ByParent: true})
	if err == nil || carepath.ErrorCode(err) == carepath.EINVALID {
		t.Fatalf("enroller answered %+v, %v although the existing row could not be read (want a retryable error)", got, err)
	}
}

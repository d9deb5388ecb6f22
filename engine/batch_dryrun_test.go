package engine

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/activities"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/store"
)

// A bulk dry run applies the launch's rules without launching: a patient
// who texted STOP is skipped as opted out, one already in the journey as
// already active, one whose only phone is marked invalid as unreachable,
// an unknown ID as unknown; the rest would be messaged on their channel.
// Nothing is enrolled, no job is recorded and no message is stored, even
// with Temporal unreachable (nothing is started).
func TestBatchDryRunSkipsByTheLaunchRules(t *testing.T) {
	ctx := context.Background()
	e := newTestEngine(t, false)
	pool := testenv.Pool(t)
	tag := "dryrun-" + uuid.NewString()[:8]
	ok1, ok2 := newTestPatient(t, e), newTestPatient(t, e)
	stopped, active, invalid := newTestPatient(t, e), newTestPatient(t, e), newTestPatient(t, e)
	ids := []string{ok1, ok2, stopped, active, invalid}
	for _, id := range ids {
		if _, _, _, err := e.Store.PatientSegmentsSet(ctx, id, []string{tag}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Store.ConsentAppend(ctx, store.Recipient{PatientID: stopped}, store.ConsentChange{Channel: carepath.ChannelSMS,
		Purpose: carepath.PurposeAll, Granted: false, Source: "sms:STOP"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Store.EnrollmentInsert(ctx, carepath.Enrollment{ID: uuid.NewString(), PatientID: active, Journey: "onboarding",
		Params: map[string]any{}, WorkflowID: carepath.EnrollmentWorkflowID(uuid.NewString())}); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE patients SET phone_status = 'invalid' WHERE id = $1`, invalid); err != nil {
		t.Fatal(err)
	}
	count := func(q string) int {
		var n int
		if err := pool.QueryRow(ctx, q, ids).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	enrolledBefore := count(`SELECT count(*) FROM enrollments WHERE patient_id = ANY($1::uuid[])`)
	var jobsBefore int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM batch_jobs`).Scan(&jobsBefore); err != nil {
		t.Fatal(err)
	}

	plan, err := e.DryRunBatch(ctx, testActor, BatchRequest{Journey: "onboarding", Segment: &Segment{Tag: tag}, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("dry run: counts %v, expected messages %d\n", plan.Counts, plan.ExpectedMessages)
	skipped := map[string]DryRunSkip{}
	for _, s := range plan.Skipped {
		skipped[s.PatientID] = s
	}
	want := map[string]string{stopped: activities.ReasonOptedOut, active: activities.SkipAlreadyActive, invalid: activities.ReasonInvalidContact}
	for id, reason := range want {
		if s := skipped[id]; s.Reason != reason || s.DisplayName != "Rec Onciler" || s.WouldEnroll != (reason != activities.SkipAlreadyActive) {
			t.Errorf("patient %s: skipped as %+v, want reason %q", id, s, reason)
		}
	}
	if len(plan.Skipped) != 3 || len(plan.WouldMessage) != 2 {
		t.Fatalf("skipped %+v, would message %+v", plan.Skipped, plan.WouldMessage)
	}
	for _, m := range plan.WouldMessage {
		if (m.PatientID != ok1 && m.PatientID != ok2) || m.Channel != carepath.ChannelSMS {
			t.Errorf("would message %+v", m)
		}
	}
	// Onboarding sends its welcome and its first question before a reply.
	if !plan.DryRun || plan.MessagesEach != 2 || plan.ExpectedMessages != 4 || plan.Counts["patients"] != 5 ||
		plan.Counts["skipped"] != 3 || plan.Counts["would_message"] != 2 || plan.Counts[activities.ReasonOptedOut] != 1 {
		t.Fatalf("plan %+v", plan)
	}

	if n := count(`SELECT count(*) FROM enrollments WHERE patient_id = ANY($1::uuid[])`); n != enrolledBefore {
		t.Fatalf("%d enrollments after the dry run, %d before", n, enrolledBefore)
	}
	if n := count(`SELECT count(*) FROM messages WHERE patient_id = ANY($1::uuid[])`); n != 0 {
		t.Fatalf("%d messages stored by a dry run", n)
	}
	var jobs int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM batch_jobs`).Scan(&jobs); err != nil || jobs != jobsBefore {
		t.Fatalf("%d batch jobs after, %d before (%v)", jobs, jobsBefore, err)
	}
	if n := count(`SELECT count(*) FROM audit_log WHERE action = 'enrollment.batch_dry_run' AND patient_id = ANY($1::uuid[])`); n != 5 {
		t.Fatalf("%d dry-run audit entries, want one per patient shown (5)", n)
	}

	// An explicit list: an unknown ID is skipped as the launch skips it.
	unknown := uuid.NewString()
	plan, err = e.DryRunBatch(ctx, testActor, BatchRequest{Journey: "reengagement", PatientIDs: []string{ok1, unknown}, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Skipped) != 1 || plan.Skipped[0].PatientID != unknown || plan.Skipped[0].Reason != activities.SkipUnknownPatient ||
		len(plan.WouldMessage) != 1 || plan.ExpectedMessages != 1 {
		t.Fatalf("explicit list: %+v", plan)
	}
	// Invalid params fail the dry run as they fail the launch.
	if _, err := e.DryRunBatch(ctx, testActor, BatchRequest{Journey: "onboarding", PatientIDs: []string{ok1},
		Params: []byte(`{"reminders":9}`), DryRun: true}); carepath.ErrorCode(err) != carepath.EINVALID {
		t.Fatalf("bad params: %v, want EINVALID", err)
	}
}

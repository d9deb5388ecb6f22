package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/store"
)

// A program decline is recorded once per ID, read back while open, and
// won back once; the engagement report counts decliners, those who came
// back, and the path, on the journey that recorded the decline.
func TestProgramDeclineLifecycleAndReport(t *testing.T) {
	ctx := context.Background()
	q := store.NewQueries(testenv.Tx(t))
	from := time.Now().Add(-time.Hour)
	enroll := func(p carepath.Patient, journey string) string {
		e := carepath.Enrollment{ID: uuid.NewString(), PatientID: p.ID, Journey: journey, Params: map[string]any{}}
		e.WorkflowID = "enrollment/" + e.ID
		if _, err := q.EnrollmentInsert(ctx, e); err != nil {
			t.Fatal(err)
		}
		return e.ID
	}
	a, b := newPatient(t, q, "+15550007001"), newPatient(t, q, "+15550007002")
	onbA, onbB := enroll(a, "onboarding"), enroll(b, "onboarding")

	if _, _, ok, err := q.DeclineOpen(ctx, a.ID); err != nil || ok {
		t.Fatalf("open decline before any: %v %v", ok, err)
	}
	d := store.ProgramDecline{ID: uuid.NewString(), PatientID: a.ID, Program: "onboarding", EnrollmentID: onbA, Reason: "cost"}
	for range 2 { // a retried activity inserts once
		if err := q.DeclineInsert(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	if err := q.DeclineInsert(ctx, store.ProgramDecline{ID: uuid.NewString(), PatientID: b.ID, Program: "onboarding", EnrollmentID: onbB}); err != nil {
		t.Fatal(err)
	}
	program, reason, ok, err := q.DeclineOpen(ctx, a.ID)
	if err != nil || !ok || program != "onboarding" || reason != "cost" {
		t.Fatalf("open decline: %q %q %v %v", program, reason, ok, err)
	}

	touch := enroll(a, "reengagement")
	if n, err := q.DeclineReturned(ctx, a.ID, touch, "reengagement:after_visit"); err != nil || n != 1 {
		t.Fatalf("return: %d %v", n, err)
	}
	if n, err := q.DeclineReturned(ctx, a.ID, touch, "reengagement:after_visit"); err != nil || n != 0 {
		t.Fatalf("second return: %d %v, want nothing left to win back", n, err)
	}
	if _, _, ok, _ := q.DeclineOpen(ctx, a.ID); ok {
		t.Fatal("a decline won back is still open")
	}

	rep, err := q.EngagementReport(ctx, from, time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	byJourney := map[string]store.JourneyEngagement{}
	for _, r := range rep {
		byJourney[r.Journey] = r
	}
	onb := byJourney["onboarding"].Decliners
	if onb.Declined != 2 || onb.Reengaged != 1 || len(onb.Paths) != 1 || onb.Paths["reengagement:after_visit"] != 1 {
		t.Fatalf("onboarding decliners %+v", onb)
	}
	if re := byJourney["reengagement"].Decliners; re.Declined != 0 || re.Paths == nil {
		t.Fatalf("re-engagement decliners %+v, want none (and an empty map)", re)
	}
}

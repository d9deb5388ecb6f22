package engine

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/internal/testenv"
)

// The engagement report charts the satisfaction scores per journey and how
// many messages each patient enrolled in the range was sent (only messages
// a provider accepted count; a patient sent none counts as 0).
func TestEngagementReportDistributions(t *testing.T) {
	ctx := context.Background()
	e := newTestEngine(t, false)
	pool := testenv.Pool(t)
	// A window of its own in the past, so other tests' rows stay out.
	from := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rand.IntN(100_000)) * time.Hour)
	to := from.Add(time.Hour)
	journey := "report_test"
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := pool.Exec(ctx, sql, args...); err != nil {
			t.Fatal(err)
		}
	}
	sends := [][]string{{"sent", "delivered", "suppressed"}, {"delivered"}, {"failed"}}
	scores := []int{9, 9, 3}
	for i := range 3 {
		pid, enr := newTestPatient(t, e), uuid.NewString()
		exec(`INSERT INTO enrollments (id, patient_id, journey, status, workflow_id, created_at) VALUES ($1, $2, $3, 'active', $4, $5)`,
			enr, pid, journey, carepath.EnrollmentWorkflowID(enr), from.Add(time.Minute))
		for _, st := range sends[i] {
			exec(`INSERT INTO messages (id, patient_id, enrollment_id, direction, channel, body, status) VALUES ($1, $2, $3, 'outbound', 'sms', 'x', $4)`,
				uuid.NewString(), pid, enr, st)
		}
		exec(`INSERT INTO feedback (id, patient_id, enrollment_id, kind, score) VALUES ($1, $2, $3, 'satisfaction', $4)`,
			uuid.NewString(), pid, enr, scores[i])
	}
	rep, err := e.EngagementReport(ctx, testActor, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Journeys) != 1 {
		t.Fatalf("journeys %+v", rep.Journeys)
	}
	j := rep.Journeys[0]
	fmt.Printf("engagement distributions: satisfaction %v, messages per patient %v\n", j.Satisfaction.Distribution, rep.MessagesPerPatient)
	if fmt.Sprint(j.Satisfaction.Distribution) != "map[3:1 9:2]" || j.Satisfaction.Count != 3 {
		t.Errorf("satisfaction %+v", j.Satisfaction)
	}
	if fmt.Sprint(rep.MessagesPerPatient) != "map[0:1 1:1 2:1]" {
		t.Errorf("messages per patient %v, want one patient each with 0, 1 and 2", rep.MessagesPerPatient)
	}
	if j.Enrolled != 3 || j.Messaged != 2 {
		t.Errorf("funnel %+v", j)
	}
}

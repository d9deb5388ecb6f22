package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/store"
)

// A patient's enrollments, newest first, with their status and outcome;
// the read is audited; another patient's enrollments are not listed.
func TestPatientEnrollmentsList(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	careTeam, _ := newKey(t, srv, "care_team")
	newPatient := func() string {
		st, p := do(t, srv, "POST", "/v1/patients", adminKey, goodPatient)
		if st != http.StatusCreated {
			t.Fatalf("create patient: %d %v", st, p)
		}
		return p["id"].(string)
	}
	patient, other := newPatient(), newPatient()
	q := store.NewQueries(testenv.Pool(t))
	enroll := func(patientID, journey string) string {
		id := uuid.NewString()
		if _, err := q.EnrollmentInsert(ctx, carepath.Enrollment{ID: id, PatientID: patientID, Journey: journey,
			Params: map[string]any{}, WorkflowID: carepath.EnrollmentWorkflowID(id)}); err != nil {
			t.Fatal(err)
		}
		return id
	}
	first := enroll(patient, "onboarding")
	if err := q.EnrollmentFinish(ctx, first, carepath.EnrollmentCompleted, "engaged"); err != nil {
		t.Fatal(err)
	}
	second := enroll(patient, "post_visit_checkin")
	enroll(other, "onboarding")

	st, body := do(t, srv, "GET", "/v1/patients/"+patient+"/enrollments", careTeam, "")
	if st != http.StatusOK {
		t.Fatalf("list: %d %v", st, body)
	}
	items := body["items"].([]any)
	if len(items) != 2 {
		t.Fatalf("%d enrollments, want 2: %v", len(items), items)
	}
	newest, oldest := items[0].(map[string]any), items[1].(map[string]any)
	if newest["id"] != second || newest["status"] != "active" || newest["journey"] != "post_visit_checkin" || newest["step"] != nil {
		t.Errorf("newest: %v", newest)
	}
	if oldest["id"] != first || oldest["status"] != "completed" || oldest["outcome"] != "engaged" || oldest["step"] != "finished" ||
		oldest["completed_at"] == nil || oldest["created_at"] == nil {
		t.Errorf("oldest: %v", oldest)
	}
	if n := auditCount(t, "enrollment.list", "patient/"+patient+"/enrollments"); n != 1 {
		t.Fatalf("enrollment.list audited %d times, want 1", n)
	}
	if st, b := do(t, srv, "GET", "/v1/patients/"+patient+"/enrollments?limit=1", careTeam, ""); st != http.StatusOK || len(b["items"].([]any)) != 1 {
		t.Fatalf("limit 1: %d %v", st, b)
	}
	for _, id := range []string{uuid.NewString(), "nope"} {
		if st, _ := do(t, srv, "GET", "/v1/patients/"+id+"/enrollments", careTeam, ""); st != http.StatusNotFound {
			t.Errorf("unknown patient %s: %d, want 404", id, st)
		}
	}
	if st, b := do(t, srv, "GET", "/v1/patients/"+patient+"/enrollments?limit=0", careTeam, ""); st != http.StatusBadRequest || errField(b) != "limit" {
		t.Errorf("limit 0: %d %v", st, b)
	}
}

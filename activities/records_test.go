package activities

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/store"
)

// A retried CreateEnrollment that cannot read back the conflicting row must
// fail (and be retried), not answer "already in that journey": that answer
// silently dropped onboarding's hand-off to re-engagement.
func TestCreateEnrollmentReadFailureIsRetried(t *testing.T) {
	ctx := context.Background()
	pool := testenv.Pool(t)
	st, err := store.Open(ctx, testenv.Get(t).DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	p, err := st.PatientInsert(ctx, uuid.NewString(), carepath.NewPatient{GivenName: "Rec", FamilyName: "Test",
		BirthDate: "1970-01-01", Phone: "+14449990001", Timezone: "UTC", PreferredChannel: "sms", Locale: "en"})
	if err != nil {
		t.Fatal(err)
	}
	// A row under the enrollment's ID that cannot be read back: its params
	// are not an object, so EnrollmentGet fails to decode them.
	id := uuid.NewString()
	if _, err := pool.Exec(ctx, `INSERT INTO enrollments (id, patient_id, journey, params, status, workflow_id)
		VALUES ($1, $2, 'reengagement', '[1]', 'completed', $3)`, id, p.ID, carepath.EnrollmentWorkflowID(id)); err != nil {
		t.Fatal(err)
	}
	a := &Activities{Store: st, NormalizeParams: func(_ string, raw json.RawMessage) (json.RawMessage, error) { return raw, nil }}
	res, err := a.CreateEnrollment(ctx, CreateEnrollmentRequest{EnrollmentID: id, PatientID: p.ID, Journey: "reengagement",
		Params: json.RawMessage(`{}`)})
	if err == nil {
		t.Fatalf("CreateEnrollment answered %+v with no error although the existing row could not be read", res)
	}
}

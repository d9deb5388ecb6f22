package activities

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"go.temporal.io/sdk/temporal"

	"github.com/carepath/carepath"
)

// CreateEnrollment asks the one enrollment path to record, not start, the
// journey (its parent starts it), and tells the journey whether to start
// it. The path itself is tested in engine (enroll_test.go).
func TestCreateEnrollmentAnswers(t *testing.T) {
	ctx := context.Background()
	const id = "3a9a7a0e-8f1b-4c39-9d0e-1f2a3b4c5d6e"
	req := CreateEnrollmentRequest{EnrollmentID: id, PatientID: "p", Journey: "reengagement", Params: json.RawMessage(`{}`)}
	full := json.RawMessage(`{"delay":"24h"}`)
	for _, tc := range []struct {
		name      string
		got       Enrolled
		err       error
		start     bool
		retryable bool // an error the activity's retries may fix
		failed    bool
	}{
		{name: "new", got: Enrolled{ID: id, Created: true, Active: true, Params: full}, start: true},
		{name: "own row found by a retry", got: Enrolled{ID: id, Active: true, Params: full}, start: true},
		{name: "own row already ended", got: Enrolled{ID: id, Params: full}},
		{name: "already in the journey", got: Enrolled{ID: "other", Active: true, Params: full}},
		// Answering "already in that journey" when the existing row could
		// not be read silently dropped onboarding's hand-off to
		// re-engagement: the error must be returned and retried.
		{name: "existing row unreadable", err: errors.New("enroll: find existing enrollment: decode params"), failed: true, retryable: true},
		{name: "params invalid", err: carepath.Invalid("params.delay", "bad"), failed: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var asked EnrollmentRequest
			a := &Activities{Enroll: func(_ context.Context, r EnrollmentRequest) (Enrolled, error) {
				asked = r
				return tc.got, tc.err
			}}
			res, err := a.CreateEnrollment(ctx, req)
			if asked.EnrollmentID != id || !asked.ByParent || asked.Journey != req.Journey || string(asked.Params) != string(req.Params) {
				t.Fatalf("asked the enroller %+v", asked)
			}
			if tc.failed {
				var app *temporal.ApplicationError
				nonRetryable := errors.As(err, &app) && app.NonRetryable()
				if err == nil || nonRetryable == tc.retryable {
					t.Fatalf("answered %+v, %v; want an error, retryable=%v", res, err, tc.retryable)
				}
				return
			}
			if err != nil || res.Start != tc.start {
				t.Fatalf("answered %+v, %v; want start=%v", res, err, tc.start)
			}
			if tc.start && string(res.Params) != string(full) {
				t.Fatalf("params %s, want the normalised %s", res.Params, full)
			}
		})
	}
}

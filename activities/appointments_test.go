package activities

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
)

// A reminder's reply, recorded by an activity Temporal may run twice: the
// second run changes nothing (one version step for the EHR pusher), an
// appointment not on record is reported not found instead of failing the
// journey, and a malformed request is not retried.
func TestAppointmentRespondUnderRetry(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t)
	p, err := st.PatientInsert(ctx, uuid.NewString(), carepath.NewPatient{GivenName: "Remind", FamilyName: "Me",
		BirthDate: "1970-01-01", Phone: "+14449990201", Timezone: "UTC", PreferredChannel: "sms", Locale: "en"})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(48 * time.Hour)
	appt, err := st.AppointmentInsertFHIR(ctx, store.Appointment{ID: uuid.NewString(), PatientID: p.ID,
		FHIRID: "act-" + uuid.NewString()[:8], Status: "booked", Start: &start})
	if err != nil {
		t.Fatal(err)
	}
	a := &Activities{Store: st, Log: slog.New(slog.DiscardHandler)}
	req := AppointmentRespondRequest{AppointmentID: appt.ID, PatientID: p.ID, EnrollmentID: uuid.NewString(),
		Response: AppointmentCancelled, MessageID: uuid.NewString(), RespondedAt: time.Now().UTC().Truncate(time.Microsecond)}
	var versions []int64
	for range 2 {
		res, err := a.AppointmentRespond(ctx, req)
		if err != nil || !res.Found || res.Status != "cancelled" {
			t.Fatalf("respond: %+v %v", res, err)
		}
		versions = append(versions, res.Version)
	}
	if versions[0] != appt.Version+1 || versions[1] != versions[0] {
		t.Fatalf("versions %v after a retry, want one step from %d", versions, appt.Version)
	}
	for range 2 {
		if err := a.AppointmentReminded(ctx, AppointmentRemindedRequest{AppointmentID: appt.ID, PatientID: p.ID, Reminders: 1}); err != nil {
			t.Fatal(err)
		}
	}
	got, _, err := st.AppointmentByFHIRIDLock(ctx, appt.FHIRID)
	if err != nil || got.RemindersSent != 1 || got.PatientResponse != "declined" || got.Response != AppointmentCancelled {
		t.Fatalf("stored %+v %v", got, err)
	}

	missing := req
	missing.AppointmentID = uuid.NewString()
	if res, err := a.AppointmentRespond(ctx, missing); err != nil || res.Found {
		t.Fatalf("unknown appointment: %+v %v, want not found and no error", res, err)
	}
	for _, bad := range []AppointmentRespondRequest{
		{AppointmentID: "not-a-uuid", PatientID: p.ID, Response: AppointmentConfirmed},
		{AppointmentID: appt.ID, PatientID: p.ID, Response: "maybe"},
	} {
		_, err := a.AppointmentRespond(ctx, bad)
		var app *temporal.ApplicationError
		if !errors.As(err, &app) || !app.NonRetryable() {
			t.Errorf("%+v: %v, want a non-retryable error", bad, err)
		}
	}
}

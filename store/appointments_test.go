package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/store"
)

// newAppointment stores a booked appointment for p, as the EHR side does.
func newAppointment(t *testing.T, q *store.Queries, p carepath.Patient, status string) store.Appointment {
	t.Helper()
	start := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Second)
	a, err := q.AppointmentInsertFHIR(context.Background(), store.Appointment{ID: uuid.NewString(), PatientID: p.ID,
		FHIRID: "appt-" + uuid.NewString()[:8], Status: status, Start: &start})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func getAppointment(t *testing.T, q *store.Queries, fhirID string) store.Appointment {
	t.Helper()
	a, found, err := q.AppointmentByFHIRIDLock(context.Background(), fhirID)
	if err != nil || !found {
		t.Fatalf("get appointment: %v %v", found, err)
	}
	return a
}

// A reply is applied once: a retried activity (same reply time) changes
// neither the version nor anything else; each response sets the patient
// participant's status the EHR is told, and X cancels.
func TestAppointmentRespondIsIdempotent(t *testing.T) {
	ctx := context.Background()
	q := store.NewQueries(testenv.Tx(t))
	p := newPatient(t, q, "+15550008001")
	at := time.Date(2026, 1, 6, 20, 31, 0, 0, time.UTC)
	for _, c := range []struct {
		response, participant, status string
	}{
		{store.AppointmentConfirmed, "accepted", "booked"},
		{store.AppointmentRescheduleRequested, "needs-action", "booked"},
		{store.AppointmentCancelled, "declined", "cancelled"},
	} {
		t.Run(c.response, func(t *testing.T) {
			a := newAppointment(t, q, p, "booked")
			r := store.AppointmentResponse{AppointmentID: a.ID, PatientID: p.ID, Response: c.response, RespondedAt: at}
			first, err := q.AppointmentRespond(ctx, r)
			if err != nil || !first.Applied || first.Version != a.Version+1 || first.Status != c.status {
				t.Fatalf("first: %+v %v (was version %d)", first, err, a.Version)
			}
			again, err := q.AppointmentRespond(ctx, r)
			if err != nil || again.Applied || again.Version != first.Version || again.Status != c.status {
				t.Fatalf("retry: %+v %v, want unchanged version %d", again, err, first.Version)
			}
			got := getAppointment(t, q, a.FHIRID)
			if got.Response != c.response || got.PatientResponse != c.participant || got.Status != c.status ||
				got.Version != first.Version || got.RespondedAt == nil || !got.RespondedAt.Equal(at) || !got.UpdatedAt.After(a.CreatedAt.Add(-time.Second)) {
				t.Fatalf("stored %+v", got)
			}
		})
	}
	// Another patient's appointment, or none: not found, nothing changed.
	a := newAppointment(t, q, p, "booked")
	other := newPatient(t, q, "+15550008002")
	if _, err := q.AppointmentRespond(ctx, store.AppointmentResponse{AppointmentID: a.ID, PatientID: other.ID,
		Response: store.AppointmentConfirmed, RespondedAt: at}); carepath.ErrorCode(err) != carepath.ENOTFOUND {
		t.Fatalf("another patient's appointment: %v", err)
	}
	if got := getAppointment(t, q, a.FHIRID); got.Version != a.Version || got.Response != "" {
		t.Fatalf("changed by another patient's reply: %+v", got)
	}
	// A cancellation reply never revives or overrides an ended appointment.
	done := newAppointment(t, q, p, "fulfilled")
	res, err := q.AppointmentRespond(ctx, store.AppointmentResponse{AppointmentID: done.ID, PatientID: p.ID,
		Response: store.AppointmentCancelled, RespondedAt: at})
	if err != nil || res.Status != "fulfilled" {
		t.Fatalf("cancel after fulfilled: %+v %v", res, err)
	}
}

// reminders_sent takes the journey's count: a retry sets the same number,
// and the EHR-facing version does not move.
func TestAppointmentRemindedCounts(t *testing.T) {
	ctx := context.Background()
	q := store.NewQueries(testenv.Tx(t))
	p := newPatient(t, q, "+15550008003")
	a := newAppointment(t, q, p, "booked")
	for _, n := range []int{1, 1, 2, 1} { // the last: a late retry of the first
		if err := q.AppointmentReminded(ctx, a.ID, p.ID, n); err != nil {
			t.Fatal(err)
		}
	}
	if got := getAppointment(t, q, a.FHIRID); got.RemindersSent != 2 || got.Version != a.Version {
		t.Fatalf("reminders %d version %d, want 2 and %d", got.RemindersSent, got.Version, a.Version)
	}
	if err := q.AppointmentReminded(ctx, uuid.NewString(), p.ID, 1); carepath.ErrorCode(err) != carepath.ENOTFOUND {
		t.Fatalf("unknown appointment: %v", err)
	}
}

// The engagement report's appointment figures: of the appointments the
// journey followed, those reminded, confirmed, cancelled, rescheduled,
// and no-shows after reminders (a no-show never reminded is not one).
func TestEngagementAppointmentFigures(t *testing.T) {
	ctx := context.Background()
	q := store.NewQueries(testenv.Tx(t))
	from := time.Now().Add(-time.Hour)
	at := time.Now()
	follow := func(i int, status string, reminders int, response string) {
		p := newPatient(t, q, fmt.Sprintf("+1555000810%d", i))
		a := newAppointment(t, q, p, "booked")
		e := carepath.Enrollment{ID: uuid.NewString(), PatientID: p.ID, Journey: "appointment_reminders", Key: a.ID,
			Params: map[string]any{}}
		e.WorkflowID = "enrollment/" + e.ID
		if _, err := q.EnrollmentInsert(ctx, e); err != nil {
			t.Fatal(err)
		}
		if reminders > 0 {
			if err := q.AppointmentReminded(ctx, a.ID, p.ID, reminders); err != nil {
				t.Fatal(err)
			}
		}
		if response != "" {
			if _, err := q.AppointmentRespond(ctx, store.AppointmentResponse{AppointmentID: a.ID, PatientID: p.ID,
				Response: response, RespondedAt: at}); err != nil {
				t.Fatal(err)
			}
		}
		if status != "booked" {
			a.Status = status
			if _, err := q.AppointmentUpdateFHIR(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
	}
	follow(0, "booked", 2, store.AppointmentConfirmed)
	follow(1, "fulfilled", 1, store.AppointmentConfirmed)
	follow(2, "booked", 1, store.AppointmentCancelled)
	follow(3, "booked", 2, store.AppointmentRescheduleRequested)
	follow(4, "noshow", 2, "")
	follow(5, "noshow", 0, "") // booked too late to remind: not a no-show after reminders
	follow(6, "booked", 0, "")

	rows, err := q.EngagementReport(ctx, from, time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var f *store.AppointmentFigures
	for _, r := range rows {
		switch {
		case r.Journey == "appointment_reminders":
			f = r.Appointments
		case r.Appointments != nil:
			t.Errorf("%s carries appointment figures", r.Journey)
		}
	}
	if f == nil {
		t.Fatal("no appointment figures on the appointment_reminders line")
	}
	fmt.Printf("appointment figures: followed %d reminded %d confirmed %d cancelled %d reschedule %d no-shows %d; rates: confirmation %.2f cancellation %.2f no-show %.2f\n",
		f.Followed, f.Reminded, f.Confirmed, f.Cancelled, f.RescheduleRequested, f.NoShows, *f.ConfirmationRate,
		*f.CancellationRate, *f.NoShowRate)
	want := store.AppointmentFigures{Followed: 7, Reminded: 5, Confirmed: 2, Cancelled: 1, RescheduleRequested: 1, NoShows: 1}
	got := *f
	got.ConfirmationRate, got.CancellationRate, got.NoShowRate = nil, nil, nil
	if got != want {
		t.Fatalf("figures %+v, want %+v", got, want)
	}
	if *f.ConfirmationRate != 0.4 || *f.CancellationRate != 0.2 || *f.NoShowRate != 0.2 {
		t.Fatalf("rates %v %v %v, want 0.4 0.2 0.2", *f.ConfirmationRate, *f.CancellationRate, *f.NoShowRate)
	}
}

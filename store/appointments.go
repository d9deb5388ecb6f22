package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// The patient's side of an appointment (the appointment_reminders
// journey's replies and reminders). The EHR's side, the upsert from a FHIR
// Appointment, is in fhir_appointments.go.

// Appointment responses (appointments.response) and the patient
// participant's FHIR ParticipationStatus each sets.
const (
	AppointmentConfirmed           = "confirmed"
	AppointmentCancelled           = "cancelled"
	AppointmentRescheduleRequested = "reschedule_requested"
)

// participation is the patient participant's status each response gives
// the Appointment: confirming accepts it, cancelling declines it, and
// asking to reschedule leaves it as it was (the new time is the
// scheduling staff's to book).
var participation = map[string]string{
	AppointmentConfirmed: "accepted",
	AppointmentCancelled: "declined",
}

// AppointmentResponse is a patient's answer to a reminder.
type AppointmentResponse struct {
	AppointmentID string
	PatientID     string
	Response      string // AppointmentConfirmed, AppointmentCancelled, AppointmentRescheduleRequested
	// RespondedAt is when the reply arrived (the journey's clock), which
	// also makes the change idempotent: the same answer at the same time
	// is applied once.
	RespondedAt time.Time
}

// AppointmentRespondResult is the appointment after the answer.
type AppointmentRespondResult struct {
	Version int64
	Status  string
	// Applied is false when the answer had already been applied (a retry).
	Applied bool
}

// AppointmentRespond records the patient's answer: response and
// responded_at, the patient participant's status (confirmed → accepted,
// cancelled → declined) and, for a cancellation of an appointment still
// to happen, status cancelled; version+1 and updated_at, which the EHR
// pusher picks up. Applied once per (appointment, RespondedAt). ENOTFOUND
// when the patient has no such appointment.
func (q *Queries) AppointmentRespond(ctx context.Context, r AppointmentResponse) (AppointmentRespondResult, error) {
	if _, ok := participation[r.Response]; !ok && r.Response != AppointmentRescheduleRequested {
		return AppointmentRespondResult{}, fmt.Errorf("appointment respond: unknown response %q", r.Response)
	}
	var res AppointmentRespondResult
	// A nil participation (reschedule) keeps the column as it is.
	var patientResponse *string
	if p, ok := participation[r.Response]; ok {
		patientResponse = &p
	}
	err := q.db.QueryRow(ctx, stmt("AppointmentRespond"), r.AppointmentID, r.PatientID, r.Response, r.RespondedAt,
		patientResponse).Scan(&res.Version, &res.Status)
	if err == nil {
		res.Applied = true
		return res, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return res, wrapErr("appointment respond", err)
	}
	// Nothing updated: already applied (a retry), or no such appointment.
	err = q.db.QueryRow(ctx, stmt("AppointmentGetForPatient"), r.AppointmentID, r.PatientID).Scan(&res.Version, &res.Status)
	if err != nil {
		return res, wrapErr("appointment respond", notFound(err, "appointment"))
	}
	return res, nil
}

// AppointmentReminded records that n reminders of the appointment have
// been sent (the journey's own count, so a retry sets the same number).
// ENOTFOUND when the patient has no such appointment.
func (q *Queries) AppointmentReminded(ctx context.Context, appointmentID, patientID string, n int) error {
	tag, err := q.db.Exec(ctx, stmt("AppointmentReminded"), appointmentID, patientID, n)
	if err != nil {
		return wrapErr("appointment reminded", err)
	}
	if tag.RowsAffected() == 0 {
		return wrapErr("appointment reminded", notFound(pgx.ErrNoRows, "appointment"))
	}
	return nil
}

// AppointmentFigures are the appointment reminders' results for the
// engagement report: of the appointments followed, how many were reminded
// and what came of it. Rates are out of those reminded (nil when none
// was).
type AppointmentFigures struct {
	Followed            int `json:"followed"`
	Reminded            int `json:"reminded"` // at least one reminder sent
	Confirmed           int `json:"confirmed"`
	Cancelled           int `json:"cancelled"` // by the patient's reply
	RescheduleRequested int `json:"reschedule_requested"`
	// NoShows are appointments the EHR marked noshow after at least one
	// reminder went out.
	NoShows          int      `json:"no_shows"`
	ConfirmationRate *float64 `json:"confirmation_rate"`
	CancellationRate *float64 `json:"cancellation_rate"`
	NoShowRate       *float64 `json:"no_show_rate"`
}

// AppointmentEngagement counts the appointments followed by
// appointment_reminders enrollments started in [from, to).
func (q *Queries) AppointmentEngagement(ctx context.Context, from, to time.Time) (AppointmentFigures, error) {
	var f AppointmentFigures
	err := q.db.QueryRow(ctx, stmt("AppointmentEngagement"), from, to).Scan(&f.Followed, &f.Reminded, &f.Confirmed,
		&f.Cancelled, &f.RescheduleRequested, &f.NoShows)
	if err != nil {
		return f, wrapErr("appointment engagement", err)
	}
	rate := func(n int) *float64 {
		if f.Reminded == 0 {
			return nil
		}
		r := float64(n) / float64(f.Reminded)
		return &r
	}
	f.ConfirmationRate, f.CancellationRate, f.NoShowRate = rate(f.Confirmed), rate(f.Cancelled), rate(f.NoShows)
	return f, nil
}

package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Appointment is an appointment carepath reminds a patient of
// (appointments): the EHR's status and start, and the patient's side.
type Appointment struct {
	ID              string
	PatientID       string
	FHIRID          string // the EHR's Appointment id
	Status          string // FHIR AppointmentStatus
	Start           *time.Time
	PatientResponse string // FHIR ParticipationStatus of the patient participant
	Response        string // confirmed, cancelled, reschedule_requested; "" before a reply
	RespondedAt     *time.Time
	RemindersSent   int
	EnrollmentID    string
	Version         int64
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// AppointmentByFHIRIDLock returns the appointment an EHR Appointment id
// feeds, locked for the rest of the transaction; found is false when
// there is none.
func (q *Queries) AppointmentByFHIRIDLock(ctx context.Context, fhirID string) (a Appointment, found bool, err error) {
	err = q.db.QueryRow(ctx, stmt("AppointmentByFHIRIDLock"), fhirID).Scan(&a.ID, &a.PatientID, &a.FHIRID, &a.Status,
		&a.Start, &a.PatientResponse, &a.Response, &a.RespondedAt, &a.RemindersSent, &a.EnrollmentID, &a.Version,
		&a.CreatedAt, &a.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Appointment{}, false, nil
	}
	if err != nil {
		return Appointment{}, false, fmt.Errorf("get appointment: %w", err)
	}
	return a, true, nil
}

// AppointmentInsertFHIR stores a new appointment from an EHR Appointment
// (ID, PatientID, FHIRID, Status, Start, PatientResponse) at version 1.
func (q *Queries) AppointmentInsertFHIR(ctx context.Context, a Appointment) (Appointment, error) {
	if a.PatientResponse == "" {
		a.PatientResponse = "needs-action"
	}
	err := q.db.QueryRow(ctx, stmt("AppointmentInsertFHIR"), a.ID, a.PatientID, a.FHIRID, a.Status, a.Start,
		a.PatientResponse).Scan(&a.Version, &a.CreatedAt, &a.UpdatedAt)
	if err != nil {
		return Appointment{}, fmt.Errorf("insert appointment: %w", err)
	}
	return a, nil
}

// AppointmentUpdateFHIR applies an EHR's change (patient, status, start,
// patient response) to a stored appointment: version+1, updated_at now.
// The caller has compared and found a change.
func (q *Queries) AppointmentUpdateFHIR(ctx context.Context, a Appointment) (Appointment, error) {
	err := q.db.QueryRow(ctx, stmt("AppointmentUpdateFHIR"), a.ID, a.PatientID, a.Status, a.Start,
		a.PatientResponse).Scan(&a.Version, &a.UpdatedAt)
	if err != nil {
		return Appointment{}, fmt.Errorf("update appointment: %w", notFound(err, "appointment"))
	}
	return a, nil
}

// AppointmentFollowers returns the workflow IDs of a patient's active
// enrollments following an appointment (journey key = its carepath ID).
func (q *Queries) AppointmentFollowers(ctx context.Context, patientID, appointmentID string) ([]string, error) {
	ids, err := collectStrings(ctx, q.db, stmt("AppointmentFollowers"), patientID, appointmentID)
	return ids, wrapErr("appointment followers", err)
}

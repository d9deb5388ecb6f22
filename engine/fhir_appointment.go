package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/fhir"
	"github.com/carepath/carepath/store"
	"github.com/carepath/carepath/workflows"
)

// applyFHIRAppointment keeps the appointments row an Appointment feeds
// (status, start, patient, the patient participant's status; version+1 on
// a change) and triggers what the change means (docs/fhir.md):
//   - entering booked with the start ahead: event appointment.booked
//     {appointment_id, start} (the reminders journey);
//   - entering fulfilled: appointment.completed {visit_id: the Appointment
//     id} (post-visit check-in); entering noshow: appointment.missed
//     (re-engagement's same-day follow-up);
//   - any change to a stored appointment: SignalAppointment to the
//     patient's active enrollments following it (journey key = its id),
//     so pending reminders move or stop.
//
// Event source IDs carry the row's version, so a re-send records nothing
// new and a later change (cancelled, then booked again) records its own.
func applyFHIRAppointment(ctx context.Context, w *fhirApply) error {
	in, err := fhir.AppointmentFromFHIR(w.Raw)
	if err != nil || w.Check {
		return err
	}
	patientID, err := w.patient(ctx, in.PatientRefPath, in.PatientRef)
	if err != nil {
		return err
	}
	row, found, err := w.q.AppointmentByFHIRIDLock(ctx, w.ID)
	if err != nil {
		return err
	}
	prev := row
	next := row
	next.PatientID, next.FHIRID, next.Status, next.Start = patientID, w.ID, in.Status, in.Start
	// The EHR's needs-action does not undo a patient's reply it has not
	// caught up with yet.
	if in.PatientStatus != "" && in.PatientStatus != "needs-action" {
		next.PatientResponse = in.PatientStatus
	} else if !found {
		next.PatientResponse = "needs-action"
	}
	switch {
	case !found:
		next.ID = uuid.NewString()
		if next, err = w.q.AppointmentInsertFHIR(ctx, next); err != nil {
			return err
		}
	case appointmentChanged(prev, next):
		if next, err = w.q.AppointmentUpdateFHIR(ctx, next); err != nil {
			return err
		}
	}
	w.PatientID, w.Ref = patientID, "appointment/"+next.ID
	if found && next.Version == prev.Version {
		return nil // the resource changed, not what carepath keeps of it
	}
	prevStatus := ""
	if found {
		prevStatus = prev.Status
	}
	if err := appointmentEvents(ctx, w, prevStatus, next); err != nil {
		return err
	}
	if found {
		e := w.e
		w.After = append(w.After, func(ctx context.Context) error { return e.signalAppointment(ctx, next) })
	}
	return nil
}

func appointmentChanged(a, b store.Appointment) bool {
	return a.PatientID != b.PatientID || a.Status != b.Status || a.PatientResponse != b.PatientResponse ||
		!sameTime(a.Start, b.Start)
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// appointmentEvents records the events entering a status triggers.
func appointmentEvents(ctx context.Context, w *fhirApply, prevStatus string, a store.Appointment) error {
	if a.Status == prevStatus {
		return nil
	}
	source := func(what string) string { return fhirEventSource(w.Type, w.ID, fmt.Sprintf("v%d/%s", a.Version, what)) }
	switch a.Status {
	case "booked":
		if a.Start == nil || !a.Start.After(w.Now) {
			return nil // nothing ahead to remind of
		}
		return w.Event(ctx, source("booked"), "appointment.booked",
			map[string]any{"appointment_id": a.ID, "start": a.Start.UTC().Format(time.RFC3339)})
	case "fulfilled":
		if appointmentLongAgo(a, w.Now, visitFollowUpWindow) {
			return nil // a backfilled old visit: no check-in about it
		}
		// One visit, one check-in: an Encounter finished for this
		// appointment records the same event (FHIRCLIN's mapper).
		return w.Event(ctx, fhirVisitEventID(w.ID), "appointment.completed", map[string]any{"visit_id": w.ID})
	case "noshow":
		if appointmentLongAgo(a, w.Now, missedFollowUpWindow) {
			return nil // the same-day follow-up is long past
		}
		return w.Event(ctx, source("noshow"), "appointment.missed", map[string]any{"appointment_id": a.ID})
	}
	return nil
}

// How long after an appointment's start its outcome still starts a
// follow-up: an EHR backfilling or re-syncing old appointments must not
// text patients about visits long past.
const (
	visitFollowUpWindow  = 14 * 24 * time.Hour
	missedFollowUpWindow = 2 * 24 * time.Hour
)

func appointmentLongAgo(a store.Appointment, now time.Time, window time.Duration) bool {
	return a.Start != nil && a.Start.Before(now.Add(-window))
}

// signalAppointment tells the journeys following an appointment how it
// now stands. A journey that is no longer running is not an error.
func (e *Engine) signalAppointment(ctx context.Context, a store.Appointment) error {
	wfs, err := e.Store.AppointmentFollowers(ctx, a.PatientID, a.ID)
	if err != nil {
		return err
	}
	u := workflows.AppointmentUpdate{AppointmentID: a.ID, Status: a.Status, Version: a.Version}
	if a.Start != nil {
		u.Start = *a.Start
	}
	for _, wf := range wfs {
		if err := e.Temporal.SignalWorkflow(ctx, wf, "", workflows.SignalAppointment, u); err != nil && !errNotFound(err) {
			return fmt.Errorf("signal appointment change: %w", err)
		}
	}
	return nil
}

// redoFHIRAppointment drives a re-sent Appointment's visit event again
// and signals its followers again (a journey ignores an update it already
// has).
func redoFHIRAppointment(ctx context.Context, e *Engine, a carepath.Actor, stored store.FHIRResource) error {
	if err := e.redoEvents(ctx, a, fhirVisitEventID(stored.ID), false); err != nil {
		return err
	}
	appt, found, err := e.Store.AppointmentByFHIRIDLock(ctx, stored.ID)
	if err != nil || !found {
		return err
	}
	return e.signalAppointment(ctx, appt)
}

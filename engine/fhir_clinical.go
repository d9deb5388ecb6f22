package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/fhir"
	"github.com/carepath/carepath/store"
)

// The clinical resources an EHR sends (Observation, Encounter, CarePlan,
// MedicationRequest) mapped onto carepath's existing paths: a reading
// through recordReading, a finished visit and a started treatment through
// the events that trigger journeys. The reading of each resource is
// fhir/in_*.go; here is what carepath does with it, inside the write's
// transaction (w.q) and after its commit (w.After).

// treatmentJourney is the journey CarePlans and MedicationRequests start.
const treatmentJourney = "treatment_followup"

// fhirVisitStale: a visit that ended longer ago starts no post-visit
// check-in. A backfill of old encounters must not ask patients how they
// feel after a visit months ago; two weeks is well past the check-in's
// default 72-hour delay.
const fhirVisitStale = 14 * 24 * time.Hour

// applyFHIRObservation records a vital sign as a reading: canonical unit,
// judged against its safe range (an out-of-range reading raises its task
// in this transaction), handed to the patient's journeys after commit.
// Source ID fhir:Observation/<id>. An update with the same reading (status
// final after preliminary, amended with the value unchanged) records
// nothing again; one with a different reading (a corrected value or time)
// records it as a new reading under fhir:Observation/<id>/v<version>,
// judged again, and the resource then points at it. Readings are
// append-only in carepath: the earlier one, and any task it raised, stay
// for the care team. Statuses without a result (entered-in-error,
// cancelled, registered, unknown) record nothing, and leave what an
// earlier version recorded as it is.
func applyFHIRObservation(ctx context.Context, w *fhirApply) error {
	in, err := fhir.ObservationFromFHIR(w.Raw)
	if err != nil || w.Check {
		return err
	}
	if w.PatientID, err = w.patient(ctx, "Observation.subject", in.Subject); err != nil {
		return err
	}
	var prior *carepath.Reading
	if w.Prior != nil {
		w.Ref = w.Prior.Ref
		if p, err := fhir.ObservationFromFHIR(w.Prior.Content); err == nil {
			prior = p.Reading
		}
	}
	if in.Reading == nil || sameReading(prior, in.Reading) && strings.HasPrefix(w.Ref, "observation/") {
		return nil
	}
	r := *in.Reading
	r.SourceID = "fhir:Observation/" + w.ID
	if w.Prior != nil && strings.HasPrefix(w.Prior.Ref, "observation/") {
		r.SourceID += "/v" + strconv.FormatInt(w.Prior.Version+1, 10)
	}
	obs, _, _, err := recordReading(ctx, w.q, w.actor, w.PatientID, r, "")
	if err != nil {
		return fmt.Errorf("fhir observation: %w", err)
	}
	w.Ref = "observation/" + obs.ID
	e := w.e
	w.After = append(w.After, func(ctx context.Context) error { return e.DeliverObservation(ctx, obs) })
	return nil
}

// sameReading: the two readings are one measurement (code, values, unit
// as sent, time).
func sameReading(a, b *carepath.Reading) bool {
	if a == nil || b == nil {
		return false
	}
	eq := func(x, y *float64) bool { return x == nil && y == nil || x != nil && y != nil && *x == *y }
	return a.Code == b.Code && a.OriginalValue == b.OriginalValue && eq(a.OriginalValue2, b.OriginalValue2) &&
		a.OriginalUnit == b.OriginalUnit && a.EffectiveAt.Equal(b.EffectiveAt)
}

// redoFHIRObservation hands a re-sent, unchanged Observation's reading to
// the journeys again: the first delivery may have failed after commit
// (journeys count each reading once).
func redoFHIRObservation(ctx context.Context, e *Engine, _ carepath.Actor, stored store.FHIRResource) error {
	obsID, ok := strings.CutPrefix(stored.Ref, "observation/")
	if !ok || stored.PatientID == "" {
		return nil
	}
	in, err := fhir.ObservationFromFHIR(stored.Content)
	if err != nil || in.Reading == nil {
		return nil // what it recorded came from an earlier version; delivered then
	}
	r := in.Reading
	return e.DeliverObservation(ctx, store.Observation{ID: obsID, PatientID: stored.PatientID, Code: r.Code,
		Value: r.Value, Value2: r.Value2, Unit: r.Unit, EffectiveAt: r.EffectiveAt})
}

// applyFHIREncounter: a finished Encounter is a completed visit, event
// "appointment.completed" (the post-visit check-in). The visit is named
// by the Appointment the Encounter fulfils when it gives one, under the
// same source ID the Appointment's fulfilled records, so the two start
// one check-in; else by the Encounter. Other statuses, and visits that
// ended more than fhirVisitStale ago, record nothing.
func applyFHIREncounter(ctx context.Context, w *fhirApply) error {
	in, err := fhir.EncounterFromFHIR(w.Raw)
	if err != nil || w.Check {
		return err
	}
	if w.PatientID, err = w.patient(ctx, "Encounter.subject", in.Subject); err != nil {
		return err
	}
	if !in.Finished || !in.EndedAt.IsZero() && w.Now.Sub(in.EndedAt) > fhirVisitStale {
		return nil
	}
	source, data := encounterVisit(w.ID, in)
	return w.Event(ctx, source, "appointment.completed", data)
}

// fhirVisitEventID is the source ID of the "appointment.completed" event
// of a visit booked as an Appointment, fhir:visit/<Appointment id>:
// recorded by the Appointment turning fulfilled and by its Encounter
// finishing, whichever comes first, so the two start one check-in.
func fhirVisitEventID(appointmentID string) string { return "fhir:visit/" + appointmentID }

// encounterVisit is the source ID and data of the event a finished
// Encounter records: the Appointment's visit when it names one, else its
// own (fhir:Encounter/<id>/finished).
func encounterVisit(encounterID string, in fhir.EncounterIn) (string, map[string]any) {
	visit, source := encounterID, fhirEventSource("Encounter", encounterID, "finished")
	if in.AppointmentID != "" {
		visit, source = in.AppointmentID, fhirVisitEventID(in.AppointmentID)
	}
	data := map[string]any{"visit_id": visit, "encounter_id": encounterID}
	if in.Class != "" {
		data["class"] = in.Class
	}
	return source, data
}

// redoFHIREncounter launches a re-sent, unchanged Encounter's visit event
// again when it was recorded under its Appointment's visit ID, which is
// not among the Encounter's own events that FHIRWrite re-drives.
func redoFHIREncounter(ctx context.Context, e *Engine, a carepath.Actor, stored store.FHIRResource) error {
	in, err := fhir.EncounterFromFHIR(stored.Content)
	if err != nil || !in.Finished || in.AppointmentID == "" {
		return nil
	}
	return e.redoEvents(ctx, a, fhirVisitEventID(in.AppointmentID), false)
}

// applyFHIRCarePlan: an active CarePlan (intent plan or order) starts one
// treatment follow-up keyed by the CarePlan's id, with the params its
// activities and period give (fhir.CarePlanFromFHIR), event
// "care_plan.started". Later versions change nothing in a running
// follow-up (a journey's params are fixed at its start); a plan that ends
// (completed, revoked, entered-in-error) cancels it.
func applyFHIRCarePlan(ctx context.Context, w *fhirApply) error {
	in, err := fhir.CarePlanFromFHIR(w.Raw, w.Now)
	if err != nil {
		return err
	}
	if err := w.checkTreatmentParams("CarePlan", in.Params); err != nil || w.Check {
		return err
	}
	if w.PatientID, err = w.patient(ctx, "CarePlan.subject", in.Subject); err != nil {
		return err
	}
	switch {
	case in.Active:
		return w.startTreatment(ctx, carePlanSourceID(w.ID), w.ID, in.Params, nil)
	case in.Ended:
		w.stopTreatment(w.ID)
	}
	return nil
}

// carePlanSourceID is the source ID of a CarePlan's "care_plan.started":
// recorded by the plan, or first by a MedicationRequest based on it.
func carePlanSourceID(carePlanID string) string {
	return fhirEventSource("CarePlan", carePlanID, "started")
}

// applyFHIRMedicationRequest: an active order (fhir.MedicationRequestFromFHIR)
// starts the treatment follow-up. Based on a CarePlan: the plan's own
// follow-up (key and source ID the plan's), started here only when the
// plan is not stored yet, so a prescription arriving before its plan
// still starts it once; a plan carepath has decides by its own status.
// Else its own follow-up, key "medreq-<id>", which its end (stopped,
// cancelled, completed, entered-in-error) cancels.
func applyFHIRMedicationRequest(ctx context.Context, w *fhirApply) error {
	in, err := fhir.MedicationRequestFromFHIR(w.Raw)
	if err != nil {
		return err
	}
	if err := w.checkTreatmentParams("MedicationRequest", in.Params); err != nil || w.Check {
		return err
	}
	if w.PatientID, err = w.patient(ctx, "MedicationRequest.subject", in.Subject); err != nil {
		return err
	}
	extra := map[string]any{"medication_request_id": w.ID}
	if in.Medication != "" {
		extra["medication"] = in.Medication
	}
	ownKey := "medreq-" + w.ID
	switch {
	case in.Active && in.CarePlanID != "":
		_, err := w.q.FHIRResourceGet(ctx, "CarePlan", in.CarePlanID)
		if carepath.ErrorCode(err) != carepath.ENOTFOUND {
			return err // nil: the stored plan decides
		}
		return w.startTreatment(ctx, carePlanSourceID(in.CarePlanID), in.CarePlanID, in.Params, extra)
	case in.Active:
		return w.startTreatment(ctx, fhirEventSource("MedicationRequest", w.ID, "started"), ownKey, in.Params, extra)
	case in.Ended && in.CarePlanID == "":
		w.stopTreatment(ownKey)
	}
	return nil
}

// checkTreatmentParams refuses params the follow-up would refuse at
// enrollment, before anything is stored (the mapping clamps them into
// range, so this is a guard, not a rule a sender meets).
func (w *fhirApply) checkTreatmentParams(typ string, params map[string]any) error {
	if params == nil {
		return nil
	}
	raw, err := json.Marshal(params)
	if err != nil {
		return fmt.Errorf("fhir %s: encode params: %w", typ, err)
	}
	if _, err := w.e.Journeys.NormalizeParams(treatmentJourney, raw); err != nil {
		var ce *carepath.Error
		if !errors.As(err, &ce) {
			return fmt.Errorf("fhir %s: check params: %w", typ, err)
		}
		return carepath.Invalid(typ, "maps onto treatment follow-up params carepath cannot use (%s: %s)", ce.Field, ce.Message)
	}
	return nil
}

// startTreatment records "care_plan.started" for the follow-up key under
// sourceID (the enrollment's ID derives from it).
func (w *fhirApply) startTreatment(ctx context.Context, sourceID, key string, params, extra map[string]any) error {
	data := map[string]any{"care_plan_id": key}
	if params != nil {
		data["params"] = params
	}
	for k, v := range extra {
		data[k] = v
	}
	return w.Event(ctx, sourceID, "care_plan.started", data)
}

// stopTreatment cancels, after commit, the patient's running follow-up
// under key, if there is one.
func (w *fhirApply) stopTreatment(key string) {
	e, a, patientID := w.e, w.actor, w.PatientID
	w.After = append(w.After, func(ctx context.Context) error {
		enr, err := e.Store.EnrollmentActiveGet(ctx, patientID, treatmentJourney, key)
		if carepath.ErrorCode(err) == carepath.ENOTFOUND {
			return nil
		}
		if err != nil {
			return fmt.Errorf("fhir: stop treatment follow-up: %w", err)
		}
		if _, err := e.CancelEnrollment(ctx, a, enr.ID); err != nil && carepath.ErrorCode(err) != carepath.ECONFLICT {
			return fmt.Errorf("fhir: stop treatment follow-up: %w", err)
		}
		return nil
	})
}

// redoFHIRMedicationRequest launches again the plan's follow-up event a
// re-sent, unchanged prescription recorded under its CarePlan's source ID
// (the plan not stored yet then); re-driving one the plan recorded itself
// is as harmless (the enrollment's ID derives from the event).
func redoFHIRMedicationRequest(ctx context.Context, e *Engine, a carepath.Actor, stored store.FHIRResource) error {
	in, err := fhir.MedicationRequestFromFHIR(stored.Content)
	if err != nil || !in.Active || in.CarePlanID == "" {
		return nil
	}
	return e.redoEvents(ctx, a, carePlanSourceID(in.CarePlanID), false)
}

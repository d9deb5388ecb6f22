package fhir

import (
	"encoding/json"
	"slices"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"
)

// MedicationRequestIn is an EHR's MedicationRequest as carepath reads it:
// an active order starts the treatment follow-up (its medication check-ins
// are what a new prescription needs), keyed by the CarePlan it is based
// on, so a plan and its prescriptions run one follow-up; one that ends
// stops the follow-up it started on its own key (never a plan's).
type MedicationRequestIn struct {
	Subject string // the Patient reference
	Status  string
	Intent  string
	// Active: status active, an intent that is an order or a plan, and
	// not doNotPerform (an order NOT to give a drug is no treatment).
	Active bool
	// Ended: status cancelled, completed, stopped or entered-in-error.
	Ended bool
	// CarePlanID is the first basedOn that is a literal CarePlan
	// reference, "" without one.
	CarePlanID string
	// Medication is medicationCodeableConcept's text, else its first
	// coding's display ("" for a medicationReference): kept in the event's
	// data for the care team, never logged.
	Medication string
	// Params: the follow-up's code when reasonCode names diabetes or
	// hypertension (loinc.go); nil otherwise (the journey's defaults).
	Params map[string]any
}

// Intents that are an agreed order or plan (not a proposal or an option).
var medicationFollowIntents = []string{"order", "plan", "original-order", "reflex-order", "filler-order", "instance-order"}

// MedicationRequestFromFHIR reads a MedicationRequest. Errors name FHIR
// paths.
func MedicationRequestFromFHIR(raw json.RawMessage) (MedicationRequestIn, error) {
	var mr fm.MedicationRequest
	h, err := clinDecode(raw, "MedicationRequest", &mr)
	if err != nil {
		return MedicationRequestIn{}, err
	}
	in := MedicationRequestIn{Status: *h.Status, Intent: clinStr(h.Intent)}
	if in.Intent == "" {
		return in, invalidRequired("MedicationRequest.intent")
	}
	if in.Subject, err = clinPatientRef(&mr.Subject, "MedicationRequest.subject"); err != nil {
		return in, err
	}
	cc := mr.MedicationCodeableConcept
	if len(cc.Coding) == 0 && cc.Text == nil && mr.MedicationReference.Reference == nil &&
		mr.MedicationReference.Identifier == nil && mr.MedicationReference.Display == nil {
		return in, invalidRequired("MedicationRequest.medication[x]")
	}
	in.Medication = clinStr(cc.Text)
	for _, c := range cc.Coding {
		if in.Medication != "" {
			break
		}
		in.Medication = clinStr(c.Display)
	}
	for _, ref := range mr.BasedOn {
		if id, ok := clinRefTo(ref, "CarePlan"); ok {
			in.CarePlanID = id
			break
		}
	}
	in.Ended = slices.Contains(requestEndedStatuses, in.Status)
	in.Active = in.Status == "active" && slices.Contains(medicationFollowIntents, in.Intent) &&
		(mr.DoNotPerform == nil || !*mr.DoNotPerform)
	for _, rc := range mr.ReasonCode {
		if code, ok := clinConditionCode(rc); ok {
			in.Params = map[string]any{"code": code}
			break
		}
	}
	return in, nil
}

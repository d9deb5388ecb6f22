package fhir

import (
	"encoding/json"
	"time"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/carepath/carepath"
)

// EncounterIn is an EHR's Encounter as carepath reads it. Only a finished
// one does anything: it is a completed visit (the post-visit check-in's
// trigger).
type EncounterIn struct {
	Subject string // the Patient reference
	Status  string
	Class   string // class.code (AMB, IMP, VR, HH…), as sent
	// Finished: status finished, a completed visit.
	Finished bool
	// AppointmentID is the id of the Appointment the Encounter fulfils
	// (the first Encounter.appointment that is a literal Appointment
	// reference), "" without one. It names the visit, so the Appointment
	// (fulfilled) and its Encounter (finished) are one visit.
	AppointmentID string
	// EndedAt is when the visit ended: period.end, else period.start;
	// zero without a period.
	EndedAt time.Time
}

// EncounterFromFHIR reads an Encounter. Errors name FHIR paths.
func EncounterFromFHIR(raw json.RawMessage) (EncounterIn, error) {
	var enc fm.Encounter
	h, err := clinDecode(raw, "Encounter", &enc)
	if err != nil {
		return EncounterIn{}, err
	}
	in := EncounterIn{Status: *h.Status, Class: clinStr(enc.Class.Code), Finished: *h.Status == "finished"}
	if in.Subject, err = clinPatientRef(enc.Subject, "Encounter.subject"); err != nil {
		return in, err
	}
	for i, ref := range enc.Appointment {
		if id, ok := clinRefTo(ref, "Appointment"); ok {
			in.AppointmentID = id
			break
		}
		if clinStr(ref.Reference) != "" && !isURN(clinStr(ref.Reference)) {
			return in, carepath.Invalid(pathf("Encounter.appointment[%d].reference", i), "must reference an Appointment (Appointment/<id>)")
		}
	}
	if p := enc.Period; p != nil {
		switch {
		case p.End != nil:
			in.EndedAt, err = clinTime(*p.End, "Encounter.period.end")
		case p.Start != nil:
			in.EndedAt, err = clinTime(*p.Start, "Encounter.period.start")
		}
		if err != nil {
			return in, err
		}
	}
	return in, nil
}

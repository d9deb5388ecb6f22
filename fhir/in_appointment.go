package fhir

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/carepath/carepath"
)

// AppointmentIn is what carepath takes from a FHIR Appointment.
type AppointmentIn struct {
	Status         string     // FHIR AppointmentStatus code
	Start          *time.Time // nil when not given (allowed for proposed, cancelled, waitlist)
	PatientRef     string     // the Patient participant's actor.reference
	PatientRefPath string
	// PatientStatus is the Patient participant's ParticipationStatus.
	PatientStatus string
}

// appointmentNeedsStart: the statuses FHIR's app-3 invariant lets go
// without a start are proposed, cancelled and waitlist.
var appointmentNoStart = map[string]bool{"proposed": true, "cancelled": true, "waitlist": true}

// AppointmentFromFHIR decodes and checks an Appointment: a status, a start
// (an instant with a zone) unless proposed, cancelled or waitlist, and
// exactly the one Patient participant carepath reminds.
func AppointmentFromFHIR(raw json.RawMessage) (AppointmentIn, error) {
	var a fm.Appointment
	if err := Decode(raw, "Appointment", &a); err != nil {
		return AppointmentIn{}, err
	}
	var problems carepath.Problems
	var in AppointmentIn
	if !present(raw, "status") {
		problems = append(problems, carepath.Invalid("Appointment.status", "is required"))
	}
	in.Status = a.Status.Code()
	if a.Start != nil {
		t, ok := parseInstant(*a.Start)
		if !ok {
			problems = append(problems, carepath.Invalid("Appointment.start", "must be an instant with a time zone, e.g. 2026-01-02T15:04:05Z"))
		} else {
			t = t.UTC()
			in.Start = &t
		}
	} else if !appointmentNoStart[in.Status] {
		problems = append(problems, carepath.Invalid("Appointment.start", "is required unless the appointment is proposed, cancelled or waitlist"))
	}
	patients := 0
	for i, p := range a.Participant {
		if p.Actor == nil || p.Actor.Reference == nil || !isPatientRef(*p.Actor.Reference) {
			continue
		}
		patients++
		if patients == 1 {
			in.PatientRef = *p.Actor.Reference
			in.PatientRefPath = fmt.Sprintf("Appointment.participant[%d].actor.reference", i)
			in.PatientStatus = p.Status.Code()
		}
	}
	switch {
	case patients == 0:
		problems = append(problems, carepath.Invalid("Appointment.participant", "a Patient participant (actor.reference Patient/<id>) is required"))
	case patients > 1:
		problems = append(problems, carepath.Invalid("Appointment.participant", "carepath reminds one patient: give one Patient participant"))
	}
	return in, problems.Err()
}

// isPatientRef: a reference to a Patient, relative or absolute. A Bundle
// entry's urn:uuid reference has been rewritten to Type/id before
// (Prepare).
func isPatientRef(ref string) bool {
	return strings.HasPrefix(ref, "Patient/") || strings.Contains(ref, "/Patient/")
}

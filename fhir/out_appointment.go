package fhir

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/carepath/carepath/store"
)

// Appointment renders a stored Appointment with what carepath changed: the
// status (a patient's cancellation), the Patient participant's status (the
// reply to a reminder), meta.versionId the appointments row's version.
// Without a row (an Appointment carepath does not follow) it is the stored
// resource as is.
func Appointment(a store.FHIRAppointment) (json.RawMessage, error) {
	r := a.Resource
	if a.AppointmentID == "" {
		return overlay(r.Content, r.Type, r.ID, r.Version, a.LastUpdated, nil)
	}
	fields := map[string]any{"status": a.Status}
	if a.PatientResponse != "" {
		participants, err := patientParticipantStatus(r.Content, a.PatientFHIRID, a.PatientResponse)
		if err != nil {
			return nil, err
		}
		if participants != nil {
			fields["participant"] = participants
		}
	}
	return overlay(r.Content, r.Type, r.ID, a.Version, a.LastUpdated, fields)
}

// patientParticipantStatus sets the status of the participant whose actor
// is the patient (Patient/<id>, or a URL ending in it); nil when there is
// none. Every other field of every participant is kept as stored.
func patientParticipantStatus(content json.RawMessage, patientFHIRID, status string) ([]map[string]json.RawMessage, error) {
	var doc struct {
		Participant []map[string]json.RawMessage `json:"participant"`
	}
	if err := json.Unmarshal(content, &doc); err != nil {
		return nil, fmt.Errorf("stored Appointment participants: %w", err)
	}
	found := false
	for _, p := range doc.Participant {
		var actor struct {
			Reference string `json:"reference"`
		}
		if raw, ok := p["actor"]; !ok || json.Unmarshal(raw, &actor) != nil {
			continue
		}
		ref := actor.Reference
		if ref != "Patient/"+patientFHIRID && !strings.HasSuffix(ref, "/Patient/"+patientFHIRID) {
			continue
		}
		b, err := json.Marshal(status)
		if err != nil {
			return nil, fmt.Errorf("participant status: %w", err)
		}
		p["status"] = b
		found = true
	}
	if !found {
		return nil, nil
	}
	return doc.Participant, nil
}

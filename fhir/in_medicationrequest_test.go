package fhir

import (
	"maps"
	"testing"
)

func TestMedicationRequestFromFHIR(t *testing.T) {
	in, err := MedicationRequestFromFHIR(clinFixture(t, "medicationrequest-metformin", nil))
	if err != nil {
		t.Fatal(err)
	}
	if !in.Active || in.Ended || in.CarePlanID != "diabetes-1" || in.Medication != "metformin ER 500 mg tablet" ||
		in.Subject != "Patient/example" || !maps.Equal(in.Params, map[string]any{"code": "blood_glucose"}) {
		t.Errorf("got %+v", in)
	}

	in, err = MedicationRequestFromFHIR(clinFixture(t, "medicationrequest-lisinopril-standalone", nil))
	if err != nil {
		t.Fatal(err)
	}
	if !in.Active || in.CarePlanID != "" || in.Medication != "lisinopril 10 MG Oral Tablet" ||
		!maps.Equal(in.Params, map[string]any{"code": "blood_pressure"}) {
		t.Errorf("got %+v", in)
	}
}

func TestMedicationRequestFromFHIRStatus(t *testing.T) {
	for _, tc := range []struct {
		status, intent string
		doNotPerform   bool
		active, ended  bool
	}{
		{"active", "order", false, true, false},
		{"active", "plan", false, true, false},
		{"active", "original-order", false, true, false},
		{"active", "proposal", false, false, false},
		{"active", "order", true, false, false}, // an order not to give it
		{"on-hold", "order", false, false, false},
		{"draft", "order", false, false, false},
		{"stopped", "order", false, false, true},
		{"cancelled", "order", false, false, true},
		{"completed", "order", false, false, true},
		{"entered-in-error", "order", false, false, true},
	} {
		in, err := MedicationRequestFromFHIR(clinFixture(t, "medicationrequest-lisinopril-standalone", func(m map[string]any) {
			m["status"], m["intent"] = tc.status, tc.intent
			if tc.doNotPerform {
				m["doNotPerform"] = true
			}
		}))
		if err != nil {
			t.Fatalf("%+v: %v", tc, err)
		}
		if in.Active != tc.active || in.Ended != tc.ended {
			t.Errorf("%+v: active %v ended %v", tc, in.Active, in.Ended)
		}
	}
}

func TestMedicationRequestFromFHIRProblems(t *testing.T) {
	for _, tc := range []struct {
		name, field string
		edit        func(m map[string]any)
	}{
		{"no subject", "MedicationRequest.subject", func(m map[string]any) { delete(m, "subject") }},
		{"no status", "MedicationRequest.status", func(m map[string]any) { delete(m, "status") }},
		{"no intent", "MedicationRequest.intent", func(m map[string]any) { delete(m, "intent") }},
		{"no medication", "MedicationRequest.medication[x]", func(m map[string]any) { delete(m, "medicationCodeableConcept") }},
		{"subject a practitioner", "MedicationRequest.subject.reference", func(m map[string]any) {
			m["subject"] = map[string]any{"reference": "Practitioner/p1"}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := MedicationRequestFromFHIR(clinFixture(t, "medicationrequest-metformin", tc.edit))
			clinWantField(t, err, tc.field)
		})
	}
}

func TestMedicationRequestFromFHIRReference(t *testing.T) {
	in, err := MedicationRequestFromFHIR(clinFixture(t, "medicationrequest-metformin", func(m map[string]any) {
		delete(m, "medicationCodeableConcept")
		m["medicationReference"] = map[string]any{"reference": "Medication/med0312"}
	}))
	if err != nil || !in.Active || in.Medication != "" {
		t.Errorf("got %+v, err %v", in, err)
	}
}

package fhir

import (
	"testing"
	"time"
)

func TestEncounterFromFHIR(t *testing.T) {
	in, err := EncounterFromFHIR(clinFixture(t, "encounter-finished", nil))
	if err != nil {
		t.Fatal(err)
	}
	if !in.Finished || in.Status != "finished" || in.Class != "AMB" || in.Subject != "Patient/example" ||
		in.AppointmentID != "example" || !in.EndedAt.Equal(time.Date(2026, 11, 30, 19, 40, 0, 0, time.UTC)) {
		t.Errorf("got %+v", in)
	}

	// HL7's encounter-example-f202: in progress, no appointment, no period.
	in, err = EncounterFromFHIR(clinFixture(t, "encounter-f202-inprogress", nil))
	if err != nil {
		t.Fatal(err)
	}
	if in.Finished || in.AppointmentID != "" || !in.EndedAt.IsZero() || in.Subject != "Patient/f201" {
		t.Errorf("got %+v", in)
	}
}

func TestEncounterFromFHIRVariants(t *testing.T) {
	t.Run("absolute appointment, period start only", func(t *testing.T) {
		in, err := EncounterFromFHIR(clinFixture(t, "encounter-finished", func(m map[string]any) {
			m["appointment"] = []any{map[string]any{"reference": "https://ehr.example.org/fhir/Appointment/a-77"}}
			delete(clinAt(m, "period"), "end")
		}))
		if err != nil {
			t.Fatal(err)
		}
		if in.AppointmentID != "a-77" || !in.EndedAt.Equal(time.Date(2026, 11, 30, 19, 0, 0, 0, time.UTC)) {
			t.Errorf("got %+v", in)
		}
	})
	t.Run("appointment by identifier only", func(t *testing.T) {
		in, err := EncounterFromFHIR(clinFixture(t, "encounter-finished", func(m map[string]any) {
			m["appointment"] = []any{map[string]any{"identifier": map[string]any{"value": "x"}}}
		}))
		if err != nil || in.AppointmentID != "" {
			t.Errorf("appointment %q, err %v", in.AppointmentID, err)
		}
	})
}

func TestEncounterFromFHIRProblems(t *testing.T) {
	for _, tc := range []struct {
		name, field string
		edit        func(m map[string]any)
	}{
		{"no subject", "Encounter.subject", func(m map[string]any) { delete(m, "subject") }},
		{"no status", "Encounter.status", func(m map[string]any) { delete(m, "status") }},
		{"unknown status", "Encounter.status", func(m map[string]any) { m["status"] = "done" }},
		{"appointment of another type", "Encounter.appointment[0].reference", func(m map[string]any) {
			m["appointment"] = []any{map[string]any{"reference": "Practitioner/example"}}
		}},
		{"period end not a date", "Encounter.period.end", func(m map[string]any) { clinAt(m, "period")["end"] = "soon" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := EncounterFromFHIR(clinFixture(t, "encounter-finished", tc.edit))
			clinWantField(t, err, tc.field)
		})
	}
}

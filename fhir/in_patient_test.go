package fhir

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/carepath/carepath"
)

// HL7's Patient example (patient-example.json), with a US mobile number in
// E.164, a Spanish preference and the timezone extension.
const hl7Patient = `{
  "resourceType": "Patient", "id": "example",
  "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/timezone", "valueCode": "America/Chicago"}],
  "identifier": [{"use": "usual", "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]},
    "system": "urn:oid:1.2.36.146.595.217.0.1", "value": "12345"}],
  "active": true,
  "name": [{"use": "usual", "given": ["Jim"]},
           {"use": "official", "family": "Chalmers", "given": ["Peter", "James"]},
           {"use": "maiden", "family": "Windsor", "given": ["Peter", "James"]}],
  "telecom": [{"use": "home"},
              {"system": "phone", "value": "+15555556473", "use": "work", "rank": 1},
              {"system": "phone", "value": "+15555553817", "use": "mobile", "rank": 2},
              {"system": "phone", "value": "(03) 5555 8834", "use": "old", "period": {"end": "2014"}}],
  "gender": "male", "birthDate": "1974-12-25",
  "communication": [{"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": "en-US"}]}},
                    {"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": "es-MX"}]}, "preferred": true}]
}`

func TestPatientFromHL7Example(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	in, err := PatientFromFHIR(json.RawMessage(hl7Patient), now)
	if err != nil {
		t.Fatal(err)
	}
	np, err := in.NewPatient("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	want := carepath.NewPatient{GivenName: "Peter", FamilyName: "Chalmers", BirthDate: "1974-12-25", Phone: "+15555553817",
		Locale: "es", Timezone: "America/Chicago", PreferredChannel: carepath.ChannelSMS}
	if np.GivenName != want.GivenName || np.FamilyName != want.FamilyName || np.BirthDate != want.BirthDate ||
		np.Phone != want.Phone || np.Locale != want.Locale || np.Timezone != want.Timezone || np.PreferredChannel != want.PreferredChannel {
		t.Fatalf("got %+v\nwant %+v", np, want)
	}

	// Without the extension or a language: the clinic's zone, English.
	bare := `{"resourceType":"Patient","name":[{"family":"Doe","given":["Jane"]}],"birthDate":"1980-02-03",
		"telecom":[{"system":"email","value":"jane@example.org"}]}`
	in, err = PatientFromFHIR(json.RawMessage(bare), now)
	if err != nil {
		t.Fatal(err)
	}
	np, err = in.NewPatient("Europe/Madrid")
	if err != nil || np.Timezone != "Europe/Madrid" || np.Locale != "en" || np.PreferredChannel != carepath.ChannelEmail {
		t.Fatalf("fallbacks: %+v %v", np, err)
	}
	// An update keeps the stored zone and language when the resource has none.
	np, err = in.Update(carepath.Patient{BirthDate: "1980-02-03", Timezone: "America/Denver", Locale: "es",
		PreferredChannel: carepath.ChannelSMS})
	if err != nil || np.Timezone != "America/Denver" || np.Locale != "es" || np.PreferredChannel != carepath.ChannelEmail {
		t.Fatalf("update: %+v %v", np, err)
	}
}

func TestPatientProblemsNameEveryPath(t *testing.T) {
	bad := `{"resourceType":"Patient","name":[{"given":["Ana"]}],"birthDate":"1974-13-45",
		"telecom":[{"system":"phone","value":"(555) 555-1234","use":"mobile"}],
		"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/timezone","valueCode":"Mars/Olympus"}]}`
	_, err := PatientFromFHIR(json.RawMessage(bad), time.Now())
	var ps carepath.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("want Problems, got %v", err)
	}
	var fields []string
	for _, p := range ps {
		fields = append(fields, p.Field)
	}
	for _, want := range []string{"Patient.name[0].family", "Patient.birthDate", "Patient.telecom[0].value", "Patient.extension[0].valueCode"} {
		if !slices.Contains(fields, want) {
			t.Errorf("problems %v do not name %s", fields, want)
		}
	}
}

func TestConsentMapping(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	deny := `{"resourceType":"Consent","status":"active",
		"scope":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/consentscope","code":"patient-privacy"}]},
		"category":[{"coding":[{"system":"http://loinc.org","code":"59284-0"}]}],
		"patient":{"reference":"Patient/example"},"dateTime":"2026-11-30",
		"provision":{"type":"deny","code":[{"coding":[{"system":"http://hl7.org/fhir/contact-point-system","code":"sms"}]}],
		  "purpose":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActReason","code":"HMARKT"}]}}`
	in, err := ConsentFromFHIR(json.RawMessage(deny), now)
	if err != nil {
		t.Fatal(err)
	}
	want := []ConsentDecision{{Channel: carepath.ChannelSMS, Purpose: carepath.PurposeOutreach, Granted: false}}
	if !in.Active || in.PatientRef != "Patient/example" || !slices.Equal(in.Decisions, want) || in.At == nil {
		t.Fatalf("got %+v", in)
	}
	permitAll := `{"resourceType":"Consent","status":"active","scope":{"text":"x"},"category":[{"text":"x"}],
		"patient":{"reference":"Patient/example"},"provision":{"type":"permit"}}`
	in, err = ConsentFromFHIR(json.RawMessage(permitAll), now)
	if err != nil || len(in.Decisions) != 2 || in.Decisions[0].Purpose != carepath.PurposeAll || !in.Decisions[1].Granted {
		t.Fatalf("permit with no code or purpose: %+v %v", in, err)
	}
	badPurpose := `{"resourceType":"Consent","status":"active","scope":{"text":"x"},"category":[{"text":"x"}],
		"patient":{"reference":"Patient/example"},"provision":{"type":"permit",
		"purpose":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActReason","code":"HRESCH"}]}}`
	if _, err := ConsentFromFHIR(json.RawMessage(badPurpose), now); invalidField(t, err) != "Consent.provision.purpose[0].code" {
		t.Fatalf("unknown purpose: %v", err)
	}
}

func TestAppointmentMapping(t *testing.T) {
	ok := `{"resourceType":"Appointment","status":"booked","start":"2026-12-02T15:00:00-05:00","end":"2026-12-02T15:30:00-05:00",
		"participant":[{"actor":{"reference":"Practitioner/example"},"status":"accepted"},
		               {"actor":{"reference":"Patient/example","display":"Peter James Chalmers"},"required":"required","status":"tentative"}]}`
	in, err := AppointmentFromFHIR(json.RawMessage(ok))
	if err != nil {
		t.Fatal(err)
	}
	if in.Status != "booked" || in.PatientRef != "Patient/example" || in.PatientStatus != "tentative" ||
		!in.Start.Equal(time.Date(2026, 12, 2, 20, 0, 0, 0, time.UTC)) || in.PatientRefPath != "Appointment.participant[1].actor.reference" {
		t.Fatalf("got %+v", in)
	}
	noPatient := `{"resourceType":"Appointment","status":"booked","start":"tomorrow",
		"participant":[{"actor":{"reference":"Practitioner/example"},"status":"accepted"}]}`
	_, err = AppointmentFromFHIR(json.RawMessage(noPatient))
	var ps carepath.Problems
	if !errors.As(err, &ps) || len(ps) != 2 || ps[0].Field != "Appointment.start" || ps[1].Field != "Appointment.participant" {
		t.Fatalf("problems: %v", err)
	}
}

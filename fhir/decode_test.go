package fhir

import (
	"encoding/json"
	"errors"
	"testing"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/carepath/carepath"
)

func invalidField(t *testing.T, err error) string {
	t.Helper()
	var ps carepath.Problems
	if errors.As(err, &ps) && len(ps) == 1 {
		err = ps[0]
	}
	var ae *carepath.Error
	if !errors.As(err, &ae) || ae.Code != carepath.EINVALID {
		t.Fatalf("want an invalid error, got %v", err)
	}
	return ae.Field
}

func TestDecodeNamesTheFHIRPath(t *testing.T) {
	cases := []struct {
		name, typ, body, field string
		into                   any
	}{
		{"wrong resourceType", "Patient", `{"resourceType":"Observation"}`, "Patient.resourceType", &fm.Patient{}},
		{"not an object", "Patient", `[1]`, "Patient", &fm.Patient{}},
		{"type error in an array element", "Patient",
			`{"resourceType":"Patient","telecom":[{"system":"email","value":"a@b.example"},{"system":"phone","value":5}]}`,
			"Patient.telecom[1].value", &fm.Patient{}},
		{"unknown code", "Patient", `{"resourceType":"Patient","name":[{"family":"Chalmers"}],"gender":"bogus"}`,
			"Patient.gender", &fm.Patient{}},
		{"unknown nested code", "Appointment",
			`{"resourceType":"Appointment","status":"booked","participant":[{"status":"accepted"},{"status":"maybe"}]}`,
			"Appointment.participant[1].status", &fm.Appointment{}},
		{"string for a decimal", "Observation",
			`{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":"high"}}`,
			"Observation.valueQuantity.value", &fm.Observation{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := invalidField(t, Decode(json.RawMessage(c.body), c.typ, c.into)); got != c.field {
				t.Fatalf("field = %q, want %q", got, c.field)
			}
		})
	}
	var p fm.Patient
	if err := Decode(json.RawMessage(`{"resourceType":"Patient","id":"example","gender":"male"}`), "Patient", &p); err != nil || *p.Id != "example" {
		t.Fatalf("a good Patient: %v", err)
	}
}

func TestPrepareRewritesBundleReferences(t *testing.T) {
	raw := json.RawMessage(`{"resourceType":"Appointment","id":"x","meta":{"versionId":"2"},
		"participant":[{"actor":{"reference":"urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a"},"status":"accepted"},
		{"actor":{"reference":"Practitioner/example"},"status":"accepted"}]}`)
	out, err := Prepare(raw, "Appointment", "a1", map[string]string{"urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a": "Patient/p1"})
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		ID          string `json:"id"`
		Participant []struct {
			Actor struct{ Reference string } `json:"actor"`
		} `json:"participant"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if got.ID != "a1" || got.Participant[0].Actor.Reference != "Patient/p1" || got.Participant[1].Actor.Reference != "Practitioner/example" {
		t.Fatalf("prepared: %s", out)
	}
	_, err = Prepare(raw, "Appointment", "a1", nil)
	if f := invalidField(t, err); f != "Appointment.participant[0].actor.reference" {
		t.Fatalf("unresolved urn named %q", f)
	}
	// The hash ignores meta, not content.
	h1, _ := ContentHash(out)
	h2, _ := ContentHash(json.RawMessage(`{"participant":[{"actor":{"reference":"Patient/p1"},"status":"accepted"},{"status":"accepted","actor":{"reference":"Practitioner/example"}}],"resourceType":"Appointment","id":"a1"}`))
	h3, _ := ContentHash(json.RawMessage(`{"resourceType":"Appointment","id":"a1"}`))
	if h1 != h2 || h1 == h3 {
		t.Fatalf("hashes: same content %v, different content %v", h1 == h2, h1 == h3)
	}
}

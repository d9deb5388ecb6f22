package fhir

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/carepath/carepath"
)

// Shared by the clinical resources coming in (Observation, Encounter,
// CarePlan, MedicationRequest): decoding, required status, references.

// clinHead is what every clinical resource must carry before its fields are
// read: samply's enums decode a missing status as their first value, so
// presence is checked on the raw JSON.
type clinHead struct {
	ResourceType string  `json:"resourceType"`
	ID           *string `json:"id"`
	Status       *string `json:"status"`
	Intent       *string `json:"intent"`
}

// clinDecode decodes raw into v (a samply struct) with Decode and checks
// that status is given; errors name FHIR paths.
func clinDecode(raw json.RawMessage, typ string, v any) (clinHead, error) {
	if err := Decode(raw, typ, v); err != nil {
		return clinHead{}, err
	}
	var h clinHead
	if err := json.Unmarshal(raw, &h); err != nil {
		return h, carepath.Invalid(typ, "must be a JSON object")
	}
	if h.Status == nil || *h.Status == "" {
		return h, carepath.Invalid(typ+".status", "is required")
	}
	return h, nil
}

// clinPatientRef checks that ref points at a Patient and returns the
// reference as the write's ResolvePatient takes it: "Patient/<id>" (an
// absolute URL is cut to that) or a Bundle entry's "urn:uuid:…".
func clinPatientRef(ref *fm.Reference, field string) (string, error) {
	if ref == nil || ref.Reference == nil && ref.Identifier == nil {
		return "", carepath.Invalid(field, "is required: a reference to the Patient (Patient/<id>)")
	}
	if ref.Reference == nil {
		return "", carepath.Invalid(field+".reference", "is required: references by identifier alone are not supported")
	}
	s := *ref.Reference
	if isURN(s) {
		if t := clinStr(ref.Type); t != "" && t != "Patient" {
			return "", carepath.Invalid(field+".type", "must be Patient")
		}
		return s, nil
	}
	typ, id, ok := clinSplitRef(s)
	if !ok || typ != "Patient" {
		return "", carepath.Invalid(field+".reference", "must reference a Patient (Patient/<id>)")
	}
	return "Patient/" + id, nil
}

// clinSplitRef reads a literal reference: "Type/id", an absolute URL ending in
// it, either with a "/_history/<v>" tail.
func clinSplitRef(s string) (typ, id string, ok bool) {
	parts := strings.Split(strings.TrimRight(s, "/"), "/")
	if n := len(parts); n >= 4 && parts[n-2] == "_history" {
		parts = parts[:n-2]
	}
	n := len(parts)
	if n < 2 {
		return "", "", false
	}
	typ, id = parts[n-2], parts[n-1]
	if !clinIsType(typ) || !ValidID(id) {
		return "", "", false
	}
	return typ, id, true
}

// clinIsType: a FHIR resource type name (an upper-case letter,
// then letters).
func clinIsType(s string) bool {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z') {
			return false
		}
	}
	return true
}

// clinRefTo returns the id a reference gives for the type ("CarePlan/12" →
// "12"), false for another type or a reference carepath cannot read
// without the Bundle (urn:uuid).
func clinRefTo(ref fm.Reference, typ string) (string, bool) {
	t, id, ok := clinSplitRef(clinStr(ref.Reference))
	if !ok || t != typ {
		return "", false
	}
	return id, true
}

// clinTime reads a FHIR dateTime or instant as a time: a full one as
// given; a date alone (2013-04-02) as its midnight UTC. A year or month
// alone is too vague for what carepath does with it (a reading's time, a
// visit's end) and is refused.
func clinTime(s, field string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, carepath.Invalid(field, "must be a FHIR dateTime with at least a day (2026-01-02 or 2026-01-02T15:04:05Z)")
}

// isURN: a reference to another entry of the same Bundle (urn:uuid:…),
// which the write resolves, not the mapping.
func isURN(ref string) bool { return strings.HasPrefix(ref, "urn:") }

func pathf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

func invalidRequired(path string) error { return carepath.Invalid(path, "is required") }

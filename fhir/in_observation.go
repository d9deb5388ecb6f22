package fhir

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/carepath/carepath"
)

// ObservationIn is an EHR's Observation as carepath reads it: a vital sign
// (loinc.go) about a Patient, and the reading it gives.
type ObservationIn struct {
	Subject string // the Patient reference (clinPatientRef)
	Status  string
	// Reading is the measurement in the code's canonical unit, with the
	// value and unit as sent; nil when the Observation gives none: status
	// registered, cancelled, entered-in-error or unknown, or a
	// dataAbsentReason in place of the value. Its SourceID is the caller's
	// to set ("fhir:Observation/<id>").
	Reading *carepath.Reading
}

// Observation statuses that carry a result carepath records. preliminary
// counts: a device's or a nurse's unverified reading of 450 mg/dL is one
// the care team wants to hear about now, not when it is signed off (a
// final with the same value then records nothing again).
var inReadingStatuses = []string{"preliminary", "final", "amended", "corrected"}

// ObservationFromFHIR reads an Observation. Errors name FHIR paths and
// never carry the values sent.
func ObservationFromFHIR(raw json.RawMessage) (ObservationIn, error) {
	var o fm.Observation
	h, err := clinDecode(raw, "Observation", &o)
	if err != nil {
		return ObservationIn{}, err
	}
	in := ObservationIn{Status: *h.Status}
	if in.Subject, err = clinPatientRef(o.Subject, "Observation.subject"); err != nil {
		return in, err
	}
	code, ok := clinVitalCode(&o.Code)
	if !ok {
		return in, carepath.Invalid("Observation.code", "must hold a LOINC vital sign carepath reads (system %s): %s",
			SystemLOINC, strings.Join(VitalLOINCCodes(), ", "))
	}
	if !slices.Contains(inReadingStatuses, in.Status) {
		return in, nil // stored as sent; nothing measured to record
	}
	if o.ValueQuantity == nil && len(o.Component) == 0 && o.DataAbsentReason != nil {
		return in, nil // no value, and the EHR says why
	}
	no, err := inObsValue(o, code)
	if err != nil {
		return in, err
	}
	var effField string
	if no.EffectiveAt, effField, err = inObsTime(o); err != nil {
		return in, err
	}
	r, err := no.Parse()
	if err != nil {
		return in, inObsPath(err, code, effField)
	}
	in.Reading = &r
	return in, nil
}

// inObsValue reads the value and unit: valueQuantity, or for blood
// pressure the systolic and diastolic components.
func inObsValue(o fm.Observation, code string) (carepath.NewObservation, error) {
	no := carepath.NewObservation{Code: code}
	if code == "blood_pressure" {
		sys, unit, err := inBPComponent(o.Component, LOINCSystolic, "systolic")
		if err != nil {
			return no, err
		}
		dia, _, err := inBPComponent(o.Component, LOINCDiastolic, "diastolic")
		if err != nil {
			return no, err
		}
		if dia >= sys {
			return no, carepath.Invalid("Observation.component", "the diastolic must be lower than the systolic")
		}
		v, _ := json.Marshal(inFmtBP(sys) + "/" + inFmtBP(dia)) // a string always encodes
		no.Value, no.Unit = v, unit
		return no, nil
	}
	v, unit, err := inQuantity(o.ValueQuantity, code, "Observation.valueQuantity")
	if err != nil {
		return no, err
	}
	no.Value, no.Unit = json.RawMessage(strconv.FormatFloat(v, 'f', -1, 64)), unit
	return no, nil
}

// inBPComponent finds the component with the LOINC code and reads its value,
// checked against blood pressure's plausible range here so the error
// names the component.
func inBPComponent(cs []fm.ObservationComponent, loinc, name string) (float64, string, error) {
	for i, c := range cs {
		if !clinHasLOINC(c.Code, loinc) {
			continue
		}
		path := fmt.Sprintf("Observation.component[%d].valueQuantity", i)
		v, unit, err := inQuantity(c.ValueQuantity, "blood_pressure", path)
		if err != nil {
			return 0, "", err
		}
		spec := carepath.ObservationCodes["blood_pressure"]
		if v < spec.Min || v > spec.Max {
			return 0, "", carepath.Invalid(path+".value", "the %s must be between %g and %g mm[Hg]", name, spec.Min, spec.Max)
		}
		return v, unit, nil
	}
	return 0, "", carepath.Invalid("Observation.component", "a blood pressure needs a %s component (LOINC %s) with a valueQuantity", name, loinc)
}

// inFmtBP writes a pressure as carepath's "120/80" pattern reads it.
func inFmtBP(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// inQuantity reads a valueQuantity: a number, and a unit carepath accepts
// for the code, given as a UCUM code (or, without one, as the unit text
// when it is a spelling carepath accepts). A comparator (< 20, > 600, as
// meters report LO and HI) is read at its bound: the bound is on the same
// side of the safe range as the true value.
func inQuantity(q *fm.Quantity, code, path string) (float64, string, error) {
	if q == nil {
		return 0, "", carepath.Invalid(path, "is required")
	}
	if q.Value == nil {
		return 0, "", carepath.Invalid(path+".value", "is required")
	}
	v, err := q.Value.Float64()
	if err != nil {
		return 0, "", carepath.Invalid(path+".value", "must be a number")
	}
	units := carepath.ObservationCodes[code].Units
	if sys := clinStr(q.System); sys != "" && sys != SystemUCUM {
		return 0, "", carepath.Invalid(path+".system", "must be %s (UCUM)", SystemUCUM)
	}
	unit, field := clinStr(q.Code), path+".code"
	if unit == "" {
		unit = clinStr(q.Unit)
	}
	if !slices.Contains(units, unit) {
		return 0, "", carepath.Invalid(field, "must be a UCUM unit carepath accepts for %s: %s", code, strings.Join(units, ", "))
	}
	return v, unit, nil
}

// inObsTime is when the reading was taken: effectiveDateTime,
// effectiveInstant or the start of effectivePeriod (its end when it has
// no start); without effective[x], issued (when the result was released:
// later than the measurement, never earlier, so a reading is not placed
// before one it followed). It returns the RFC 3339 time and the path it
// came from.
func inObsTime(o fm.Observation) (string, string, error) {
	var s, field string
	switch {
	case o.EffectiveDateTime != nil:
		s, field = *o.EffectiveDateTime, "Observation.effectiveDateTime"
	case o.EffectiveInstant != nil:
		s, field = *o.EffectiveInstant, "Observation.effectiveInstant"
	case o.EffectivePeriod != nil && o.EffectivePeriod.Start != nil:
		s, field = *o.EffectivePeriod.Start, "Observation.effectivePeriod.start"
	case o.EffectivePeriod != nil && o.EffectivePeriod.End != nil:
		s, field = *o.EffectivePeriod.End, "Observation.effectivePeriod.end"
	case o.EffectiveTiming != nil:
		return "", "Observation.effectiveTiming", carepath.Invalid("Observation.effectiveTiming",
			"is not supported for a reading: send effectiveDateTime")
	case o.Issued != nil:
		s, field = *o.Issued, "Observation.issued"
	default:
		return "", "Observation.effective[x]", carepath.Invalid("Observation.effective[x]",
			"is required for a reading (effectiveDateTime, effectivePeriod or effectiveInstant; or issued)")
	}
	t, err := clinTime(s, field)
	if err != nil {
		return "", field, err
	}
	return t.Format("2006-01-02T15:04:05.999999999Z07:00"), field, nil
}

// inObsPath renames NewObservation.Parse's field names (value,
// unit, effective_at) to the Observation's paths.
func inObsPath(err error, code, effField string) error {
	var e *carepath.Error
	if !errors.As(err, &e) {
		return err
	}
	valuePath := "Observation.valueQuantity.value"
	if code == "blood_pressure" {
		valuePath = "Observation.component"
	}
	path := map[string]string{"value": valuePath, "unit": "Observation.valueQuantity.code", "effective_at": effField,
		"code": "Observation.code", "id": "Observation.id"}[e.Field]
	if path == "" {
		path = "Observation"
	}
	return carepath.Invalid(path, "%s", e.Message)
}

package carepath

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ObservationCode describes one kind of measurement carepath accepts.
type ObservationCode struct {
	Canonical string   // the unit readings are converted to on arrival (units.go)
	Units     []string // every unit accepted, UCUM first
	Min, Max  float64  // plausible range in Canonical; outside it is a data-entry error
}

// ObservationCodes are the measurements journeys can wait for. The
// plausible ranges are in the canonical unit, whatever unit was sent:
// glucose 10–1000 mg/dL is 0.56–55.5 mmol/L, so a normal 5.5 mmol/L
// reading is accepted and a 15 mmol/L one is judged as 270 mg/dL.
var ObservationCodes = map[string]ObservationCode{
	"blood_glucose":  {Canonical: UnitGlucose, Units: []string{"mg/dL", "mmol/L"}, Min: 10, Max: 1000},
	"blood_pressure": {Canonical: UnitPressure, Units: []string{"mm[Hg]", "mmHg"}, Min: 30, Max: 300},
	"weight":         {Canonical: UnitWeight, Units: []string{"kg", "[lb_av]", "lb"}, Min: 0.5, Max: 700},
	"heart_rate":     {Canonical: UnitHeartRate, Units: []string{"/min", "bpm"}, Min: 20, Max: 300},
	"spo2":           {Canonical: UnitSaturation, Units: []string{"%"}, Min: 50, Max: 100},
	"temperature":    {Canonical: UnitTemperature, Units: []string{"Cel", "[degF]", "C", "F", "degF"}, Min: 25, Max: 45},
}

// NewObservation is what an integration posts.
type NewObservation struct {
	ID          string          `json:"id"` // the source system's ID, optional
	Code        string          `json:"code"`
	Value       json.RawMessage `json:"value"` // a number, or "120/80" for blood_pressure
	Unit        string          `json:"unit"`
	EffectiveAt string          `json:"effective_at"`
}

// Reading is a validated observation: its values in the code's canonical
// unit, and as they were sent.
type Reading struct {
	Code   string
	Value  float64
	Value2 *float64 // blood pressure's diastolic
	Unit   string   // canonical
	// As sent, before conversion.
	OriginalValue  float64
	OriginalValue2 *float64
	OriginalUnit   string
	EffectiveAt    time.Time
	SourceID       string
}

var bpPattern = regexp.MustCompile(`^\s*(\d{2,3}(?:\.\d+)?)\s*/\s*(\d{2,3}(?:\.\d+)?)\s*$`)

// Parse validates the observation and converts it to its code's canonical
// unit; the plausible range is checked there.
func (o NewObservation) Parse() (Reading, error) {
	spec, ok := ObservationCodes[o.Code]
	if !ok {
		return Reading{}, Invalid("code", "must be one of: blood_glucose, blood_pressure, weight, heart_rate, spo2, temperature")
	}
	if _, ok := unitConversions[o.Code][o.Unit]; !ok {
		return Reading{}, Invalid("unit", "must be one of: %s", strings.Join(spec.Units, ", "))
	}
	if len(o.ID) > 200 {
		return Reading{}, Invalid("id", "must be at most 200 characters")
	}
	r := Reading{Code: o.Code, Unit: spec.Canonical, OriginalUnit: o.Unit, SourceID: o.ID}
	plausible := func(v float64) bool { return v >= spec.Min && v <= spec.Max }
	var s string
	if o.Code == "blood_pressure" && json.Unmarshal(o.Value, &s) == nil {
		m := bpPattern.FindStringSubmatch(s)
		if m == nil {
			return Reading{}, Invalid("value", `blood pressure must be "systolic/diastolic", e.g. "120/80"`)
		}
		sys, _ := strconv.ParseFloat(m[1], 64) // the pattern admits only numbers
		dia, _ := strconv.ParseFloat(m[2], 64)
		if !plausible(sys) || !plausible(dia) || dia >= sys {
			return Reading{}, Invalid("value", "blood pressure out of plausible range")
		}
		r.Value, r.Value2 = sys, &dia
		r.OriginalValue, r.OriginalValue2 = sys, &dia
	} else {
		if err := json.Unmarshal(o.Value, &r.OriginalValue); err != nil {
			return Reading{}, Invalid("value", "must be a number")
		}
		if o.Code == "blood_pressure" {
			return Reading{}, Invalid("value", `blood pressure must be "systolic/diastolic", e.g. "120/80"`)
		}
		r.Value, _ = ToCanonical(o.Code, o.Unit, r.OriginalValue) // the unit was checked above
		if !plausible(r.Value) {
			lo, _ := FromCanonical(o.Code, o.Unit, spec.Min)
			hi, _ := FromCanonical(o.Code, o.Unit, spec.Max)
			return Reading{}, Invalid("value", "must be between %s and %s %s", fmtNum(lo), fmtNum(hi), o.Unit)
		}
	}
	at, err := time.Parse(time.RFC3339, o.EffectiveAt)
	if err != nil {
		return Reading{}, Invalid("effective_at", "must be an RFC 3339 time, e.g. 2026-01-02T15:04:05Z")
	}
	if at.After(time.Now().Add(5 * time.Minute)) {
		return Reading{}, Invalid("effective_at", "must not be in the future")
	}
	r.EffectiveAt = at
	return r, nil
}

func fmtNum(f float64) string { return fmt.Sprintf("%g", f) }

// NewEvent is what a source system posts.
type NewEvent struct {
	ID         string          `json:"id"` // the source system's event ID
	Type       string          `json:"type"`
	PatientID  string          `json:"patient_id"`
	OccurredAt string          `json:"occurred_at"`
	Data       json.RawMessage `json:"data"`
}

var eventType = regexp.MustCompile(`^[a-z][a-z_]*\.[a-z][a-z_]*$`)

// Parse validates the event and returns its time.
func (e NewEvent) Parse() (time.Time, error) {
	if e.ID == "" || len(e.ID) > 200 {
		return time.Time{}, Invalid("id", "is required (the source system's event ID, at most 200 characters)")
	}
	if !eventType.MatchString(e.Type) {
		return time.Time{}, Invalid("type", "must look like appointment.completed")
	}
	at, err := time.Parse(time.RFC3339, e.OccurredAt)
	if err != nil {
		return at, Invalid("occurred_at", "must be an RFC 3339 time")
	}
	if len(e.Data) > 0 {
		var m map[string]any
		if json.Unmarshal(e.Data, &m) != nil {
			return at, Invalid("data", "must be a JSON object")
		}
	}
	return at, nil
}

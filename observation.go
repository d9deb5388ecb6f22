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
	Units    []string
	Min, Max float64 // plausible range; outside it is a data-entry error
}

// ObservationCodes are the measurements journeys can wait for.
var ObservationCodes = map[string]ObservationCode{
	"blood_glucose":  {Units: []string{"mg/dL", "mmol/L"}, Min: 10, Max: 1000},
	"blood_pressure": {Units: []string{"mmHg"}, Min: 30, Max: 300},
	"weight":         {Units: []string{"kg", "lb"}, Min: 0.5, Max: 700},
	"heart_rate":     {Units: []string{"bpm", "/min"}, Min: 20, Max: 300},
	"spo2":           {Units: []string{"%"}, Min: 50, Max: 100},
	"temperature":    {Units: []string{"Cel", "degF", "C", "F"}, Min: 25, Max: 115},
}

// NewObservation is what an integration posts.
type NewObservation struct {
	ID          string          `json:"id"` // the source system's ID, optional
	Code        string          `json:"code"`
	Value       json.RawMessage `json:"value"` // a number, or "120/80" for blood_pressure
	Unit        string          `json:"unit"`
	EffectiveAt string          `json:"effective_at"`
}

var bpPattern = regexp.MustCompile(`^\s*(\d{2,3}(?:\.\d+)?)\s*/\s*(\d{2,3}(?:\.\d+)?)\s*$`)

// Parse validates the observation and returns value, second value (blood
// pressure's diastolic) and time.
func (o NewObservation) Parse() (v float64, v2 *float64, at time.Time, err error) {
	spec, ok := ObservationCodes[o.Code]
	if !ok {
		return 0, nil, at, Invalid("code", "must be one of: blood_glucose, blood_pressure, weight, heart_rate, spo2, temperature")
	}
	unitOK := false
	for _, u := range spec.Units {
		unitOK = unitOK || u == o.Unit
	}
	if !unitOK {
		return 0, nil, at, Invalid("unit", "must be one of: %s", strings.Join(spec.Units, ", "))
	}
	if len(o.ID) > 200 {
		return 0, nil, at, Invalid("id", "must be at most 200 characters")
	}
	var s string
	if o.Code == "blood_pressure" && json.Unmarshal(o.Value, &s) == nil {
		m := bpPattern.FindStringSubmatch(s)
		if m == nil {
			return 0, nil, at, Invalid("value", `blood pressure must be "systolic/diastolic", e.g. "120/80"`)
		}
		sys, _ := strconv.ParseFloat(m[1], 64)
		dia, _ := strconv.ParseFloat(m[2], 64)
		if sys < spec.Min || sys > spec.Max || dia < spec.Min || dia > spec.Max || dia >= sys {
			return 0, nil, at, Invalid("value", "blood pressure out of plausible range")
		}
		v, v2 = sys, &dia
	} else {
		if err := json.Unmarshal(o.Value, &v); err != nil {
			return 0, nil, at, Invalid("value", "must be a number")
		}
		if v < spec.Min || v > spec.Max {
			return 0, nil, at, Invalid("value", "must be between %s and %s", fmtNum(spec.Min), fmtNum(spec.Max))
		}
		if o.Code == "blood_pressure" {
			return 0, nil, at, Invalid("value", `blood pressure must be "systolic/diastolic", e.g. "120/80"`)
		}
	}
	at, err = time.Parse(time.RFC3339, o.EffectiveAt)
	if err != nil {
		return 0, nil, at, Invalid("effective_at", "must be an RFC 3339 time, e.g. 2026-01-02T15:04:05Z")
	}
	if at.After(time.Now().Add(5 * time.Minute)) {
		return 0, nil, at, Invalid("effective_at", "must not be in the future")
	}
	return v, v2, at, nil
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

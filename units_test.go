package carepath_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/carepath/carepath"
)

func TestToCanonical(t *testing.T) {
	cases := []struct {
		code, unit string
		in, want   float64
	}{
		{"blood_glucose", "mg/dL", 182, 182},
		{"blood_glucose", "mmol/L", 5.5, 99.09},
		{"blood_glucose", "mmol/L", 15, 270.24},
		{"temperature", "Cel", 38.5, 38.5},
		{"temperature", "C", 37, 37},
		{"temperature", "[degF]", 100.4, 38},
		{"temperature", "degF", 98.6, 37},
		{"temperature", "F", 32, 0},
		{"weight", "[lb_av]", 180, 81.65},
		{"weight", "lb", 100, 45.36},
		{"weight", "kg", 82, 82},
		{"blood_pressure", "mmHg", 120, 120},
		{"heart_rate", "bpm", 70, 70},
	}
	for _, c := range cases {
		got, ok := carepath.ToCanonical(c.code, c.unit, c.in)
		if !ok || got != c.want {
			t.Errorf("%s %g %s: %g %v, want %g", c.code, c.in, c.unit, got, ok, c.want)
		}
		back, _ := carepath.FromCanonical(c.code, c.unit, got)
		if d := back - c.in; d > 0.01 || d < -0.01 {
			t.Errorf("%s %g %s: back %g", c.code, c.in, c.unit, back)
		}
	}
	if _, ok := carepath.ToCanonical("weight", "stone", 12); ok {
		t.Error("stone accepted")
	}
}

func obs(code, value, unit string) carepath.NewObservation {
	return carepath.NewObservation{Code: code, Value: json.RawMessage(value), Unit: unit, EffectiveAt: "2026-01-02T08:00:00Z"}
}

func TestParseConvertsAndChecksInCanonicalUnit(t *testing.T) {
	// A normal mmol/L glucose was rejected when the plausible range was in
	// mg/dL; now it is accepted and stored in mg/dL, with what was sent.
	r, err := obs("blood_glucose", "5.5", "mmol/L").Parse()
	if err != nil || r.Value != 99.09 || r.Unit != "mg/dL" || r.OriginalValue != 5.5 || r.OriginalUnit != "mmol/L" {
		t.Fatalf("5.5 mmol/L: %+v %v", r, err)
	}
	// 15 mmol/L is 270 mg/dL: over the high threshold in the canonical unit.
	if r, err := obs("blood_glucose", "15", "mmol/L").Parse(); err != nil || !carepath.JudgeReading(r.Code, r.Value, nil).Out() {
		t.Fatalf("15 mmol/L: %+v %v", r, err)
	}
	r, err = obs("temperature", "101.3", "[degF]").Parse()
	if err != nil || r.Value != 38.5 || r.Unit != "Cel" {
		t.Fatalf("101.3 °F: %+v %v", r, err)
	}
	r, err = obs("blood_pressure", `"150/95"`, "mmHg").Parse()
	if err != nil || r.Value != 150 || r.Value2 == nil || *r.Value2 != 95 || r.Unit != "mm[Hg]" || r.OriginalUnit != "mmHg" {
		t.Fatalf("150/95: %+v %v", r, err)
	}
	for _, c := range []struct{ o carepath.NewObservation }{
		{obs("temperature", "101", "Cel")},         // 101 °C: °F sent as Celsius
		{obs("temperature", "60", "[degF]")},       // 15.6 °C
		{obs("blood_glucose", "60", "mmol/L")},     // 1081 mg/dL
		{obs("blood_glucose", "0.5", "mmol/L")},    // 9 mg/dL
		{obs("weight", "1600", "[lb_av]")},         // 725 kg
		{obs("blood_pressure", `"80/90"`, "mmHg")}, // diastolic over systolic
	} {
		if _, err := c.o.Parse(); errField(err) != "value" {
			t.Errorf("%s %s %s: %v, want invalid value", c.o.Code, c.o.Value, c.o.Unit, err)
		}
	}
	if _, err := obs("weight", "80", "stone").Parse(); errField(err) != "unit" {
		t.Errorf("stone: %v", err)
	}
}

func errField(err error) string {
	var e *carepath.Error
	if errors.As(err, &e) && e.Code == carepath.EINVALID {
		return e.Field
	}
	return ""
}

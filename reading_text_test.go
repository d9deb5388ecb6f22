package carepath_test

import (
	"testing"

	"github.com/carepath/carepath"
)

func TestParseReadingText(t *testing.T) {
	cases := []struct {
		body, code, value, unit string
		canonical               float64
	}{
		{"BG 182", "blood_glucose", "182", "mg/dL", 182},
		{"bg 182 mg/dl", "blood_glucose", "182", "mg/dL", 182},
		{"Glucose: 182", "blood_glucose", "182", "mg/dL", 182},
		{"glucose 9.8 mmol", "blood_glucose", "9.8", "mmol/L", 176.56},
		{"glucosa 9,8 mmol", "blood_glucose", "9.8", "mmol/L", 176.56},
		{"azúcar 110", "blood_glucose", "110", "mg/dL", 110},
		{"BG 6.1", "blood_glucose", "6.1", "mmol/L", 109.9},
		{"BP 150/95", "blood_pressure", `"150/95"`, "mm[Hg]", 150},
		{"presión 150/95", "blood_pressure", `"150/95"`, "mm[Hg]", 150},
		{"bp 120 / 80 mmHg", "blood_pressure", `"120/80"`, "mm[Hg]", 120},
		{"peso 82 kg", "weight", "82", "kg", 82},
		{"weight 180 lb", "weight", "180", "[lb_av]", 81.65},
		{"Weight 180 lbs.", "weight", "180", "[lb_av]", 81.65},
		{"temp 38.5", "temperature", "38.5", "Cel", 38.5},
		{"temp 101.3", "temperature", "101.3", "[degF]", 38.5},
		{"temperatura 38,5 C", "temperature", "38.5", "Cel", 38.5},
		{"temp 38.5°", "temperature", "38.5", "Cel", 38.5},
		{"temp 101 degrees", "temperature", "101", "[degF]", 38.33},
		{"O2 91%", "spo2", "91", "%", 91},
		{"spo2 97", "spo2", "97", "%", 97},
		{"oxígeno 95 %", "spo2", "95", "%", 95},
		{"pulse 120", "heart_rate", "120", "/min", 120},
		{"pulso 64 bpm", "heart_rate", "64", "/min", 64},
		{"  HR   58 ", "heart_rate", "58", "/min", 58},
	}
	for _, c := range cases {
		o, ok := carepath.ParseReadingText(c.body)
		if !ok || o.Code != c.code || string(o.Value) != c.value || o.Unit != c.unit {
			t.Errorf("%q: %+v %v, want %s %s %s", c.body, o, ok, c.code, c.value, c.unit)
			continue
		}
		o.EffectiveAt = "2026-01-02T08:00:00Z"
		r, err := o.Parse()
		if err != nil || r.Value != c.canonical {
			t.Errorf("%q: parsed %+v %v, want %g", c.body, r, err, c.canonical)
		}
	}
}

func TestParseReadingTextRefusesOrdinaryMessages(t *testing.T) {
	for _, body := range []string{
		"2", "yes", "no", "1", "10", "150/95", "182",
		"I have 2 kids", "my sugar was high this morning", "bp was fine", "took my meds at 9",
		"weight 82", // a weight needs its unit
		"bp 150",    // a pressure needs both numbers
		"pulse 120/80",
		"bg 182 stones", "temp 38.5 degrees kelvin",
		"call me at 555 1234", "stop", "chest pain 10/10",
		"bg 182 and bp 150/95",
	} {
		if o, ok := carepath.ParseReadingText(body); ok {
			t.Errorf("%q read as a reading: %+v", body, o)
		}
	}
}

package carepath

import "math"

// Units: every reading is converted on arrival to its code's one canonical
// unit (UCUM), so plausible ranges, safe thresholds, trends and reports
// compare like with like. The value and unit as sent are kept beside it.

// Canonical units, UCUM codes.
const (
	UnitGlucose     = "mg/dL"
	UnitPressure    = "mm[Hg]"
	UnitWeight      = "kg"
	UnitHeartRate   = "/min"
	UnitSaturation  = "%"
	UnitTemperature = "Cel"
)

// GlucoseMgPerMmol converts glucose mmol/L to mg/dL (molar mass of glucose,
// 180.16 g/mol, divided by 10).
const GlucoseMgPerMmol = 18.016

// conversion maps a unit onto its code's canonical one:
// canonical = value*scale + offset.
type conversion struct{ scale, offset float64 }

var identity = conversion{scale: 1}

// unitConversions lists every unit accepted per code, UCUM first, then the
// spellings clients already send ("mmHg", "bpm", "lb", "C", "F", "degF"),
// which stay valid so no integration breaks.
var unitConversions = map[string]map[string]conversion{
	"blood_glucose":  {"mg/dL": identity, "mmol/L": {scale: GlucoseMgPerMmol}},
	"blood_pressure": {"mm[Hg]": identity, "mmHg": identity},
	"weight":         {"kg": identity, "[lb_av]": {scale: 0.45359237}, "lb": {scale: 0.45359237}},
	"heart_rate":     {"/min": identity, "bpm": identity},
	"spo2":           {"%": identity},
	"temperature": {"Cel": identity, "C": identity,
		"[degF]": {scale: 5.0 / 9, offset: -160.0 / 9}, "degF": {scale: 5.0 / 9, offset: -160.0 / 9}, "F": {scale: 5.0 / 9, offset: -160.0 / 9}},
}

// ToCanonical converts v in unit to the code's canonical unit, rounded to
// two decimals (so 100.4 °F is 38 °C, not 37.99999); false if the unit is
// not one the code accepts.
func ToCanonical(code, unit string, v float64) (float64, bool) {
	c, ok := unitConversions[code][unit]
	if !ok {
		return 0, false
	}
	return round2(v*c.scale + c.offset), true
}

// FromCanonical converts a canonical value back to unit (for messages that
// state a range in the unit the caller used).
func FromCanonical(code, unit string, v float64) (float64, bool) {
	c, ok := unitConversions[code][unit]
	if !ok {
		return 0, false
	}
	return round2((v - c.offset) / c.scale), true
}

// CanonicalUnit is the unit a code's readings are stored and judged in.
func CanonicalUnit(code string) string { return ObservationCodes[code].Canonical }

func round2(v float64) float64 { return math.Round(v*100) / 100 }

package carepath_test

import (
	"testing"

	"github.com/carepath/carepath"
)

// Every default rule at its boundary: just inside, at, and just beyond.
func TestDefaultSafeRangeBoundaries(t *testing.T) {
	dia := func(v float64) *float64 { return &v }
	const (
		in     = carepath.ReadingInRange
		low    = carepath.ReadingLow
		high   = carepath.ReadingHigh
		urgent = carepath.PriorityUrgent
		hi     = carepath.PriorityHigh
	)
	cases := []struct {
		name string
		code string
		v    float64
		v2   *float64
		flag carepath.ReadingFlag
		prio carepath.Priority
	}{
		// Glucose, mg/dL: low < 70, severe < 54, high > 250.
		{"glucose 69.9", "blood_glucose", 69.9, nil, low, hi},
		{"glucose 70", "blood_glucose", 70, nil, in, ""},
		{"glucose 70.1", "blood_glucose", 70.1, nil, in, ""},
		{"glucose 53.9", "blood_glucose", 53.9, nil, low, urgent},
		{"glucose 54", "blood_glucose", 54, nil, low, hi},
		{"glucose 54.1", "blood_glucose", 54.1, nil, low, hi},
		{"glucose 249.9", "blood_glucose", 249.9, nil, in, ""},
		{"glucose 250", "blood_glucose", 250, nil, in, ""},
		{"glucose 250.1", "blood_glucose", 250.1, nil, high, hi},
		// SpO2, %: low < 92, severe < 88, no upper bound.
		{"spo2 91.9", "spo2", 91.9, nil, low, hi},
		{"spo2 92", "spo2", 92, nil, in, ""},
		{"spo2 92.1", "spo2", 92.1, nil, in, ""},
		{"spo2 87.9", "spo2", 87.9, nil, low, urgent},
		{"spo2 88", "spo2", 88, nil, low, hi},
		{"spo2 88.1", "spo2", 88.1, nil, low, hi},
		{"spo2 100", "spo2", 100, nil, in, ""},
		// Blood pressure: systolic ≥ 180 or diastolic ≥ 120 high; systolic < 90 low.
		{"systolic 179", "blood_pressure", 179, dia(80), in, ""},
		{"systolic 180", "blood_pressure", 180, dia(80), high, hi},
		{"systolic 181", "blood_pressure", 181, dia(80), high, hi},
		{"diastolic 119", "blood_pressure", 150, dia(119), in, ""},
		{"diastolic 120", "blood_pressure", 150, dia(120), high, hi},
		{"diastolic 121", "blood_pressure", 150, dia(121), high, hi},
		{"systolic 89", "blood_pressure", 89, dia(60), low, hi},
		{"systolic 90", "blood_pressure", 90, dia(60), in, ""},
		{"systolic 91", "blood_pressure", 91, dia(60), in, ""},
		// Heart rate, /min: < 40 or > 130.
		{"pulse 39", "heart_rate", 39, nil, low, hi},
		{"pulse 40", "heart_rate", 40, nil, in, ""},
		{"pulse 41", "heart_rate", 41, nil, in, ""},
		{"pulse 129", "heart_rate", 129, nil, in, ""},
		{"pulse 130", "heart_rate", 130, nil, in, ""},
		{"pulse 131", "heart_rate", 131, nil, high, hi},
		// Temperature, Cel: ≥ 38.0 fever, < 35.0 low.
		{"temp 37.9", "temperature", 37.9, nil, in, ""},
		{"temp 38", "temperature", 38, nil, high, hi},
		{"temp 38.1", "temperature", 38.1, nil, high, hi},
		{"temp 34.9", "temperature", 34.9, nil, low, hi},
		{"temp 35", "temperature", 35, nil, in, ""},
		{"temp 35.1", "temperature", 35.1, nil, in, ""},
		// Weight has no fixed range.
		{"weight 300", "weight", 300, nil, in, ""},
	}
	for _, c := range cases {
		j := carepath.JudgeReading(c.code, c.v, c.v2)
		if j.Flag != c.flag || j.Priority != c.prio || j.Out() != (c.flag != in) || (j.Out() && j.Rule == "") {
			t.Errorf("%s: %+v, want %q at %q", c.name, j, c.flag, c.prio)
		}
	}
}

// A care plan's own bounds replace the defaults on the value; zero keeps them.
func TestSafeRangeForOverrides(t *testing.T) {
	r := carepath.SafeRangeFor("blood_glucose", 80, 200)
	for v, want := range map[float64]carepath.ReadingFlag{79.9: carepath.ReadingLow, 80: "", 200: "", 200.1: carepath.ReadingHigh} {
		if got := r.Judge(v, nil).Flag; got != want {
			t.Errorf("glucose %g with 80–200: %q, want %q", v, got, want)
		}
	}
	if j := r.Judge(53, nil); !j.Severe {
		t.Errorf("severe low lost with overrides: %+v", j)
	}
	d := carepath.SafeRangeFor("blood_glucose", 0, 0)
	if d.Judge(69, nil).Flag != carepath.ReadingLow || d.Judge(251, nil).Flag != carepath.ReadingHigh {
		t.Error("zero overrides changed the defaults")
	}
}

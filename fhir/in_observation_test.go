package fhir

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/carepath/carepath"
)

// clinFixture reads testdata/<name>.json, lets edit change it as a map
// (nil: as stored), and returns it as sent.
func clinFixture(t *testing.T, name string, edit func(m map[string]any)) json.RawMessage {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	if edit == nil {
		return b
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	edit(m)
	// Unescaped, as a FHIR server writes it: samply reads a comparator
	// ">" but not "\u003e".
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// clinAt walks a fixture map by keys and indexes ("component", 1,
// "valueQuantity").
func clinAt(m map[string]any, path ...any) map[string]any {
	var cur any = m
	for _, p := range path {
		switch k := p.(type) {
		case string:
			cur = cur.(map[string]any)[k]
		case int:
			cur = cur.([]any)[k]
		}
	}
	return cur.(map[string]any)
}

// clinWantField checks err is invalid input naming field, and that its
// message does not repeat what was sent (values are PHI).
func clinWantField(t *testing.T, err error, field string, sent ...string) {
	t.Helper()
	var e *carepath.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v, want invalid %s", err, field)
	}
	if e.Code != carepath.EINVALID || e.Field != field {
		t.Fatalf("error = %v (field %q), want invalid %s", err, e.Field, field)
	}
	for _, s := range sent {
		if strings.Contains(e.Message, s) {
			t.Errorf("message %q repeats the value sent %q", e.Message, s)
		}
	}
}

func clinF64(v float64) *float64 { return &v }

func TestObservationFromFHIRVitalSigns(t *testing.T) {
	for _, tc := range []struct {
		file           string
		code           string
		value          float64
		value2         *float64
		unit, sentUnit string
		sentValue      float64
		at             string
	}{
		// HL7's observation-example-bloodpressure: a panel with components.
		{"observation-bloodpressure", "blood_pressure", 107, clinF64(60), "mm[Hg]", "mm[Hg]", 107, "2012-09-17T00:00:00Z"},
		// observation-example-f001-glucose: mmol/L, effectivePeriod.start.
		{"observation-f001-glucose", "blood_glucose", 113.5, nil, "mg/dL", "mmol/L", 6.3, "2013-04-02T08:30:10Z"},
		{"observation-glucose-high", "blood_glucose", 450, nil, "mg/dL", "mg/dL", 450, "2026-11-30T12:45:00Z"},
		{"observation-heart-rate", "heart_rate", 44, nil, "/min", "/min", 44, "1999-07-02T00:00:00Z"},
		{"observation-body-weight", "weight", 83.91, nil, "kg", "[lb_av]", 185, "2016-03-28T00:00:00Z"},
		{"observation-body-temperature", "temperature", 36.5, nil, "Cel", "Cel", 36.5, "1999-07-02T00:00:00Z"},
		// satO2: 2708-6 first, 59408-5 second; both SpO2.
		{"observation-satO2", "spo2", 95, nil, "%", "%", 95, "2014-12-05T08:30:10Z"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			in, err := ObservationFromFHIR(clinFixture(t, tc.file, nil))
			if err != nil {
				t.Fatal(err)
			}
			r := in.Reading
			if r == nil {
				t.Fatal("no reading")
			}
			if in.Status != "final" || !strings.HasPrefix(in.Subject, "Patient/") {
				t.Errorf("status %q subject %q", in.Status, in.Subject)
			}
			if r.Code != tc.code || r.Value != tc.value || r.Unit != tc.unit || r.OriginalUnit != tc.sentUnit || r.OriginalValue != tc.sentValue {
				t.Errorf("reading = %s %g %s (sent %g %s), want %s %g %s (sent %g %s)", r.Code, r.Value, r.Unit,
					r.OriginalValue, r.OriginalUnit, tc.code, tc.value, tc.unit, tc.sentValue, tc.sentUnit)
			}
			if (r.Value2 == nil) != (tc.value2 == nil) || r.Value2 != nil && *r.Value2 != *tc.value2 {
				t.Errorf("value2 = %v, want %v", r.Value2, tc.value2)
			}
			if got := r.EffectiveAt.UTC().Format(time.RFC3339); got != tc.at {
				t.Errorf("effective = %s, want %s", got, tc.at)
			}
		})
	}
}

func TestObservationFromFHIRHighGlucoseIsOutOfRange(t *testing.T) {
	in, err := ObservationFromFHIR(clinFixture(t, "observation-glucose-high", nil))
	if err != nil {
		t.Fatal(err)
	}
	if j := carepath.JudgeReading(in.Reading.Code, in.Reading.Value, in.Reading.Value2); j.Flag != carepath.ReadingHigh {
		t.Errorf("450 mg/dL judged %+v, want high", j)
	}
}

func TestObservationFromFHIRStatus(t *testing.T) {
	for status, reading := range map[string]bool{
		"final": true, "amended": true, "corrected": true, "preliminary": true,
		"registered": false, "cancelled": false, "entered-in-error": false, "unknown": false,
	} {
		in, err := ObservationFromFHIR(clinFixture(t, "observation-glucose-high", func(m map[string]any) { m["status"] = status }))
		if err != nil {
			t.Fatalf("%s: %v", status, err)
		}
		if (in.Reading != nil) != reading || in.Status != status {
			t.Errorf("%s: reading %v, want %v", status, in.Reading != nil, reading)
		}
	}
}

func TestObservationFromFHIRReadingVariants(t *testing.T) {
	t.Run("issued when no effective", func(t *testing.T) {
		in, err := ObservationFromFHIR(clinFixture(t, "observation-glucose-high", func(m map[string]any) { delete(m, "effectiveDateTime") }))
		if err != nil {
			t.Fatal(err)
		}
		if got := in.Reading.EffectiveAt.UTC().Format(time.RFC3339); got != "2026-11-30T13:10:00Z" {
			t.Errorf("effective = %s, want issued", got)
		}
	})
	t.Run("comparator read at its bound", func(t *testing.T) {
		in, err := ObservationFromFHIR(clinFixture(t, "observation-glucose-high", func(m map[string]any) {
			q := clinAt(m, "valueQuantity")
			q["comparator"], q["value"] = ">", 600
		}))
		if err != nil {
			t.Fatal(err)
		}
		if in.Reading.Value != 600 {
			t.Errorf("value = %g", in.Reading.Value)
		}
	})
	t.Run("unit text without code", func(t *testing.T) {
		in, err := ObservationFromFHIR(clinFixture(t, "observation-bloodpressure", func(m map[string]any) {
			for _, i := range []int{0, 1} {
				q := clinAt(m, "component", i, "valueQuantity")
				delete(q, "code")
				delete(q, "system")
			}
		}))
		if err != nil {
			t.Fatal(err)
		}
		if in.Reading.Unit != "mm[Hg]" || in.Reading.OriginalUnit != "mmHg" {
			t.Errorf("unit %s, sent %s", in.Reading.Unit, in.Reading.OriginalUnit)
		}
	})
	t.Run("data absent", func(t *testing.T) {
		in, err := ObservationFromFHIR(clinFixture(t, "observation-glucose-high", func(m map[string]any) {
			delete(m, "valueQuantity")
			m["dataAbsentReason"] = map[string]any{"coding": []any{map[string]any{
				"system": "http://terminology.hl7.org/CodeSystem/data-absent-reason", "code": "error"}}}
		}))
		if err != nil || in.Reading != nil {
			t.Errorf("reading %v, err %v; want neither", in.Reading, err)
		}
	})
	t.Run("absolute subject", func(t *testing.T) {
		in, err := ObservationFromFHIR(clinFixture(t, "observation-glucose-high", func(m map[string]any) {
			m["subject"] = map[string]any{"reference": "https://ehr.example.org/fhir/R4/Patient/abc-1/_history/3"}
		}))
		if err != nil || in.Subject != "Patient/abc-1" {
			t.Errorf("subject %q, err %v", in.Subject, err)
		}
	})
	t.Run("bundle subject", func(t *testing.T) {
		urn := "urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a"
		in, err := ObservationFromFHIR(clinFixture(t, "observation-glucose-high", func(m map[string]any) {
			m["subject"] = map[string]any{"reference": urn}
		}))
		if err != nil || in.Subject != urn {
			t.Errorf("subject %q, err %v", in.Subject, err)
		}
	})
}

func TestObservationFromFHIRProblems(t *testing.T) {
	future := time.Now().Add(2 * time.Hour).UTC().Format(time.RFC3339)
	for _, tc := range []struct {
		name, file, field string
		edit              func(m map[string]any)
		sent              []string
	}{
		{"body height is not read", "observation-glucose-high", "Observation.code", func(m map[string]any) {
			clinAt(m, "code", "coding", 0)["code"] = "8302-2"
		}, nil},
		{"no LOINC coding", "observation-glucose-high", "Observation.code", func(m map[string]any) {
			clinAt(m, "code", "coding", 0)["system"] = "http://snomed.info/sct"
		}, nil},
		{"no subject", "observation-glucose-high", "Observation.subject", func(m map[string]any) { delete(m, "subject") }, nil},
		{"subject a group", "observation-glucose-high", "Observation.subject.reference", func(m map[string]any) {
			m["subject"] = map[string]any{"reference": "Group/102"}
		}, nil},
		{"subject by identifier", "observation-glucose-high", "Observation.subject.reference", func(m map[string]any) {
			m["subject"] = map[string]any{"identifier": map[string]any{"system": "urn:mrn", "value": "12345"}}
		}, []string{"12345"}},
		{"no status", "observation-glucose-high", "Observation.status", func(m map[string]any) { delete(m, "status") }, nil},
		{"not an Observation", "observation-glucose-high", "Observation.resourceType", func(m map[string]any) { m["resourceType"] = "Patient" }, nil},
		{"value not a number", "observation-glucose-high", "Observation.valueQuantity.value", func(m map[string]any) {
			clinAt(m, "valueQuantity")["value"] = true
		}, nil},
		{"value a string", "observation-glucose-high", "Observation.valueQuantity.value", func(m map[string]any) {
			clinAt(m, "valueQuantity")["value"] = "high"
		}, []string{"high"}},
		{"component value not a number", "observation-bloodpressure", "Observation.component[1].valueQuantity.value", func(m map[string]any) {
			clinAt(m, "component", 1, "valueQuantity")["value"] = []any{60}
		}, nil},
		{"no value", "observation-glucose-high", "Observation.valueQuantity", func(m map[string]any) { delete(m, "valueQuantity") }, nil},
		{"not UCUM", "observation-glucose-high", "Observation.valueQuantity.system", func(m map[string]any) {
			clinAt(m, "valueQuantity")["system"] = "http://example.org/units"
		}, nil},
		{"unit not for glucose", "observation-glucose-high", "Observation.valueQuantity.code", func(m map[string]any) {
			clinAt(m, "valueQuantity")["code"] = "g/L"
		}, nil},
		{"implausible glucose", "observation-glucose-high", "Observation.valueQuantity.value", func(m map[string]any) {
			clinAt(m, "valueQuantity")["value"] = 5000
		}, []string{"5000"}},
		{"implausible mmol/L", "observation-f001-glucose", "Observation.valueQuantity.value", func(m map[string]any) {
			clinAt(m, "valueQuantity")["value"] = 90.5
		}, []string{"90.5"}},
		{"no time at all", "observation-glucose-high", "Observation.effective[x]", func(m map[string]any) {
			delete(m, "effectiveDateTime")
			delete(m, "issued")
		}, nil},
		{"a year is too vague", "observation-glucose-high", "Observation.effectiveDateTime", func(m map[string]any) {
			m["effectiveDateTime"] = "2013"
		}, nil},
		{"in the future", "observation-glucose-high", "Observation.effectiveDateTime", func(m map[string]any) {
			m["effectiveDateTime"] = future
		}, []string{future}},
		{"timing", "observation-glucose-high", "Observation.effectiveTiming", func(m map[string]any) {
			delete(m, "effectiveDateTime")
			m["effectiveTiming"] = map[string]any{"event": []any{"2026-11-30T07:45:00Z"}}
		}, nil},
		{"bad period start", "observation-f001-glucose", "Observation.effectivePeriod.start", func(m map[string]any) {
			clinAt(m, "effectivePeriod")["start"] = "yesterday"
		}, []string{"yesterday"}},
		{"no diastolic", "observation-bloodpressure", "Observation.component", func(m map[string]any) {
			m["component"] = m["component"].([]any)[:1]
		}, nil},
		{"diastolic implausible", "observation-bloodpressure", "Observation.component[1].valueQuantity.value", func(m map[string]any) {
			clinAt(m, "component", 1, "valueQuantity")["value"] = 400
		}, []string{"400"}},
		{"diastolic above systolic", "observation-bloodpressure", "Observation.component", func(m map[string]any) {
			clinAt(m, "component", 1, "valueQuantity")["value"] = 120
		}, []string{"120"}},
		{"systolic unit", "observation-bloodpressure", "Observation.component[0].valueQuantity.code", func(m map[string]any) {
			clinAt(m, "component", 0, "valueQuantity")["code"] = "kPa"
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ObservationFromFHIR(clinFixture(t, tc.file, tc.edit))
			clinWantField(t, err, tc.field, tc.sent...)
		})
	}
}

func TestObservationFromFHIREnteredInErrorNeedsNoValue(t *testing.T) {
	in, err := ObservationFromFHIR(clinFixture(t, "observation-glucose-high", func(m map[string]any) {
		m["status"] = "entered-in-error"
		delete(m, "valueQuantity")
		delete(m, "effectiveDateTime")
		delete(m, "issued")
	}))
	if err != nil || in.Reading != nil {
		t.Errorf("reading %v, err %v", in.Reading, err)
	}
}

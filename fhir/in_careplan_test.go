package fhir

import (
	"encoding/json"
	"maps"
	"testing"
	"time"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"
)

var carePlanNow = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

func TestCarePlanFromFHIR(t *testing.T) {
	for _, tc := range []struct {
		file   string
		active bool
		params map[string]any
	}{
		// A vital-sign activity (41653-7) done daily.
		{"careplan-diabetes", true, map[string]any{"code": "blood_glucose", "checkin_every": "24h0m0s"}},
		// No LOINC activity: the plan's category (hypertension) gives the
		// code; its schedule belongs to no vital activity; until period.end.
		{"careplan-hypertension-weekly", true, map[string]any{"code": "blood_pressure", "length": "1488h0m0s"}},
		// HL7's careplan-example: its one weight activity is completed,
		// the category is text only: the journey's defaults, until the end.
		{"careplan-example-weightloss", true, map[string]any{"length": "7296h0m0s"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			in, err := CarePlanFromFHIR(clinFixture(t, tc.file, nil), carePlanNow)
			if err != nil {
				t.Fatal(err)
			}
			if in.Active != tc.active || in.Ended || in.Subject != "Patient/example" || !maps.Equal(in.Params, tc.params) {
				t.Errorf("got %+v, want active %v params %v", in, tc.active, tc.params)
			}
		})
	}
}

func TestCarePlanFromFHIRStatus(t *testing.T) {
	for _, tc := range []struct {
		status, intent string
		active, ended  bool
	}{
		{"active", "plan", true, false},
		{"active", "order", true, false},
		{"active", "proposal", false, false},
		{"active", "option", false, false},
		{"draft", "plan", false, false},
		{"on-hold", "plan", false, false},
		{"completed", "plan", false, true},
		{"revoked", "plan", false, true},
		{"entered-in-error", "plan", false, true},
	} {
		in, err := CarePlanFromFHIR(clinFixture(t, "careplan-diabetes", func(m map[string]any) {
			m["status"], m["intent"] = tc.status, tc.intent
		}), carePlanNow)
		if err != nil {
			t.Fatalf("%s/%s: %v", tc.status, tc.intent, err)
		}
		if in.Active != tc.active || in.Ended != tc.ended {
			t.Errorf("%s/%s: active %v ended %v, want %v %v", tc.status, tc.intent, in.Active, in.Ended, tc.active, tc.ended)
		}
	}
}

func TestCarePlanFromFHIRPeriodOver(t *testing.T) {
	in, err := CarePlanFromFHIR(clinFixture(t, "careplan-hypertension-weekly", func(m map[string]any) {
		clinAt(m, "period")["end"] = "2026-11-20"
	}), carePlanNow)
	if err != nil || in.Active {
		t.Errorf("active %v, err %v: a plan whose period is over starts nothing", in.Active, err)
	}
}

func TestCarePlanFromFHIRActivitySkipped(t *testing.T) {
	// A glucose activity that must not be done gives no code; the
	// diabetes reasonCode of that same activity still does.
	in, err := CarePlanFromFHIR(clinFixture(t, "careplan-diabetes", func(m map[string]any) {
		clinAt(m, "activity", 1, "detail")["doNotPerform"] = true
		clinAt(m, "activity", 1, "detail", "code", "coding", 0)["code"] = "2345-7"
	}), carePlanNow)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]any{"code": "blood_glucose"}; !maps.Equal(in.Params, want) {
		t.Errorf("params %v, want %v", in.Params, want)
	}
}

func TestCarePlanFromFHIRProblems(t *testing.T) {
	for _, tc := range []struct {
		name, field string
		edit        func(m map[string]any)
	}{
		{"no subject", "CarePlan.subject", func(m map[string]any) { delete(m, "subject") }},
		{"subject a group", "CarePlan.subject.reference", func(m map[string]any) {
			m["subject"] = map[string]any{"reference": "Group/g1"}
		}},
		{"no status", "CarePlan.status", func(m map[string]any) { delete(m, "status") }},
		{"no intent", "CarePlan.intent", func(m map[string]any) { delete(m, "intent") }},
		{"bad period end", "CarePlan.period.end", func(m map[string]any) { m["period"] = map[string]any{"end": "2027"} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := CarePlanFromFHIR(clinFixture(t, "careplan-diabetes", tc.edit), carePlanNow)
			clinWantField(t, err, tc.field)
		})
	}
}

func TestTimingEvery(t *testing.T) {
	for _, tc := range []struct {
		timing string
		want   time.Duration
		ok     bool
	}{
		{`{"repeat":{"frequency":1,"period":1,"periodUnit":"d"}}`, 24 * time.Hour, true},
		{`{"repeat":{"period":1,"periodUnit":"wk"}}`, 168 * time.Hour, true},
		{`{"repeat":{"frequency":2,"period":1,"periodUnit":"wk"}}`, 96 * time.Hour, true}, // 3.5 days, rounded
		{`{"repeat":{"frequency":3,"period":1,"periodUnit":"d"}}`, 24 * time.Hour, true},  // at most daily
		{`{"repeat":{"frequency":1,"period":8,"periodUnit":"h"}}`, 24 * time.Hour, true},
		{`{"repeat":{"frequency":1,"period":1,"periodUnit":"mo"}}`, 720 * time.Hour, true},
		{`{"repeat":{"frequency":1,"period":3,"periodUnit":"mo"}}`, 720 * time.Hour, true}, // at least monthly
		{`{"repeat":{"frequency":1,"period":1,"periodUnit":"fortnight"}}`, 0, false},
		{`{"repeat":{"count":3}}`, 0, false},
		{`{"event":["2026-12-01T09:00:00Z"]}`, 0, false},
	} {
		var tm fm.Timing
		if err := json.Unmarshal([]byte(tc.timing), &tm); err != nil {
			t.Fatal(err)
		}
		got, ok := timingEvery(&tm)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: %v %v, want %v %v", tc.timing, got, ok, tc.want, tc.ok)
		}
	}
}

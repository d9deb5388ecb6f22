package journeys_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/activities"
	"github.com/carepath/carepath/journeys"
	"github.com/carepath/carepath/workflows"
	"github.com/carepath/carepath/workflows/journeytest"
)

// patient scripts a patient who answers each medication check-in with
// adherence(cycle) and sends reading(cycle) after each reading request.
func patient(adherence func(int) string, reading func(int) (float64, bool)) journeytest.OnSend {
	checkins, requests := 0, 0
	return func(req activities.SendMessageRequest) (string, *workflows.Observation, time.Duration) {
		switch req.Template {
		case "treatment.adherence":
			checkins++
			return adherence(checkins), nil, 10 * time.Minute
		case "treatment.reading_request":
			requests++
			v, ok := reading(requests)
			if !ok {
				return "", nil, 0
			}
			return "", &workflows.Observation{ID: fmt.Sprintf("r%d", requests), Code: "blood_glucose", Value: v, Unit: "mg/dL"}, time.Hour
		}
		return "", nil, 0
	}
}

func reasons(h *journeytest.Harness) []string {
	var out []string
	for _, t := range h.Tasks() {
		out = append(out, string(t.Priority)+": "+t.Reason)
	}
	return out
}

func count(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}

func TestTreatmentHighReadingEscalates(t *testing.T) {
	h := journeytest.New(t, journeys.TreatmentFollowup)
	values := []float64{120, 300, 110}
	res, _, err := h.RunAll(`{"checkin_every":"24h","length":"72h"}`, patient(
		func(int) string { return "yes" },
		func(n int) (float64, bool) {
			if n > len(values) {
				return 0, false
			}
			return values[n-1], true
		}))
	if err != nil || res.Outcome != journeys.OutcomeProgramCompleted {
		t.Fatalf("%+v %v", res, err)
	}
	if got := reasons(h); len(got) != 1 || got[0] != "high: "+journeys.ReasonHighReading {
		t.Fatalf("tasks %v", got)
	}
	if count(h.Templates(), "treatment.high_reading") != 1 {
		t.Fatalf("sent %v", h.Templates())
	}
}

func TestTreatmentCheckinsAtLocalHour(t *testing.T) {
	h := journeytest.New(t, journeys.TreatmentFollowup)
	h.Timezone = "America/Chicago"
	if _, _, err := h.RunAll(`{"checkin_every":"24h","checkin_hour":9,"length":"96h"}`, patient(
		func(int) string { return "yes" }, func(int) (float64, bool) { return 100, true })); err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("America/Chicago")
	n := 0
	for _, s := range h.Sent() {
		if s.Template != "treatment.adherence" {
			continue
		}
		n++
		if l := h.Start().Add(s.At).In(loc); l.Hour() != 9 || l.Minute() != 0 {
			t.Fatalf("check-in at local %s", l)
		}
	}
	if n < 3 {
		t.Fatalf("%d check-ins in 4 days", n)
	}
}

// The trend rule at its boundaries: N rises in a row trigger, N-1 do not,
// and a flat reading breaks the run.
func TestTreatmentTrendBoundaries(t *testing.T) {
	cases := []struct {
		readings []float64
		want     int
	}{
		{[]float64{100, 110, 120, 130}, 1}, // three rises: trend
		{[]float64{100, 110, 120}, 0},      // two rises: not yet
		{[]float64{100, 110, 110, 120}, 0}, // a flat reading breaks it
		{[]float64{130, 120, 110, 100}, 0}, // falling
	}
	for _, c := range cases {
		h := journeytest.New(t, journeys.TreatmentFollowup)
		length := fmt.Sprintf("%dh", 24*len(c.readings))
		if _, _, err := h.RunAll(`{"checkin_every":"24h","length":"`+length+`"}`, patient(
			func(int) string { return "yes" },
			func(n int) (float64, bool) {
				if n > len(c.readings) {
					return 0, false
				}
				return c.readings[n-1], true
			})); err != nil {
			t.Fatal(err)
		}
		if got := count(reasons(h), "normal: "+journeys.ReasonRisingTrend); got != c.want {
			t.Errorf("%v: %d trend tasks, want %d", c.readings, got, c.want)
		}
		if got := count(h.CaregiverNotices(), "treatment.caregiver_trend"); got != c.want {
			t.Errorf("%v: %d caregiver notices, want %d", c.readings, got, c.want)
		}
	}
	if !journeys.Rising([]float64{1, 2, 3}, 2) || journeys.Rising([]float64{1, 2}, 2) || journeys.Rising([]float64{1, 3, 3}, 2) {
		t.Fatal("Rising")
	}
}

func TestTreatmentMissedCheckinsNudgeThenTask(t *testing.T) {
	h := journeytest.New(t, journeys.TreatmentFollowup)
	if _, _, err := h.RunAll(`{"checkin_every":"24h","length":"72h","reply_timeout":"2h"}`, patient(
		func(int) string { return "" }, func(int) (float64, bool) { return 0, false })); err != nil {
		t.Fatal(err)
	}
	tpl := h.Templates()
	if count(tpl, "treatment.nudge") != 2 || count(reasons(h), "normal: "+journeys.ReasonMissedCheckins) != 1 {
		t.Fatalf("three missed check-ins: sent %v, tasks %v", tpl, reasons(h))
	}
}

func TestTreatmentMissedDosesAndOptOut(t *testing.T) {
	h := journeytest.New(t, journeys.TreatmentFollowup)
	if _, _, err := h.RunAll(`{"checkin_every":"24h","length":"48h"}`, patient(
		func(int) string { return "no" }, func(int) (float64, bool) { return 100, true })); err != nil {
		t.Fatal(err)
	}
	if count(reasons(h), "normal: "+journeys.ReasonMissedDoses) != 2 {
		t.Fatalf("tasks %v", reasons(h))
	}
	h = journeytest.New(t, journeys.TreatmentFollowup)
	h.SendResult = func(activities.SendMessageRequest) activities.SendMessageResult {
		return activities.SendMessageResult{Outcome: activities.OutcomeSuppressed, Reason: activities.ReasonOptedOut}
	}
	res, _, err := h.RunAll(`{"checkin_every":"24h"}`, nil)
	if err != nil || res.Outcome != journeys.OutcomeOptedOut {
		t.Fatalf("opted out: %+v %v", res, err)
	}
}

// TestTreatmentYearLong simulates 365 days of daily check-ins: the journey
// continues as new before any run's history nears 10,000 events, carries
// its trend window across runs, and ends on time.
func TestTreatmentYearLong(t *testing.T) {
	h := journeytest.New(t, journeys.TreatmentFollowup)
	res, runs, err := h.RunAll(`{"checkin_every":"24h","length":"8760h"}`, patient(
		func(n int) string {
			if n%10 == 0 {
				return "" // a missed check-in now and then
			}
			return "yes"
		},
		func(n int) (float64, bool) { return 100 + float64(n%5)*10, true })) // 100..140, rising 4 times every 5 days
	if err != nil || res.Outcome != journeys.OutcomeProgramCompleted {
		t.Fatalf("%+v %v", res, err)
	}
	if len(runs) < 2 {
		t.Fatalf("a year in %d run(s): continue-as-new never happened", len(runs))
	}
	for i, r := range runs {
		if e := r.EstimatedEvents(); e >= 10000 {
			t.Fatalf("run %d: about %d history events", i, e)
		}
	}
	checkins := count(h.Templates(), "treatment.adherence")
	if checkins < 360 || checkins > 366 {
		t.Fatalf("%d check-ins in a year of daily ones", checkins)
	}
	// Rising 100→140 spans four rises every five days: a trend each cycle of
	// five, including those that straddle a run boundary.
	if trends := count(reasons(h), "normal: "+journeys.ReasonRisingTrend); trends < 70 {
		t.Fatalf("%d trend tasks in a year", trends)
	}
	if f := h.Finished(); f == nil || f.Status != carepath.EnrollmentCompleted {
		t.Fatalf("not recorded as completed: %+v", f)
	}
	t.Logf("%d runs; largest about %d events", len(runs), maxEvents(runs))
}

func maxEvents(runs []journeytest.RunStats) int {
	m := 0
	for _, r := range runs {
		m = max(m, r.EstimatedEvents())
	}
	return m
}

func TestTreatmentParams(t *testing.T) {
	if _, err := journeys.TreatmentFollowup.NormalizeParams([]byte(`{"code":"mood"}`)); err == nil || !strings.Contains(err.Error(), "params.code") {
		t.Fatalf("unknown code: %v", err)
	}
	if _, err := journeys.TreatmentFollowup.NormalizeParams([]byte(`{"checkin_hour":3}`)); err == nil {
		t.Fatal("a 3 a.m. check-in was accepted")
	}
}

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
	if got := reasons(h); len(got) != 1 || got[0] != "high: "+carepath.ReasonReadingOutOfRange {
		t.Fatalf("tasks %v", got)
	}
	// The engine raised the task under this key when the reading arrived:
	// the journey's is the same task.
	if k := h.Tasks()[0].DedupeKey; k != carepath.TaskKeyReading("r2") {
		t.Fatalf("task key %q, want the reading's", k)
	}
	if count(h.Templates(), "treatment.high_reading") != 1 {
		t.Fatalf("sent %v", h.Templates())
	}
}

// Each reading is judged the moment it arrives, however many come in one
// cycle and whenever they come: two readings before the first check-in
// raise two tasks, at once (before, only the oldest was judged, and only
// after the check-in's reading request).
func TestTreatmentJudgesEachReadingOnArrival(t *testing.T) {
	h := journeytest.New(t, journeys.TreatmentFollowup)
	// The first check-in is at 09:00 New York (14:00 UTC, 14 h after the start).
	h.ObservationAt(2*time.Hour, workflows.Observation{ID: "high", Code: "blood_glucose", Value: 320, Unit: "mg/dL"})
	h.ObservationAt(3*time.Hour, workflows.Observation{ID: "low", Code: "blood_glucose", Value: 50, Unit: "mg/dL"})
	h.ObservationAt(4*time.Hour, workflows.Observation{ID: "low", Code: "blood_glucose", Value: 50, Unit: "mg/dL"}) // re-sent
	h.ObservationAt(5*time.Hour, workflows.Observation{ID: "other", Code: "weight", Value: 300, Unit: "kg"})
	// While the check-in question waits for its answer (asked at 14 h).
	h.ObservationAt(14*time.Hour+30*time.Minute, workflows.Observation{ID: "asking", Code: "blood_glucose", Value: 300, Unit: "mg/dL"})
	if _, err := h.Run(`{"checkin_every":"24h","length":"24h","reply_timeout":"1h"}`); err != nil {
		t.Fatal(err)
	}
	tasks := h.Tasks()
	if len(tasks) != 3 || tasks[0].Priority != carepath.PriorityHigh || tasks[0].DedupeKey != carepath.TaskKeyReading("high") ||
		tasks[1].Priority != carepath.PriorityUrgent || tasks[1].DedupeKey != carepath.TaskKeyReading("low") ||
		tasks[2].DedupeKey != carepath.TaskKeyReading("asking") {
		t.Fatalf("tasks %+v", tasks)
	}
	at := map[string][]time.Duration{}
	for _, s := range h.Sent() {
		at[s.Template] = append(at[s.Template], s.At)
	}
	if fmt.Sprint(at["treatment.high_reading"]) != "[2h0m0s 14h30m0s]" || fmt.Sprint(at["treatment.low_reading"]) != "[3h0m0s]" {
		t.Fatalf("advice sent at %v, want on arrival (high 2h and 14h30m, low 3h, once)", at)
	}
}

// The plan's own low and high replace the defaults, each at its boundary;
// a high of 250 in a plan for another code is the old default, not a bound.
func TestTreatmentPlanBounds(t *testing.T) {
	cases := []struct {
		params   string
		code     string
		v        float64
		v2       float64
		priority carepath.Priority // "" for none
		advice   string
	}{
		{`"high":200`, "blood_glucose", 200, 0, "", ""},
		{`"high":200`, "blood_glucose", 201, 0, carepath.PriorityHigh, "treatment.high_reading"},
		{`"low":80`, "blood_glucose", 80, 0, "", ""},
		{`"low":80`, "blood_glucose", 79, 0, carepath.PriorityHigh, "treatment.low_reading"},
		{`"low":80`, "blood_glucose", 53, 0, carepath.PriorityUrgent, "treatment.low_reading"},
		{`"code":"blood_glucose"`, "blood_glucose", 69, 0, carepath.PriorityHigh, "treatment.low_reading"},
		{`"code":"heart_rate","high":250`, "heart_rate", 131, 0, carepath.PriorityHigh, "treatment.high_reading"},
		{`"code":"heart_rate","high":250`, "heart_rate", 130, 0, "", ""},
		{`"code":"heart_rate","high":150`, "heart_rate", 140, 0, "", ""},
		{`"code":"spo2"`, "spo2", 99, 0, "", ""},
		{`"code":"spo2"`, "spo2", 91, 0, carepath.PriorityHigh, "treatment.low_reading"},
		{`"code":"spo2"`, "spo2", 87, 0, carepath.PriorityUrgent, "treatment.low_reading"},
		{`"code":"blood_pressure"`, "blood_pressure", 150, 119, "", ""},
		{`"code":"blood_pressure"`, "blood_pressure", 150, 120, carepath.PriorityHigh, "treatment.high_reading"},
		{`"code":"blood_pressure"`, "blood_pressure", 89, 60, carepath.PriorityHigh, "treatment.low_reading"},
		{`"code":"temperature"`, "temperature", 38, 0, carepath.PriorityHigh, "treatment.high_reading"},
	}
	for _, c := range cases {
		h := journeytest.New(t, journeys.TreatmentFollowup)
		o := workflows.Observation{ID: "r", Code: c.code, Value: c.v, Unit: carepath.CanonicalUnit(c.code)}
		if c.v2 != 0 {
			o.Value2 = &c.v2
		}
		h.ObservationAt(time.Hour, o)
		if _, err := h.Run(`{"checkin_every":"24h","length":"24h","reply_timeout":"1h",` + c.params + `}`); err != nil {
			t.Fatal(err)
		}
		tasks := h.Tasks()
		switch {
		case c.priority == "" && len(tasks) != 0:
			t.Errorf("%s: %s %g/%g raised %+v", c.params, c.code, c.v, c.v2, tasks)
		case c.priority != "" && (len(tasks) != 1 || tasks[0].Priority != c.priority || tasks[0].Reason != carepath.ReasonReadingOutOfRange):
			t.Errorf("%s: %s %g/%g raised %+v, want one %s task", c.params, c.code, c.v, c.v2, tasks, c.priority)
		case c.advice != "" && count(h.Templates(), c.advice) != 1:
			t.Errorf("%s: %s %g: sent %v, want %s", c.params, c.code, c.v, h.Templates(), c.advice)
		}
	}
}

// replying scripts a patient who answers each question (by template) with
// the reply given, flagged red if said so.
func replying(h *journeytest.Harness, replies map[string]string, redFlag bool) {
	n := 0
	h.SendResult = func(req activities.SendMessageRequest) activities.SendMessageResult {
		if body, ok := replies[req.Template]; ok && req.Question != nil {
			n++
			r := workflows.Reply{QuestionID: req.Question.ID, MessageID: fmt.Sprintf("m%d", n), Channel: carepath.ChannelSMS,
				Body: body, RedFlag: redFlag}
			h.Env.RegisterDelayedCallback(func() { h.Env.SignalWorkflow(workflows.SignalReply, r) }, 10*time.Minute)
		}
		return activities.SendMessageResult{Outcome: activities.OutcomeSent, Channel: carepath.ChannelSMS}
	}
}

// A check-in reply the follow-up cannot read gets one clarification, then
// a task holding it; it is never counted as a missed check-in.
func TestTreatmentReplyNotUnderstood(t *testing.T) {
	h := journeytest.New(t, journeys.TreatmentFollowup)
	replying(h, map[string]string{"treatment.adherence": "what pills?", "treatment.adherence_clarify": "the blue ones"}, false)
	if _, err := h.Run(`{"checkin_every":"24h","length":"72h","reply_timeout":"2h"}`); err != nil {
		t.Fatal(err)
	}
	tpl := h.Templates()
	if count(tpl, "treatment.adherence") != 3 || count(tpl, "treatment.adherence_clarify") != 3 || count(tpl, "treatment.nudge") != 0 {
		t.Fatalf("sent %v", tpl)
	}
	tasks := h.Tasks()
	if len(tasks) != 3 {
		t.Fatalf("tasks %v", reasons(h))
	}
	for _, task := range tasks {
		if task.Reason != journeys.ReasonCheckinNotUnderstood || task.Priority != carepath.PriorityNormal || task.MessageID == "" {
			t.Fatalf("task %+v", task)
		}
	}
	// A red flag was answered by the engine (safety message, urgent task
	// holding the reply): no clarification, no second task.
	h = journeytest.New(t, journeys.TreatmentFollowup)
	replying(h, map[string]string{"treatment.adherence": "chest pain, can't breathe"}, true)
	if _, err := h.Run(`{"checkin_every":"24h","length":"24h","reply_timeout":"2h"}`); err != nil {
		t.Fatal(err)
	}
	if n := len(h.Tasks()); n != 0 || count(h.Templates(), "treatment.adherence_clarify") != 0 || count(h.Templates(), "treatment.nudge") != 0 {
		t.Fatalf("red flag: tasks %v, sent %v", reasons(h), h.Templates())
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
	// One check-in on each of 365 consecutive local days, at 09:00 New
	// York, spring-forward day (8 March) and fall-back day (1 November)
	// included.
	days := checkinDays(t, h, "America/New_York", 9)
	if len(days) != 365 {
		t.Fatalf("%d check-ins in a year of daily ones, want 365", len(days))
	}
	for i := 1; i < len(days); i++ {
		if want := days[0].AddDate(0, 0, i); !days[i].Equal(want) {
			t.Fatalf("check-in %d on %s, want %s (the day before: %s)", i, days[i].Format(time.DateOnly),
				want.Format(time.DateOnly), days[i-1].Format(time.DateOnly))
		}
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

// checkinDays returns the local date of every medication check-in,
// failing the test for one not at hour:00 local time.
func checkinDays(t *testing.T, h *journeytest.Harness, zone string, hour int) []time.Time {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	var days []time.Time
	for _, s := range h.Sent() {
		if s.Template != "treatment.adherence" {
			continue
		}
		l := h.Start().Add(s.At).In(loc)
		if l.Hour() != hour || l.Minute() != 0 {
			t.Fatalf("check-in at local %s, want %02d:00", l, hour)
		}
		days = append(days, time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC))
	}
	return days
}

// A weekly plan keeps its weekday and local hour all year, across both DST
// changes: 52 check-ins, every one on the first one's weekday at 09:00.
func TestTreatmentWeeklyKeepsWeekday(t *testing.T) {
	h := journeytest.New(t, journeys.TreatmentFollowup)
	res, _, err := h.RunAll(`{"checkin_every":"168h","length":"8760h"}`, patient(
		func(int) string { return "yes" }, func(int) (float64, bool) { return 100, true }))
	if err != nil || res.Outcome != journeys.OutcomeProgramCompleted {
		t.Fatalf("%+v %v", res, err)
	}
	days := checkinDays(t, h, "America/New_York", 9)
	if len(days) != 52 {
		t.Fatalf("%d weekly check-ins in a year, want 52", len(days))
	}
	for i, d := range days {
		if want := days[0].AddDate(0, 0, 7*i); !d.Equal(want) {
			t.Fatalf("check-in %d on %s %s, want %s %s", i, d.Weekday(), d.Format(time.DateOnly), want.Weekday(), want.Format(time.DateOnly))
		}
	}
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

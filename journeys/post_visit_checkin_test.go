package journeys_test

import (
	"slices"
	"testing"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/activities"
	"github.com/carepath/carepath/journeys"
	"github.com/carepath/carepath/workflows/journeytest"
)

func run(t *testing.T, h *journeytest.Harness, params string) string {
	t.Helper()
	res, err := h.Run(params)
	if err != nil {
		t.Fatalf("journey failed: %v", err)
	}
	if f := h.Finished(); f == nil || f.Status != carepath.EnrollmentCompleted || f.Outcome != res.Outcome {
		t.Fatalf("enrollment not recorded as completed with outcome %q: %+v", res.Outcome, f)
	}
	return res.Outcome
}

func wantTemplates(t *testing.T, h *journeytest.Harness, want ...string) {
	t.Helper()
	if got := h.Templates(); !slices.Equal(got, want) {
		t.Fatalf("sent %v, want %v", got, want)
	}
}

func wantTasks(t *testing.T, h *journeytest.Harness, want ...string) []activities.CreateTaskRequest {
	t.Helper()
	tasks := h.Tasks()
	var got []string
	for _, tk := range tasks {
		got = append(got, string(tk.Priority)+": "+tk.Reason)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("tasks %v, want %v", got, want)
	}
	return tasks
}

func TestPostVisitAsksAfterDelay(t *testing.T) {
	h, _ := newHarness(t, journeys.PostVisitCheckin, false)
	var stepBefore, stepAfter string
	h.StepAt(71*time.Hour, &stepBefore)
	h.StepAt(73*time.Hour, &stepAfter)
	h.ReplyAt(74*time.Hour, "2")
	h.ReplyAt(75*time.Hour, "no")
	run(t, h, "")
	if sent := h.Sent(); sent[0].At != 72*time.Hour {
		t.Fatalf("first question sent at %v, want the default delay 72h", sent[0].At)
	}
	if stepBefore != "waiting_after_visit" || stepAfter != "asking_how_feeling" {
		t.Fatalf("steps %q then %q", stepBefore, stepAfter)
	}
}

func TestPostVisitWorseRaisesUrgentTask(t *testing.T) {
	h, _ := newHarness(t, journeys.PostVisitCheckin, false)
	h.ReplyAt(time.Hour, "3")
	if out := run(t, h, `{"delay":"0s"}`); out != journeys.OutcomeWorse {
		t.Fatalf("outcome %q", out)
	}
	wantTemplates(t, h, "post_visit.feeling", "post_visit.nurse_will_call")
	tasks := wantTasks(t, h, "urgent: "+journeys.ReasonWorse)
	if tasks[0].MessageID == "" {
		t.Fatal("urgent task does not point at the patient's reply")
	}
}

func TestPostVisitWorseInWords(t *testing.T) {
	h, _ := newHarness(t, journeys.PostVisitCheckin, false)
	h.ReplyAt(time.Hour, "I feel worse today")
	if out := run(t, h, `{"delay":"0s"}`); out != journeys.OutcomeWorse {
		t.Fatalf("outcome %q", out)
	}
}

func TestPostVisitBetterStoresSatisfaction(t *testing.T) {
	h, _ := newHarness(t, journeys.PostVisitCheckin, false)
	h.ReplyAt(time.Hour, "Better!")
	h.ReplyAt(2*time.Hour, "9")
	if out := run(t, h, `{"delay":"0s"}`); out != journeys.OutcomeBetter {
		t.Fatalf("outcome %q", out)
	}
	wantTemplates(t, h, "post_visit.feeling", "post_visit.glad", "post_visit.satisfaction", "post_visit.thanks")
	wantTasks(t, h)
	fb := h.Feedback()
	if len(fb) != 1 || fb[0].Score != 9 || fb[0].Kind != "visit_satisfaction" {
		t.Fatalf("feedback %+v", fb)
	}
}

func TestPostVisitSatisfactionOutOfRangeIsClarifiedOnce(t *testing.T) {
	h, _ := newHarness(t, journeys.PostVisitCheckin, false)
	h.ReplyAt(time.Hour, "1")
	h.ReplyAt(2*time.Hour, "11")
	h.ReplyAt(3*time.Hour, "7")
	run(t, h, `{"delay":"0s"}`)
	wantTemplates(t, h, "post_visit.feeling", "post_visit.glad", "post_visit.satisfaction",
		"post_visit.satisfaction_clarify", "post_visit.thanks")
	if fb := h.Feedback(); len(fb) != 1 || fb[0].Score != 7 {
		t.Fatalf("feedback %+v", fb)
	}
}

func TestPostVisitBetterWithoutScoreStillCompletes(t *testing.T) {
	h, _ := newHarness(t, journeys.PostVisitCheckin, false)
	h.ReplyAt(time.Hour, "1")
	if out := run(t, h, `{"delay":"0s","reply_timeout":"2h"}`); out != journeys.OutcomeBetter {
		t.Fatalf("outcome %q", out)
	}
	if len(h.Feedback()) != 0 {
		t.Fatal("feedback stored without an answer")
	}
}

func TestPostVisitAboutTheSameOffersCall(t *testing.T) {
	h, _ := newHarness(t, journeys.PostVisitCheckin, false)
	h.ReplyAt(time.Hour, "2")
	h.ReplyAt(2*time.Hour, "CALL")
	if out := run(t, h, `{"delay":"0s"}`); out != journeys.OutcomeAboutSame {
		t.Fatalf("outcome %q", out)
	}
	wantTemplates(t, h, "post_visit.feeling", "post_visit.self_care", "post_visit.team_will_call")
	wantTasks(t, h, "high: "+journeys.ReasonCallRequested)
}

func TestPostVisitAboutTheSameDeclinesCall(t *testing.T) {
	h, _ := newHarness(t, journeys.PostVisitCheckin, false)
	h.ReplyAt(time.Hour, "about the same")
	if out := run(t, h, `{"delay":"0s"}`); out != journeys.OutcomeAboutSame {
		t.Fatalf("outcome %q", out)
	}
	wantTemplates(t, h, "post_visit.feeling", "post_visit.self_care")
	wantTasks(t, h)
}

func TestPostVisitNoResponseAfterReminders(t *testing.T) {
	h, _ := newHarness(t, journeys.PostVisitCheckin, false)
	if out := run(t, h, `{"delay":"1h","reply_timeout":"24h","reminders":2}`); out != journeys.OutcomeNoResponse {
		t.Fatalf("outcome %q", out)
	}
	wantTemplates(t, h, "post_visit.feeling", "post_visit.feeling_reminder", "post_visit.feeling_reminder")
	sent := h.Sent()
	if sent[1].At != 25*time.Hour || sent[2].At != 49*time.Hour {
		t.Fatalf("reminders at %v and %v, want 25h and 49h", sent[1].At, sent[2].At)
	}
	if sent[1].QuestionID != sent[0].QuestionID {
		t.Fatal("a reminder must re-open the same question")
	}
	wantTasks(t, h, "normal: "+journeys.ReasonNoResponse)
}

func TestPostVisitAnswerAfterReminder(t *testing.T) {
	h, _ := newHarness(t, journeys.PostVisitCheckin, false)
	h.ReplyAt(30*time.Hour, "3")
	if out := run(t, h, `{"delay":"0s"}`); out != journeys.OutcomeWorse {
		t.Fatalf("outcome %q", out)
	}
	wantTemplates(t, h, "post_visit.feeling", "post_visit.feeling_reminder", "post_visit.nurse_will_call")
}

func TestPostVisitUnrecognisedGetsOneClarification(t *testing.T) {
	h, _ := newHarness(t, journeys.PostVisitCheckin, false)
	h.ReplyAt(time.Hour, "who is this?")
	h.ReplyAt(2*time.Hour, "3")
	if out := run(t, h, `{"delay":"0s"}`); out != journeys.OutcomeWorse {
		t.Fatalf("outcome %q", out)
	}
	wantTemplates(t, h, "post_visit.feeling", "post_visit.feeling_clarify", "post_visit.nurse_will_call")
}

func TestPostVisitTwiceUnrecognisedGoesToReview(t *testing.T) {
	h, _ := newHarness(t, journeys.PostVisitCheckin, false)
	h.ReplyAt(time.Hour, "not better")
	h.ReplyAt(2*time.Hour, "hmm")
	if out := run(t, h, `{"delay":"0s"}`); out != journeys.OutcomeNeedsReview {
		t.Fatalf("outcome %q", out)
	}
	wantTemplates(t, h, "post_visit.feeling", "post_visit.feeling_clarify")
	wantTasks(t, h, "normal: "+journeys.ReasonNeedsReview)
}

func TestPostVisitUndeliverable(t *testing.T) {
	h, _ := newHarness(t, journeys.PostVisitCheckin, false)
	h.SendResult = func(activities.SendMessageRequest) activities.SendMessageResult {
		return activities.SendMessageResult{Outcome: activities.OutcomeFailed, Reason: activities.ReasonInvalidContact}
	}
	if out := run(t, h, `{"delay":"0s"}`); out != journeys.OutcomeUndelivered {
		t.Fatalf("outcome %q", out)
	}
	wantTasks(t, h, "normal: "+journeys.ReasonUndeliverable)
}

func TestPostVisitReplyInFlightAtTimeoutIsNotLost(t *testing.T) {
	h, _ := newHarness(t, journeys.PostVisitCheckin, false)
	h.ReplyInFlight = true
	// The question times out at 24h with no reminders; the routed reply's
	// signal lands a minute later and must still be taken as the answer.
	h.ReplyAt(24*time.Hour+time.Minute, "3")
	if out := run(t, h, `{"delay":"0s","reminders":0}`); out != journeys.OutcomeWorse {
		t.Fatalf("outcome %q", out)
	}
}

func TestPostVisitStaleReplyBecomesTask(t *testing.T) {
	h, _ := newHarness(t, journeys.PostVisitCheckin, false)
	h.StaleReplyAt(time.Hour, "about my bill")
	h.ReplyAt(2*time.Hour, "2")
	h.ReplyAt(3*time.Hour, "no")
	run(t, h, `{"delay":"0s"}`)
	tasks := h.Tasks()
	if len(tasks) != 1 || tasks[0].MessageID == "" || tasks[0].Priority != carepath.PriorityNormal {
		t.Fatalf("stale reply should become one review task: %+v", tasks)
	}
}

func TestPostVisitParamsValidated(t *testing.T) {
	for _, tc := range []struct{ params, field string }{
		{`{"delay":"-1h"}`, "params.delay"},
		{`{"delay":"3 days"}`, "params.delay"},
		{`{"reply_timeout":"0s"}`, "params.reply_timeout"},
		{`{"reminders":9}`, "params.reminders"},
		{`{"reminders":"one"}`, "params.reminders"},
		{`{"colour":"blue"}`, "params.colour"},
		{`[1]`, "params"},
	} {
		_, err := journeys.PostVisitCheckin.NormalizeParams([]byte(tc.params))
		var ae *carepath.Error
		if !asErr(err, &ae) || ae.Code != carepath.EINVALID || ae.Field != tc.field {
			t.Errorf("%s: got %v, want invalid %s", tc.params, err, tc.field)
		}
	}
	got, err := journeys.PostVisitCheckin.NormalizeParams([]byte(`{"delay":"90m"}`))
	if err != nil || string(got) != `{"delay":"1h30m0s","reply_timeout":"24h0m0s","reminders":1,"decliner_touch_delay":"24h0m0s"}` {
		t.Fatalf("normalised %s, %v", got, err)
	}
}

func TestPostVisitStopWhileWaitingEndsAtOnce(t *testing.T) {
	h, _ := newHarness(t, journeys.PostVisitCheckin, false)
	h.OptOutAt(2*time.Hour, "sms")
	if out := run(t, h, `{"delay":"0s"}`); out != journeys.OutcomeOptedOut {
		t.Fatalf("outcome %q", out)
	}
	wantTemplates(t, h, "post_visit.feeling") // no reminder after STOP
	wantTasks(t, h)
	if at := h.Env.Now().Sub(h.Start()); at > 3*time.Hour {
		t.Fatalf("ended %v after the start; it should stop when the patient opts out", at)
	}
}

func TestPostVisitOptOutOnAnotherChannelKeepsWaiting(t *testing.T) {
	h, _ := newHarness(t, journeys.PostVisitCheckin, false)
	h.OptOutAt(time.Hour, "email")
	h.ReplyAt(2*time.Hour, "3")
	if out := run(t, h, `{"delay":"0s"}`); out != journeys.OutcomeWorse {
		t.Fatalf("outcome %q", out)
	}
}

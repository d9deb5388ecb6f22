package journeys_test

import (
	"slices"
	"testing"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/journeys"
	"github.com/carepath/carepath/workflows/journeytest"
)

// Replies a journey does not understand (issue 12, item 6): one
// clarification, then a task holding the message; never dropped, never
// counted as silence. Onboarding's are in onboarding_test.go.

// Re-engagement: a reason not understood after clarifying goes to a person
// (before, the journey moved on to its next attempt as if nobody answered).
func TestReengagementUnclearReasonGoesToReview(t *testing.T) {
	h := journeytest.New(t, journeys.Reengagement)
	h.Timezone = "UTC"
	h.ReplyAt(36*time.Hour, "my daughter handles this")
	h.ReplyAt(37*time.Hour, "ask her")
	if out := run(t, h, fastReengage); out != journeys.OutcomeNeedsReview {
		t.Fatalf("outcome %q", out)
	}
	wantTemplates(t, h, "reengagement.ask_why", "reengagement.why_clarify")
	if tasks := wantTasks(t, h, "normal: "+journeys.ReasonReengagementUnclear); tasks[0].MessageID == "" {
		t.Fatal("the task does not hold the message")
	}
}

// The come-back question is clarified once; the answer after it counts.
func TestReengagementComeBackClarifiedThenYes(t *testing.T) {
	h := journeytest.New(t, journeys.Reengagement)
	h.Timezone = "UTC"
	h.ReplyAt(36*time.Hour, "1")
	h.ReplyAt(37*time.Hour, "how much would it be?")
	h.ReplyAt(38*time.Hour, "yes")
	if out := run(t, h, fastReengage); out != journeys.OutcomeReengaged {
		t.Fatalf("outcome %q", out)
	}
	wantTemplates(t, h, "reengagement.ask_why", "reengagement.answer_cost", "reengagement.come_back_clarify", "reengagement.welcome_back")
	wantTasks(t, h, "high: "+journeys.ReasonReengaged)
}

func TestReengagementComeBackUnclearGoesToReview(t *testing.T) {
	h := journeytest.New(t, journeys.Reengagement)
	h.Timezone = "UTC"
	h.ReplyAt(36*time.Hour, "1")
	h.ReplyAt(37*time.Hour, "how much would it be?")
	h.ReplyAt(38*time.Hour, "depends on the price")
	if out := run(t, h, fastReengage); out != journeys.OutcomeNeedsReview {
		t.Fatalf("outcome %q", out)
	}
	wantTasks(t, h, "normal: "+journeys.ReasonReengagementUnclear)
	if n := len(h.Templates()); n != 3 {
		t.Fatalf("sent %v after a reply under review", h.Templates())
	}
}

// Post-visit: words in answer to the call offer are clarified once, then
// read by a person; the check-in itself still ends about_the_same.
func TestPostVisitCallOfferUnclearRaisesTask(t *testing.T) {
	h, _ := newHarness(t, journeys.PostVisitCheckin, false)
	h.ReplyAt(time.Hour, "2")
	h.ReplyAt(2*time.Hour, "only if it's after 5")
	h.ReplyAt(3*time.Hour, "my phone dies a lot")
	if out := run(t, h, `{"delay":"0s"}`); out != journeys.OutcomeAboutSame {
		t.Fatalf("outcome %q", out)
	}
	wantTemplates(t, h, "post_visit.feeling", "post_visit.self_care", "post_visit.self_care_clarify")
	if tasks := wantTasks(t, h, "normal: "+journeys.ReasonCallOfferUnclear); tasks[0].MessageID == "" {
		t.Fatal("the task does not hold the message")
	}
}

// Words instead of a satisfaction score reach a person (before, dropped).
func TestPostVisitSatisfactionInWordsRaisesTask(t *testing.T) {
	h, _ := newHarness(t, journeys.PostVisitCheckin, false)
	h.ReplyAt(time.Hour, "1")
	h.ReplyAt(2*time.Hour, "the nurse was lovely but the wait was long")
	h.ReplyAt(3*time.Hour, "hard to say")
	if out := run(t, h, `{"delay":"0s"}`); out != journeys.OutcomeBetter {
		t.Fatalf("outcome %q", out)
	}
	wantTemplates(t, h, "post_visit.feeling", "post_visit.glad", "post_visit.satisfaction", "post_visit.satisfaction_clarify")
	wantTasks(t, h, "normal: "+journeys.ReasonSatisfactionUnclear)
	if len(h.Feedback()) != 0 {
		t.Fatal("a score stored from words")
	}
}

// A red-flagged reply to the check-in: no clarification, no second task
// (the engine's urgent task holds it); the check-in ends needs_review.
func TestPostVisitRedFlagReplyIsNotTaskedTwice(t *testing.T) {
	h, _ := newHarness(t, journeys.PostVisitCheckin, false)
	asked := &questionLog{}
	h.SendResult = asked.record
	flaggedReplyAt(h, asked, time.Hour, "i cant breathe")
	if out := run(t, h, `{"delay":"0s"}`); out != journeys.OutcomeNeedsReview {
		t.Fatalf("outcome %q", out)
	}
	wantTemplates(t, h, "post_visit.feeling")
	wantTasks(t, h)
}

// A preference phrase that also answers the open question answers it: the
// journey takes "by email" as onboarding's answer to "text or email?"
// (the engine routes it so, engine/answer_first_test.go).
func TestOnboardingByEmailIsAnAnswer(t *testing.T) {
	h, _ := newHarness(t, journeys.Onboarding, false, journeys.All()...)
	for i, r := range []string{"By email", "1", "yes", "1", "4"} {
		h.ReplyAt(time.Duration(i+1)*time.Hour, r)
	}
	if out := run(t, h, ""); out != journeys.OutcomeEngaged {
		t.Fatalf("outcome %q", out)
	}
	if p := h.Preferences(); len(p) == 0 || p[0].Channel != carepath.ChannelEmail {
		t.Fatalf("preferences %+v", p)
	}
	if slices.Contains(h.Templates(), "onboarding.confirm_contact_clarify") {
		t.Fatal("a preference phrase that answers the question was clarified")
	}
}

// STOP while the come-back question waits ends re-engagement at once
// (before, the journey went on to its next attempt).
func TestReengagementStopAtComeBackEndsIt(t *testing.T) {
	h := journeytest.New(t, journeys.Reengagement)
	h.Timezone = "UTC"
	h.ReplyAt(36*time.Hour, "1")
	h.OptOutAt(37*time.Hour, carepath.ChannelSMS)
	if out := run(t, h, fastReengage); out != journeys.OutcomeOptedOut {
		t.Fatalf("outcome %q", out)
	}
	wantTemplates(t, h, "reengagement.ask_why", "reengagement.answer_cost")
}

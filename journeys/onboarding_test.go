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

func TestOnboardingEngaged(t *testing.T) {
	h, _ := newHarness(t, journeys.Onboarding, false, journeys.All()...)
	for i, r := range []string{"yes", "2", "yes", "2", "1"} {
		h.ReplyAt(time.Duration(i+1)*time.Hour, r)
	}
	if out := run(t, h, ""); out != journeys.OutcomeEngaged {
		t.Fatalf("outcome %q", out)
	}
	wantTemplates(t, h, "onboarding.welcome", "onboarding.confirm_contact", "onboarding.language",
		"onboarding.outreach_consent", "onboarding.goals", "onboarding.barriers", "onboarding.team_intro")
	if p := h.Preferences(); len(p) != 1 || p[0].Locale != "es" {
		t.Fatalf("language preference: %+v", p)
	}
	c := h.Consents()
	if len(c) != 2 || !c[0].Granted || c[0].Purpose != carepath.PurposeOutreach || c[0].Source != "journey:onboarding" {
		t.Fatalf("consent: %+v", c)
	}
	wantTasks(t, h, "normal: "+journeys.ReasonBarrierPrefix+"cost")
	if f := h.Finished(); f.Detail != "goal:medications" {
		t.Fatalf("detail %q", f.Detail)
	}
	if len(h.Started()) != 0 {
		t.Fatal("an engaged patient was handed to re-engagement")
	}
}

// A NO to check-ins is recorded as a program decline, with its reason and
// the reply that carried it, apart from the consent the patient gave (no
// to outreach, nothing else). The decliner is not handed to outreach
// re-engagement, whose every message that consent would suppress: the
// after-visit touch reaches them instead.
func TestOnboardingDeclineIsRecordedApartFromConsent(t *testing.T) {
	h, d := newHarness(t, journeys.Onboarding, false, journeys.All()...)
	for i, r := range []string{"yes", "1", "no", "cost"} {
		h.ReplyAt(time.Duration(i+1)*time.Hour, r)
	}
	if out := run(t, h, ""); out != journeys.OutcomeDeclined {
		t.Fatalf("outcome %q", out)
	}
	if f := h.Finished(); f.Detail != "cost" {
		t.Fatalf("decline reason %q", f.Detail)
	}
	c := h.Consents()
	if len(c) != 2 {
		t.Fatalf("consents %+v", c)
	}
	for _, rc := range c {
		if rc.Granted || rc.Purpose != carepath.PurposeOutreach {
			t.Fatalf("declining recorded as %+v, want outreach refused and care untouched", rc)
		}
	}
	dec := d.Declined()
	if len(dec) != 1 || dec[0].Program != "onboarding" || dec[0].Reason != "cost" || dec[0].DeclineID == "" ||
		dec[0].ReplyMessageID == "" || dec[0].ReplyMessageID != c[0].ReplyMessageID ||
		dec[0].PatientID != journeytest.PatientID || dec[0].EnrollmentID != journeytest.EnrollmentID {
		t.Fatalf("program decline %+v (consent reply %s)", dec, c[0].ReplyMessageID)
	}
	if len(h.Started()) != 0 {
		t.Fatalf("a decliner was handed to outreach re-engagement: %v", h.Started())
	}
	if got := h.Templates(); got[len(got)-1] != "onboarding.respect_decline" {
		t.Fatalf("sent %v", got)
	}
	wantTasks(t, h)
}

// A decliner who gives no reason is still recorded as declining.
func TestOnboardingDeclineWithoutReason(t *testing.T) {
	h, d := newHarness(t, journeys.Onboarding, false, journeys.All()...)
	for i, r := range []string{"yes", "1", "no"} {
		h.ReplyAt(time.Duration(i+1)*time.Hour, r)
	}
	if out := run(t, h, `{"reply_timeout":"12h"}`); out != journeys.OutcomeDeclined {
		t.Fatalf("outcome %q", out)
	}
	if dec := d.Declined(); len(dec) != 1 || dec[0].Reason != "" {
		t.Fatalf("program decline %+v", dec)
	}
}

// "Who is this?" is not silence: one clarification saying who we are,
// then, still not understood, a task holding the message; the onboarding
// ends needs_review, not no_response, and is not handed to re-engagement.
func TestOnboardingWhoIsThisIsClarifiedThenReviewed(t *testing.T) {
	h, _ := newHarness(t, journeys.Onboarding, false, journeys.All()...)
	h.ReplyAt(time.Hour, "Who is this?")
	h.ReplyAt(2*time.Hour, "I never signed up for anything")
	if out := run(t, h, ""); out != journeys.OutcomeNeedsReview {
		t.Fatalf("outcome %q", out)
	}
	wantTemplates(t, h, "onboarding.welcome", "onboarding.confirm_contact", "onboarding.confirm_contact_clarify")
	tasks := wantTasks(t, h, "normal: "+journeys.ReasonOnboardingUnclear)
	if tasks[0].MessageID == "" {
		t.Fatal("the task does not hold the message")
	}
	if len(h.Started()) != 0 {
		t.Fatalf("a reply under review was handed to re-engagement: %v", h.Started())
	}
}

// Clarified, the patient answers, and onboarding carries on: no task.
func TestOnboardingWhoIsThisThenYesCarriesOn(t *testing.T) {
	h, _ := newHarness(t, journeys.Onboarding, false, journeys.All()...)
	for i, r := range []string{"Who is this?", "yes", "1", "yes", "2", "4"} {
		h.ReplyAt(time.Duration(i+1)*time.Hour, r)
	}
	if out := run(t, h, ""); out != journeys.OutcomeEngaged {
		t.Fatalf("outcome %q", out)
	}
	if got := h.Templates(); got[2] != "onboarding.confirm_contact_clarify" || got[3] != "onboarding.language" {
		t.Fatalf("sent %v", got)
	}
	wantTasks(t, h)
}

// An optional question (language) not understood after clarifying gets a
// task with the message, and onboarding goes on without it.
func TestOnboardingUnclearLanguageRaisesTaskAndCarriesOn(t *testing.T) {
	h, _ := newHarness(t, journeys.Onboarding, false, journeys.All()...)
	for i, r := range []string{"yes", "french please", "francais", "yes", "2", "4"} {
		h.ReplyAt(time.Duration(i+1)*time.Hour, r)
	}
	if out := run(t, h, ""); out != journeys.OutcomeEngaged {
		t.Fatalf("outcome %q", out)
	}
	wantTemplates(t, h, "onboarding.welcome", "onboarding.confirm_contact", "onboarding.language", "onboarding.language_clarify",
		"onboarding.outreach_consent", "onboarding.goals", "onboarding.barriers", "onboarding.team_intro")
	wantTasks(t, h, "normal: "+journeys.ReasonOnboardingUnclear)
	if len(h.Preferences()) != 0 {
		t.Fatalf("a language was set from a reply not understood: %+v", h.Preferences())
	}
}

// Consent is never assumed: a reply to the consent question not understood
// after clarifying records no consent, raises a task and ends needs_review.
func TestOnboardingUnclearConsentIsNotAssumed(t *testing.T) {
	h, d := newHarness(t, journeys.Onboarding, false, journeys.All()...)
	for i, r := range []string{"yes", "1", "what tips?", "depends"} {
		h.ReplyAt(time.Duration(i+1)*time.Hour, r)
	}
	if out := run(t, h, ""); out != journeys.OutcomeNeedsReview {
		t.Fatalf("outcome %q", out)
	}
	if len(h.Consents()) != 0 || len(d.Declined()) != 0 {
		t.Fatalf("consent %+v / decline %+v recorded from a reply not understood", h.Consents(), d.Declined())
	}
	wantTasks(t, h, "normal: "+journeys.ReasonOnboardingUnclear)
}

// A reply with a red flag is not clarified (the engine sent the safety
// message) and gets no second task (the engine's urgent task holds it).
func TestOnboardingRedFlagReplyIsNotTaskedTwice(t *testing.T) {
	h, _ := newHarness(t, journeys.Onboarding, false, journeys.All()...)
	asked := &questionLog{}
	h.SendResult = asked.record
	flaggedReplyAt(h, asked, time.Hour, "who is this, I have chest pain")
	if out := run(t, h, ""); out != journeys.OutcomeNeedsReview {
		t.Fatalf("outcome %q", out)
	}
	wantTemplates(t, h, "onboarding.welcome", "onboarding.confirm_contact")
	wantTasks(t, h)
}

// A patient who had declined and now completes onboarding is a decliner
// won back, by onboarding itself.
func TestOnboardingEngagedWinsBackADecliner(t *testing.T) {
	h, d := newHarness(t, journeys.Onboarding, true, journeys.All()...)
	for i, r := range []string{"yes", "1", "yes", "1", "4"} {
		h.ReplyAt(time.Duration(i+1)*time.Hour, r)
	}
	if out := run(t, h, ""); out != journeys.OutcomeEngaged {
		t.Fatalf("outcome %q", out)
	}
	if r := d.Returned(); len(r) != 1 || r[0].Via != "onboarding:enrolled" || r[0].EnrollmentID != journeytest.EnrollmentID {
		t.Fatalf("return %+v", r)
	}
}

func TestOnboardingNoResponse(t *testing.T) {
	h, _ := newHarness(t, journeys.Onboarding, false, journeys.All()...)
	if out := run(t, h, `{"reply_timeout":"24h","reminders":1}`); out != journeys.OutcomeNoResponse {
		t.Fatalf("outcome %q", out)
	}
	wantTemplates(t, h, "onboarding.welcome", "onboarding.confirm_contact", "onboarding.confirm_contact")
	if !slices.Equal(h.Started(), []string{"reengagement"}) {
		t.Fatalf("started %v", h.Started())
	}
}

func TestOnboardingWrongContactRaisesTask(t *testing.T) {
	h, _ := newHarness(t, journeys.Onboarding, false, journeys.All()...)
	for i, r := range []string{"no", "1", "yes", "3", "4"} {
		h.ReplyAt(time.Duration(i+1)*time.Hour, r)
	}
	if out := run(t, h, ""); out != journeys.OutcomeEngaged {
		t.Fatalf("outcome %q", out)
	}
	wantTasks(t, h, "normal: "+journeys.ReasonWrongContact)
}

func TestOnboardingStopIsRespected(t *testing.T) {
	h, _ := newHarness(t, journeys.Onboarding, false, journeys.All()...)
	h.OptOutAt(time.Hour, "sms")
	if out := run(t, h, ""); out != journeys.OutcomeDeclined {
		t.Fatalf("outcome %q", out)
	}
	if len(h.Started()) != 0 {
		t.Fatal("a patient who texted STOP was handed to re-engagement")
	}
	if f := h.Finished(); f.Detail != activities.ReasonOptedOut {
		t.Fatalf("detail %q", f.Detail)
	}
}

func TestOnboardingSwitchesChannel(t *testing.T) {
	h, _ := newHarness(t, journeys.Onboarding, false, journeys.All()...)
	for i, r := range []string{"email", "1", "yes", "1", "4"} {
		h.ReplyAt(time.Duration(i+1)*time.Hour, r)
	}
	if out := run(t, h, ""); out != journeys.OutcomeEngaged {
		t.Fatalf("outcome %q", out)
	}
	p := h.Preferences()
	if len(p) != 2 || p[0].Channel != "email" || p[1].Locale != "en" {
		t.Fatalf("preferences %+v", p)
	}
}

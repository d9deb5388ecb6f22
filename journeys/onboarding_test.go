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
	h := journeytest.New(t, journeys.Onboarding, journeys.All()...)
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

func TestOnboardingDeclinedWithReasonStartsReengagement(t *testing.T) {
	h := journeytest.New(t, journeys.Onboarding, journeys.All()...)
	for i, r := range []string{"yes", "1", "no", "cost"} {
		h.ReplyAt(time.Duration(i+1)*time.Hour, r)
	}
	if out := run(t, h, ""); out != journeys.OutcomeDeclined {
		t.Fatalf("outcome %q", out)
	}
	if f := h.Finished(); f.Detail != "cost" {
		t.Fatalf("decline reason %q", f.Detail)
	}
	if c := h.Consents(); len(c) != 2 || c[0].Granted {
		t.Fatalf("declined outreach recorded as %+v", c)
	}
	if !slices.Equal(h.Started(), []string{"reengagement"}) {
		t.Fatalf("started %v", h.Started())
	}
	if got := h.Templates(); got[len(got)-1] != "onboarding.respect_decline" {
		t.Fatalf("sent %v", got)
	}
}

func TestOnboardingNoResponse(t *testing.T) {
	h := journeytest.New(t, journeys.Onboarding, journeys.All()...)
	if out := run(t, h, `{"reply_timeout":"24h","reminders":1}`); out != journeys.OutcomeNoResponse {
		t.Fatalf("outcome %q", out)
	}
	wantTemplates(t, h, "onboarding.welcome", "onboarding.confirm_contact", "onboarding.confirm_contact")
	if !slices.Equal(h.Started(), []string{"reengagement"}) {
		t.Fatalf("started %v", h.Started())
	}
}

func TestOnboardingWrongContactRaisesTask(t *testing.T) {
	h := journeytest.New(t, journeys.Onboarding, journeys.All()...)
	for i, r := range []string{"no", "1", "yes", "3", "4"} {
		h.ReplyAt(time.Duration(i+1)*time.Hour, r)
	}
	if out := run(t, h, ""); out != journeys.OutcomeEngaged {
		t.Fatalf("outcome %q", out)
	}
	wantTasks(t, h, "normal: "+journeys.ReasonWrongContact)
}

func TestOnboardingStopIsRespected(t *testing.T) {
	h := journeytest.New(t, journeys.Onboarding, journeys.All()...)
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
	h := journeytest.New(t, journeys.Onboarding, journeys.All()...)
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

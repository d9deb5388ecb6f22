package journeys_test

import (
	"testing"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/activities"
	"github.com/carepath/carepath/journeys"
	"github.com/carepath/carepath/workflows/journeytest"
)

// Fast settings: attempts a day apart, a few hours to answer.
const fastReengage = `{"spacing":"24h","reply_timeout":"6h"}`

func TestReengagementReasonThenYesReengages(t *testing.T) {
	h := journeytest.New(t, journeys.Reengagement)
	h.Timezone = "UTC"
	// The first attempt waits the spacing, then until 10:00 local: 34h.
	h.ReplyAt(36*time.Hour, "1")
	h.ReplyAt(37*time.Hour, "yes")
	if out := run(t, h, fastReengage); out != journeys.OutcomeReengaged {
		t.Fatalf("outcome %q", out)
	}
	wantTemplates(t, h, "reengagement.ask_why", "reengagement.answer_cost", "reengagement.welcome_back")
	wantTasks(t, h, "high: "+journeys.ReasonReengaged)
	for _, s := range h.Sent()[:2] {
		if s.Purpose != carepath.PurposeOutreach {
			t.Fatalf("%s sent as %s, want outreach (caps and quiet hours apply)", s.Template, s.Purpose)
		}
	}
	if at := h.Sent()[0].At; at != 34*time.Hour {
		t.Fatalf("first attempt at %v, want 34h (24h, then 10:00 local)", at)
	}
}

func TestReengagementDifferentAngleEachTime(t *testing.T) {
	h := journeytest.New(t, journeys.Reengagement)
	if out := run(t, h, fastReengage); out != journeys.OutcomeNoResponse {
		t.Fatalf("outcome %q", out)
	}
	wantTemplates(t, h, "reengagement.ask_why", "reengagement.no_signup_offer", "reengagement.last_note")
	sent := h.Sent()
	if gap := sent[1].At - sent[0].At; gap < 24*time.Hour {
		t.Fatalf("attempts %v apart, want at least the spacing", gap)
	}
	wantTasks(t, h)
}

func TestReengagementStopsAtOnceOnOptOut(t *testing.T) {
	h := journeytest.New(t, journeys.Reengagement)
	h.SendResult = func(activities.SendMessageRequest) activities.SendMessageResult {
		return activities.SendMessageResult{Outcome: activities.OutcomeSuppressed, Reason: activities.ReasonOptedOut}
	}
	if out := run(t, h, fastReengage); out != journeys.OutcomeOptedOut {
		t.Fatalf("outcome %q", out)
	}
	if n := len(h.Templates()); n != 1 {
		t.Fatalf("%d sends after an opt-out, want the one that found it", n)
	}
}

func TestReengagementDeclinedAgain(t *testing.T) {
	h := journeytest.New(t, journeys.Reengagement)
	h.Timezone = "UTC"
	h.ReplyAt(36*time.Hour, "time")
	h.ReplyAt(37*time.Hour, "no")
	if out := run(t, h, fastReengage); out != journeys.OutcomeDeclined {
		t.Fatalf("outcome %q", out)
	}
	wantTemplates(t, h, "reengagement.ask_why", "reengagement.answer_time", "reengagement.door_open")
	if f := h.Finished(); f.Detail != "time" {
		t.Fatalf("reason not recorded: %+v", f)
	}
}

func TestReengagementSilenceAfterReasonTriesAgain(t *testing.T) {
	h := journeytest.New(t, journeys.Reengagement)
	h.Timezone = "UTC"
	h.ReplyAt(36*time.Hour, "4")
	// No answer to the offer (it times out at 42h); the second attempt goes
	// out at 82h (24h later, then 10:00 local), and "3" then "yes" re-engage.
	h.ReplyAt(84*time.Hour, "3")
	h.ReplyAt(85*time.Hour, "yes")
	if out := run(t, h, fastReengage); out != journeys.OutcomeReengaged {
		t.Fatalf("outcome %q (sent %v)", out, h.Templates())
	}
}

func TestReengagementFirstAttemptNow(t *testing.T) {
	h := journeytest.New(t, journeys.Reengagement)
	h.ReplyAt(time.Hour, "2")
	h.ReplyAt(2*time.Hour, "yes")
	if out := run(t, h, `{"first_attempt":"now"}`); out != journeys.OutcomeReengaged {
		t.Fatalf("outcome %q", out)
	}
	if at := h.Sent()[0].At; at != 0 {
		t.Fatalf("first attempt at %v, want at once", at)
	}
	wantTemplates(t, h, "reengagement.ask_why", "reengagement.answer_doubt", "reengagement.welcome_back")
}

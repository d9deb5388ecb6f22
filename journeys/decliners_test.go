package journeys_test

import (
	"slices"
	"testing"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/activities"
	"github.com/carepath/carepath/journeys"
)

// Declining a program is not revoking contact (issue 12, item 7): after a
// visit, a decliner gets one care message offering a nurse's call.

const touchNow = `{"first_attempt":"after_visit","touch_delay":"0s"}`

// YES wins the decliner back: a nurse's call (a high task holding the
// reply), a word to the patient, and the touch recorded as their way back.
// The message is care, not outreach: it needs the care consent the
// decliner kept, not the outreach they refused.
func TestAfterVisitTouchWinsBackADecliner(t *testing.T) {
	h, d := newHarness(t, journeys.Reengagement, true)
	h.ReplyAt(time.Hour, "yes")
	if out := run(t, h, touchNow); out != journeys.OutcomeReengaged {
		t.Fatalf("outcome %q", out)
	}
	wantTemplates(t, h, "reengagement.after_visit", "reengagement.nurse_will_call")
	for _, s := range h.Sent() {
		if s.Purpose != carepath.PurposeCare {
			t.Fatalf("%s sent as %q, want care", s.Template, s.Purpose)
		}
	}
	if tasks := wantTasks(t, h, "high: "+journeys.ReasonDeclinerNurseCall); tasks[0].MessageID == "" {
		t.Fatal("the task does not hold the reply")
	}
	if r := d.Returned(); len(r) != 1 || r[0].Via != "reengagement:after_visit" {
		t.Fatalf("return %+v", r)
	}
}

// By default the touch waits a day, then until 10:00 local.
func TestAfterVisitTouchWaitsADayThenMorning(t *testing.T) {
	h, d := newHarness(t, journeys.Reengagement, true)
	h.Timezone = "UTC"
	h.ReplyAt(35*time.Hour, "no")
	if out := run(t, h, `{"first_attempt":"after_visit"}`); out != journeys.OutcomeDeclined {
		t.Fatalf("outcome %q", out)
	}
	if at := h.Sent()[0].At; at != 34*time.Hour {
		t.Fatalf("touch at %v, want 34h (24h, then 10:00 local)", at)
	}
	wantTemplates(t, h, "reengagement.after_visit", "reengagement.after_visit_no")
	if len(d.Returned()) != 0 {
		t.Fatal("a NO recorded as a return")
	}
	wantTasks(t, h)
}

// A patient who came back meanwhile (no open decline) is not messaged.
func TestAfterVisitTouchSkipsAPatientWhoCameBack(t *testing.T) {
	h, _ := newHarness(t, journeys.Reengagement, false)
	if out := run(t, h, touchNow); out != journeys.OutcomeNotDeclined {
		t.Fatalf("outcome %q", out)
	}
	wantTemplates(t, h)
}

func TestAfterVisitTouchUnclearReplyGoesToReview(t *testing.T) {
	h, d := newHarness(t, journeys.Reengagement, true)
	h.ReplyAt(time.Hour, "who is this")
	h.ReplyAt(2*time.Hour, "i dont know")
	if out := run(t, h, touchNow); out != journeys.OutcomeNeedsReview {
		t.Fatalf("outcome %q", out)
	}
	wantTemplates(t, h, "reengagement.after_visit", "reengagement.after_visit_clarify")
	wantTasks(t, h, "normal: "+journeys.ReasonReengagementUnclear)
	if len(d.Returned()) != 0 {
		t.Fatal("a reply under review recorded as a return")
	}
}

func TestAfterVisitTouchSilenceEndsQuietly(t *testing.T) {
	h, _ := newHarness(t, journeys.Reengagement, true)
	if out := run(t, h, `{"first_attempt":"after_visit","touch_delay":"0s","reply_timeout":"6h"}`); out != journeys.OutcomeNoResponse {
		t.Fatalf("outcome %q", out)
	}
	wantTemplates(t, h, "reengagement.after_visit")
	wantTasks(t, h)
}

// The post-visit check-in hands a decliner who answered it to the touch.
func TestPostVisitHandsADeclinerToTheTouch(t *testing.T) {
	for _, replies := range [][]string{{"1", "9"}, {"2", "no"}} {
		h, _ := newHarness(t, journeys.PostVisitCheckin, true, journeys.All()...)
		for i, r := range replies {
			h.ReplyAt(time.Duration(i+1)*time.Hour, r)
		}
		run(t, h, `{"delay":"0s"}`)
		if !slices.Equal(h.Started(), []string{"reengagement"}) {
			t.Fatalf("%v: started %v, want the re-engagement touch", replies, h.Started())
		}
	}
}

// Not a decliner, or feeling worse (a nurse calls anyway), or silent: no touch.
func TestPostVisitNoTouchOtherwise(t *testing.T) {
	for name, c := range map[string]struct {
		declined bool
		replies  []string
	}{
		"not a decliner": {false, []string{"1", "9"}},
		"worse":          {true, []string{"3"}},
		"silent":         {true, nil},
	} {
		t.Run(name, func(t *testing.T) {
			h, d := newHarness(t, journeys.PostVisitCheckin, c.declined, journeys.All()...)
			for i, r := range c.replies {
				h.ReplyAt(time.Duration(i+1)*time.Hour, r)
			}
			run(t, h, `{"delay":"0s"}`)
			if len(h.Started()) != 0 {
				t.Fatalf("started %v", h.Started())
			}
			if name != "not a decliner" && d.Checked() != 0 {
				t.Fatal("the decline record was read where no touch can follow")
			}
		})
	}
}

// The touch cannot reach them (no care consent on any channel, or no
// contact point): it ends undeliverable, quietly; a STOP ends it opted out.
func TestAfterVisitTouchNotSent(t *testing.T) {
	for reason, want := range map[string]string{
		activities.ReasonNoConsent: journeys.OutcomeUndelivered,
		activities.ReasonOptedOut:  journeys.OutcomeOptedOut,
	} {
		h, d := newHarness(t, journeys.Reengagement, true)
		h.SendResult = func(activities.SendMessageRequest) activities.SendMessageResult {
			return activities.SendMessageResult{Outcome: activities.OutcomeSuppressed, Reason: reason}
		}
		if out := run(t, h, touchNow); out != want {
			t.Fatalf("%s: outcome %q, want %q", reason, out, want)
		}
		wantTasks(t, h)
		if len(d.Returned()) != 0 {
			t.Fatalf("%s: recorded as a return", reason)
		}
	}
}

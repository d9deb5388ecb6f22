package journeys_test

import (
	"fmt"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/carepath/carepath/journeys"
	"github.com/carepath/carepath/messaging"
	"github.com/carepath/carepath/workflows/journeytest"
)

// The harness holds a real journey to its wording: onboarding with one
// template's Spanish text gone, or with one key gone (the state a typo in
// the flow leaves it in), fails its test at the step that sends it.
func TestOnboardingFailsItsTestWithoutItsWording(t *testing.T) {
	for name, drop := range map[string]func(map[string]map[string]messaging.Text){
		"missing key": func(m map[string]map[string]messaging.Text) { delete(m, "onboarding.welcome") },
		"missing es": func(m map[string]map[string]messaging.Text) {
			m["onboarding.welcome"] = map[string]messaging.Text{"en": m["onboarding.welcome"]["en"]}
		},
	} {
		t.Run(name, func(t *testing.T) {
			broken := *journeys.Onboarding
			broken.Messages = maps.Clone(journeys.Onboarding.Messages)
			drop(broken.Messages)

			ft := &recordingT{}
			h := journeytest.New(ft, &broken, journeys.All()...)
			_, err := h.Run("")
			got := ft.reported()
			if err == nil || !strings.Contains(got, `"onboarding.welcome"`) || !strings.Contains(got, "journeys/onboarding.go") {
				t.Fatalf("onboarding without its wording passed: reported %q, journey error %v", got, err)
			}
		})
	}
}

// A re-engagement attempt held by the frequency cap waits out a durable
// timer and then goes out with the same message ID; the question's reply
// window starts when it really went out.
func TestReengagementAttemptHeldByTheCapGoesOutLater(t *testing.T) {
	h := journeytest.New(t, journeys.Reengagement)
	h.DeferSends(1, 20*time.Hour)
	h.ReplyAt(25*time.Hour, "1") // 5h after it went out: inside the 6h window, 25h after the first try
	h.ReplyAt(26*time.Hour, "yes")
	if out := run(t, h, `{"first_attempt":"now","reply_timeout":"6h","spacing":"24h"}`); out != journeys.OutcomeReengaged {
		t.Fatalf("outcome %q", out)
	}
	deferred, sent := h.Deferred(), h.Sent()
	if len(deferred) != 1 || deferred[0].Template != "reengagement.ask_why" || deferred[0].At != 0 {
		t.Fatalf("deferred %+v, want the first attempt at once", deferred)
	}
	if sent[0].Template != "reengagement.ask_why" || sent[0].At != 20*time.Hour || sent[0].MessageID != deferred[0].MessageID {
		t.Fatalf("first send %+v, want reengagement.ask_why at 20h as message %s", sent[0], deferred[0].MessageID)
	}
}

// recordingT stands in for a test's t, recording what the harness reports
// so a test can assert that the journey's own test would fail.
type recordingT struct {
	testing.TB // nil: a method not defined here panics
	mu         sync.Mutex
	failures   []string
}

func (r *recordingT) Helper() {}

func (r *recordingT) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

func (r *recordingT) reported() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.failures, "\n")
}

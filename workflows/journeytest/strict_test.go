package journeytest_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/messaging"
	"github.com/carepath/carepath/workflows"
	"github.com/carepath/carepath/workflows/journeytest"
)

// fakeT records the failures the harness reports, so a test can assert
// that a journey's own test would have failed. Any testing.TB method it
// does not define panics (the embedded TB is nil), so a harness that
// starts using another one shows up here.
type fakeT struct {
	testing.TB
	mu       sync.Mutex
	failures []string
}

// fatal is what Fatal panics with: it ends the harness call as FailNow
// ends a test, and runHarness recovers it.
type fatal struct{}

func (f *fakeT) Helper() {}

func (f *fakeT) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures = append(f.failures, fmt.Sprintf(format, args...))
}

func (f *fakeT) Fatalf(format string, args ...any) {
	f.Errorf(format, args...)
	panic(fatal{})
}

func (f *fakeT) Fatal(args ...any) {
	f.Errorf("%s", fmt.Sprint(args...))
	panic(fatal{})
}

// failed returns every failure reported, one per line.
func (f *fakeT) failed() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.failures, "\n")
}

// runHarness builds a harness for def on a fake t, runs it and returns
// what the harness reported and the journey's error.
func runHarness(def workflows.Definition, others ...workflows.Definition) (reported string, runErr error) {
	ft := &fakeT{}
	func() {
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(fatal); !ok {
					panic(r)
				}
			}
		}()
		h := journeytest.New(ft, def, others...)
		_, runErr = h.Run("")
	}()
	return ft.failed(), runErr
}

type noParams struct{}

// wording is a template's text in every supported locale.
func wording(body string) map[string]messaging.Text {
	return map[string]messaging.Text{"en": {Body: body}, "es": {Body: body}}
}

// sender is a journey that sends one template; Messages has only
// "strict.hello", in English and Spanish, and "strict.en_only".
func sender(name string, send func(j *workflows.J)) *workflows.Journey[noParams] {
	return &workflows.Journey[noParams]{
		Name: name, Version: 1,
		Messages: map[string]map[string]messaging.Text{
			"strict.hello":   wording("Hello"),
			"strict.en_only": {"en": {Body: "Hello"}},
		},
		Run: func(j *workflows.J, _ noParams) (string, error) {
			send(j)
			return "done", nil
		},
	}
}

// wantReported fails unless the harness reported a failure containing
// every one of want, and the journey ended in error.
func wantReported(t *testing.T, reported string, runErr error, want ...string) {
	t.Helper()
	if reported == "" {
		t.Fatalf("the harness reported nothing (journey error: %v)", runErr)
	}
	for _, w := range want {
		if !strings.Contains(reported, w) {
			t.Errorf("report does not name %q:\n%s", w, reported)
		}
	}
	if runErr == nil {
		t.Errorf("the journey went on past the rejected step")
	}
}

func TestHarnessAcceptsAWellFormedJourney(t *testing.T) {
	reported, err := runHarness(sender("strict_ok", func(j *workflows.J) { j.Send("strict.hello") }))
	if reported != "" || err != nil {
		t.Fatalf("reported %q, error %v", reported, err)
	}
}

func TestHarnessRejectsAMisspelledTemplate(t *testing.T) {
	for step, send := range map[string]func(j *workflows.J){
		"SendMessage":      func(j *workflows.J) { j.Send("strict.helo") },
		"NotifyCaregivers": func(j *workflows.J) { j.NotifyCaregiver("strict.helo") },
	} {
		t.Run(step, func(t *testing.T) {
			reported, err := runHarness(sender("strict_typo", send))
			wantReported(t, reported, err, step, `"strict.helo"`, "strict_typo", "strict_test.go")
		})
	}
}

func TestHarnessRejectsATemplateMissingALocale(t *testing.T) {
	reported, err := runHarness(sender("strict_locale", func(j *workflows.J) { j.Send("strict.en_only") }))
	wantReported(t, reported, err, "SendMessage", `"strict.en_only"`, `"es"`, "strict_locale")
}

// A template key of another journey is refused too: production would
// render it, but the journey's file would not show what it sends.
func TestHarnessRejectsAnotherJourneysTemplate(t *testing.T) {
	other := sender("strict_other", func(*workflows.J) {})
	other.Messages = map[string]map[string]messaging.Text{"strict_other.hi": wording("Hi")}
	reported, err := runHarness(sender("strict_borrow", func(j *workflows.J) { j.Send("strict_other.hi") }), other)
	wantReported(t, reported, err, `"strict_other.hi"`, "strict_borrow")
}

func TestHarnessRejectsAnUnknownJourney(t *testing.T) {
	next := &workflows.Journey[noParams]{Name: "strict_next", Version: 1,
		Run: func(*workflows.J, noParams) (string, error) { return "done", nil }}
	starts := sender("strict_starter", func(j *workflows.J) { workflows.StartJourney(j, next, noParams{}) })

	reported, err := runHarness(starts)
	wantReported(t, reported, err, "CreateEnrollment", `"strict_next"`, "strict_starter")

	// Given the journeys it may start, the same journey passes.
	if reported, err := runHarness(starts, next); reported != "" || err != nil {
		t.Fatalf("with strict_next registered: reported %q, error %v", reported, err)
	}
}

func TestHarnessRejectsAnInvalidPriority(t *testing.T) {
	reported, err := runHarness(sender("strict_priority", func(j *workflows.J) {
		j.Escalate(workflows.Task{Priority: carepath.Priority("hgih"), Reason: "test"})
	}))
	// The runtime refuses the priority before the task reaches CreateTask;
	// either way the journey's test fails, naming it.
	if !strings.Contains(reported, `"hgih"`) && (err == nil || !strings.Contains(err.Error(), "hgih")) {
		t.Fatalf("an invalid priority passed: reported %q, error %v", reported, err)
	}
}

// The send path's deferral loop: a send deferred by quiet hours waits on
// a durable timer and then goes out with the same message ID.
func TestDeferredSendGoesOutAfterTheDeferral(t *testing.T) {
	h := journeytest.New(t, sender("strict_defer", func(j *workflows.J) { j.Send("strict.hello") }))
	h.DeferSends(1, 9*time.Hour)
	if _, err := h.Run(""); err != nil {
		t.Fatal(err)
	}
	deferred, sent := h.Deferred(), h.Sent()
	if len(deferred) != 1 || len(sent) != 1 {
		t.Fatalf("deferred %+v, sent %+v; want one of each", deferred, sent)
	}
	if deferred[0].At != 0 || sent[0].At != 9*time.Hour {
		t.Fatalf("deferred at %v, sent at %v; want 0 and 9h", deferred[0].At, sent[0].At)
	}
	if sent[0].MessageID != deferred[0].MessageID {
		t.Fatalf("resent as %s, deferred as %s: a retry must reuse the message ID", sent[0].MessageID, deferred[0].MessageID)
	}
}

// The caregiver notice's deferral loop.
func TestDeferredCaregiverNoticeGoesOutAfterTheDeferral(t *testing.T) {
	h := journeytest.New(t, sender("strict_defer_notice", func(j *workflows.J) { j.NotifyCaregiver("strict.hello") }))
	h.DeferCaregiverNotices(2, 3*time.Hour)
	if _, err := h.Run(""); err != nil {
		t.Fatal(err)
	}
	if got := h.CaregiverNotices(); len(got) != 1 {
		t.Fatalf("caregiver notices %v, want one", got)
	}
	if at := h.Env.Now().Sub(h.Start()); at < 6*time.Hour {
		t.Fatalf("journey ended %v after the start; two 3h deferrals should have held the notice 6h", at)
	}
}

package paging

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/carepath/carepath/activities"
	"github.com/carepath/carepath/store"
)

// world plays a page's side effects on a clock the test moves: an on-call
// chain, a task acknowledged (or resolved) at some point, and what was
// done when. It drives advance as the runner does: at each saved Due.
type world struct {
	chain []string // reachable staff, first call first
	// closedAt is when the task is acknowledged or resolved, from the
	// start; negative: never.
	closedAt time.Duration
	// unreached are staff no channel reached; failing are steps whose page
	// fails for good; flaky are steps whose page fails in a way that may
	// pass, until the clock reaches flakyUntil.
	unreached  map[string]bool
	failing    map[int]bool
	flaky      map[int]bool
	flakyUntil time.Duration

	t           *testing.T
	start, now  time.Time
	pages       []string // "step@time:staff"
	attempts    int
	escalations []time.Duration
	notes       []string
}

const ackWait = 5 * time.Minute // the AckWithin the fake returns

func (w *world) since() time.Duration { return w.now.Sub(w.start) }
func (w *world) closed() bool         { return w.closedAt >= 0 && w.since() >= w.closedAt }

func (w *world) PageSend(_ context.Context, req activities.PageSendRequest) (activities.PageSendResult, error) {
	w.attempts++
	if w.closed() {
		return activities.PageSendResult{Closed: true, AckWithin: ackWait}, nil
	}
	if w.flaky[req.Step] && w.since() < w.flakyUntil {
		return activities.PageSendResult{}, errors.New("provider answered 503")
	}
	res := activities.PageSendResult{AckWithin: ackWait, Repeat: req.Step >= len(w.chain), AckCode: "4821"}
	if len(w.chain) > 0 {
		res.StaffID = w.chain[min(req.Step, len(w.chain)-1)]
		res.Reached = !w.unreached[res.StaffID]
	}
	w.pages = append(w.pages, fmt.Sprintf("%d@%v:%s", req.Step, w.since(), res.StaffID))
	if w.failing[req.Step] {
		return activities.PageSendResult{}, temporal.NewNonRetryableApplicationError("nothing works", "Down", nil)
	}
	return res, nil
}

func (w *world) EscalateTask(_ context.Context, req activities.EscalateTaskRequest) (activities.EscalateTaskResult, error) {
	if w.closed() {
		return activities.EscalateTaskResult{}, nil
	}
	w.escalations = append(w.escalations, w.since())
	// The next level's deadline: the level's AckWithin from now (a minute
	// after a failed step).
	if d := req.NextDue.Sub(w.now); d != ackWait && (d != FailedWait || len(w.failing)+len(w.flaky) == 0) {
		w.t.Errorf("escalated with next due in %v, want %v", d, ackWait)
	}
	return activities.EscalateTaskResult{Escalated: true, Level: len(w.escalations)}, nil
}

func (w *world) PageNote(_ context.Context, req activities.PageNoteRequest) (activities.PageNoteResult, error) {
	if w.closed() {
		return activities.PageNoteResult{}, nil
	}
	w.notes = append(w.notes, fmt.Sprintf("%v:%s", w.since(), req.Detail))
	return activities.PageNoteResult{Open: true}, nil
}

// run starts the page and advances it at each due time until it ends.
func (w *world) run(t *testing.T) {
	t.Helper()
	w.t = t
	w.start = time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
	w.now = w.start
	st := store.PageState{Phase: store.PagePhaseSend, Due: w.now, StepSince: w.now}
	for i := 0; !st.Due.IsZero(); i++ {
		if i > 1000 {
			t.Fatalf("the page never ended: %+v", st)
		}
		if st.Due.Before(w.now) {
			t.Fatalf("saved due %v is before now %v", st.Due, w.now)
		}
		w.now = st.Due
		var err error
		if st, err = advance(context.Background(), w, func() time.Time { return w.now }, "t1", st); err != nil && !st.Due.After(w.now) {
			t.Fatalf("advance failed with nothing scheduled: %v", err)
		}
	}
}

func (w *world) check(t *testing.T, pages []string, escalations []time.Duration, notes []string) {
	t.Helper()
	if !reflect.DeepEqual(w.pages, pages) {
		t.Errorf("pages %q, want %q", w.pages, pages)
	}
	if len(w.escalations) != 0 || len(escalations) != 0 {
		if !reflect.DeepEqual(w.escalations, escalations) {
			t.Errorf("escalated at %v, want %v", w.escalations, escalations)
		}
	}
	if len(w.notes) != len(notes) {
		t.Fatalf("notes %q, want %d like %q", w.notes, len(notes), notes)
	}
	for i, n := range notes {
		if !strings.HasPrefix(w.notes[i], n) {
			t.Errorf("note %d is %q, want it to start %q", i, w.notes[i], n)
		}
	}
}

func TestPageAcknowledgedAtFirstLevel(t *testing.T) {
	w := &world{chain: []string{"a", "b", "c"}, closedAt: 2 * time.Minute}
	w.run(t)
	// First call at once; acknowledged during the wait: no escalation.
	w.check(t, []string{"0@0s:a"}, nil, nil)
}

func TestPageEscalatesToSecondLevel(t *testing.T) {
	w := &world{chain: []string{"a", "b", "c"}, closedAt: 7 * time.Minute}
	w.run(t)
	w.check(t, []string{"0@0s:a", "1@5m0s:b"}, []time.Duration{5 * time.Minute}, nil)
}

func TestPageEscalatesToThirdLevel(t *testing.T) {
	w := &world{chain: []string{"a", "b", "c"}, closedAt: 12 * time.Minute}
	w.run(t)
	w.check(t, []string{"0@0s:a", "1@5m0s:b", "2@10m0s:c"}, []time.Duration{5 * time.Minute, 10 * time.Minute}, nil)
}

func TestPageChainExhaustedRepagesLastThenStops(t *testing.T) {
	w := &world{chain: []string{"a", "b"}, closedAt: -1}
	w.run(t)
	w.check(t,
		[]string{"0@0s:a", "1@5m0s:b", "2@10m0s:b", "3@15m0s:b", "4@20m0s:b"},
		[]time.Duration{5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 20 * time.Minute},
		[]string{"25m0s:paging stopped after 5 pages"})
}

func TestPageNoOneOnCallWebhookOnlyThenStops(t *testing.T) {
	w := &world{closedAt: -1}
	w.run(t)
	w.check(t,
		[]string{"0@0s:", "1@5m0s:", "2@10m0s:"},
		[]time.Duration{5 * time.Minute, 10 * time.Minute},
		[]string{"15m0s:paging stopped after 3 pages"})
}

func TestPageResolvedBeforeThePage(t *testing.T) {
	w := &world{chain: []string{"a"}, closedAt: 0}
	w.run(t)
	w.check(t, nil, nil, nil)
}

func TestPageResolvedDuringTheWait(t *testing.T) {
	w := &world{chain: []string{"a", "b"}, closedAt: 6 * time.Minute}
	w.run(t)
	w.check(t, []string{"0@0s:a", "1@5m0s:b"}, []time.Duration{5 * time.Minute}, nil)
}

func TestPageUnreachedPersonSkippedAtOnce(t *testing.T) {
	w := &world{chain: []string{"a", "b", "c"}, closedAt: 3 * time.Minute, unreached: map[string]bool{"a": true}}
	w.run(t)
	w.check(t, []string{"0@0s:a", "1@0s:b"}, []time.Duration{0}, nil)
}

func TestPageFailedStepWaitsAMinuteAndMovesOn(t *testing.T) {
	w := &world{chain: []string{"a", "b"}, closedAt: 3 * time.Minute, failing: map[int]bool{0: true}}
	w.run(t)
	w.check(t, []string{"0@0s:a", "1@1m0s:b"}, []time.Duration{time.Minute},
		[]string{"0s:page at level 1 failed: no channel worked"})
}

// A failure that may pass is retried with backoff (1 s doubling to 15 s)
// until it passes: the page goes out late, once.
func TestPageFlakyStepRetriedUntilItPasses(t *testing.T) {
	w := &world{chain: []string{"a"}, closedAt: 2 * time.Minute, flaky: map[int]bool{0: true}, flakyUntil: 40 * time.Second}
	w.run(t)
	// Attempts at 0, 1, 3, 7, 15, 30, 45 s: the last passes.
	w.check(t, []string{"0@45s:a"}, nil, nil)
	if w.attempts != 7 {
		t.Errorf("%d attempts, want 7", w.attempts)
	}
}

// A step that reaches nobody for GiveUpAfter counts as failed, as a
// non-retryable failure does: a note, a minute, the next person.
func TestPageFlakyStepGivesUpAfterFiveMinutes(t *testing.T) {
	w := &world{chain: []string{"a", "b"}, closedAt: 7 * time.Minute, flaky: map[int]bool{0: true}, flakyUntil: time.Hour}
	w.run(t)
	if len(w.pages) != 1 || !strings.HasPrefix(w.pages[0], "1@") {
		t.Fatalf("pages %q, want only b's", w.pages)
	}
	if len(w.notes) != 1 || !strings.Contains(w.notes[0], "page at level 1 failed") {
		t.Fatalf("notes %q", w.notes)
	}
	gaveUp, err := time.ParseDuration(strings.SplitN(w.notes[0], ":", 2)[0])
	if err != nil || gaveUp < GiveUpAfter || gaveUp > GiveUpAfter+retryMax {
		t.Fatalf("gave up at %v (%v), want within %v of %v", gaveUp, err, retryMax, GiveUpAfter)
	}
}

func TestBackoff(t *testing.T) {
	var got []time.Duration
	for n := 1; n <= 6; n++ {
		got = append(got, backoff(n))
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 15 * time.Second, 15 * time.Second}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("backoff %v, want %v", got, want)
	}
}

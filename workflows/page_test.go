package workflows_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/carepath/carepath/activities"
	"github.com/carepath/carepath/workflows"
)

// pageWorld plays the activities' side of TaskPage: an on-call chain, a
// task acknowledged (or resolved) at some point, and what was done when.
type pageWorld struct {
	chain []string // reachable staff, first call first
	// closedAt is when the task is acknowledged or resolved, from the
	// start; negative: never.
	closedAt time.Duration
	// unreached are staff no channel reached; failing are steps whose page
	// fails for good.
	unreached map[string]bool
	failing   map[int]bool

	pages       []string // "step@time:staff"
	escalations []time.Duration
	notes       []string
}

const pageWait = 5 * time.Minute // the AckWithin the fake returns

func (w *pageWorld) run(t *testing.T) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(workflows.TaskPage, workflow.RegisterOptions{Name: workflows.TaskPageWorkflow})
	env.RegisterActivity(&activities.Activities{})
	start := env.Now()
	since := func() time.Duration { return env.Now().Sub(start) }
	closed := func() bool { return w.closedAt >= 0 && since() >= w.closedAt }
	var a *activities.Activities
	env.OnActivity(a.PageSend, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req activities.PageSendRequest) (activities.PageSendResult, error) {
			if req.TaskID != "t1" {
				t.Errorf("page for task %q", req.TaskID)
			}
			if closed() {
				return activities.PageSendResult{Closed: true, AckWithin: pageWait}, nil
			}
			res := activities.PageSendResult{AckWithin: pageWait, Repeat: req.Step >= len(w.chain), AckCode: "4821"}
			if len(w.chain) > 0 {
				res.StaffID = w.chain[min(req.Step, len(w.chain)-1)]
				res.Reached = !w.unreached[res.StaffID]
			}
			w.pages = append(w.pages, fmt.Sprintf("%d@%v:%s", req.Step, since(), res.StaffID))
			if w.failing[req.Step] {
				return activities.PageSendResult{}, temporal.NewNonRetryableApplicationError("nothing works", "Down", nil)
			}
			return res, nil
		})
	env.OnActivity(a.EscalateTask, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req activities.EscalateTaskRequest) (activities.EscalateTaskResult, error) {
			if closed() {
				return activities.EscalateTaskResult{}, nil
			}
			w.escalations = append(w.escalations, since())
			// The next level's deadline: the level's AckWithin from now (a
			// minute after a failed step).
			if d := req.NextDue.Sub(env.Now()); d != pageWait && (d != time.Minute || len(w.failing) == 0) {
				t.Errorf("escalated with next due in %v, want %v", d, pageWait)
			}
			return activities.EscalateTaskResult{Escalated: true, Level: len(w.escalations)}, nil
		})
	env.OnActivity(a.PageNote, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req activities.PageNoteRequest) (activities.PageNoteResult, error) {
			if closed() {
				return activities.PageNoteResult{}, nil
			}
			w.notes = append(w.notes, fmt.Sprintf("%v:%s", since(), req.Detail))
			return activities.PageNoteResult{Open: true}, nil
		})
	env.ExecuteWorkflow(workflows.TaskPageWorkflow, workflows.TaskPageInput{TaskID: "t1"})
	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("page workflow: completed %v, error %v", env.IsWorkflowCompleted(), env.GetWorkflowError())
	}
}

func (w *pageWorld) check(t *testing.T, pages []string, escalations []time.Duration, notes []string) {
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

func TestTaskPageAcknowledgedAtFirstLevel(t *testing.T) {
	w := &pageWorld{chain: []string{"a", "b", "c"}, closedAt: 2 * time.Minute}
	w.run(t)
	// Paged at once (no timer before the first send); the check at the
	// deadline finds it acknowledged: nobody else is paged.
	w.check(t, []string{"0@0s:a"}, nil, nil)
}

func TestTaskPageEscalatesToSecondLevel(t *testing.T) {
	w := &pageWorld{chain: []string{"a", "b", "c"}, closedAt: 7 * time.Minute}
	w.run(t)
	w.check(t, []string{"0@0s:a", "1@5m0s:b"}, []time.Duration{5 * time.Minute}, nil)
}

func TestTaskPageEscalatesToThirdLevel(t *testing.T) {
	w := &pageWorld{chain: []string{"a", "b", "c"}, closedAt: 14 * time.Minute}
	w.run(t)
	w.check(t, []string{"0@0s:a", "1@5m0s:b", "2@10m0s:c"}, []time.Duration{5 * time.Minute, 10 * time.Minute}, nil)
}

func TestTaskPageChainExhaustedRepagesLastThenStops(t *testing.T) {
	w := &pageWorld{chain: []string{"a", "b"}, closedAt: -1}
	w.run(t)
	// b is paged again at each deadline, PageRepeats times; then a note.
	w.check(t, []string{"0@0s:a", "1@5m0s:b", "2@10m0s:b", "3@15m0s:b", "4@20m0s:b"},
		[]time.Duration{5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 20 * time.Minute},
		[]string{"25m0s:paging stopped after 5 pages"})
	if workflows.PageRepeats != 3 {
		t.Fatalf("PageRepeats is %d; the pages above assume 3", workflows.PageRepeats)
	}
}

func TestTaskPageNoOneOnCallWebhookOnlyThenStops(t *testing.T) {
	w := &pageWorld{closedAt: -1}
	w.run(t)
	// The activity pages the webhook alone (and notes it); the roster is
	// read again at each deadline.
	w.check(t, []string{"0@0s:", "1@5m0s:", "2@10m0s:"}, []time.Duration{5 * time.Minute, 10 * time.Minute},
		[]string{"15m0s:paging stopped after 3 pages"})
}

func TestTaskPageResolvedBeforeThePage(t *testing.T) {
	w := &pageWorld{chain: []string{"a"}, closedAt: 0}
	w.run(t)
	// Nothing sent, nothing escalated, no timer.
	w.check(t, nil, nil, nil)
}

func TestTaskPageResolvedDuringTheWait(t *testing.T) {
	w := &pageWorld{chain: []string{"a", "b"}, closedAt: 9 * time.Minute}
	w.run(t)
	w.check(t, []string{"0@0s:a", "1@5m0s:b"}, []time.Duration{5 * time.Minute}, nil)
}

func TestTaskPageUnreachedPersonSkippedAtOnce(t *testing.T) {
	w := &pageWorld{chain: []string{"a", "b"}, closedAt: 3 * time.Minute, unreached: map[string]bool{"a": true}}
	w.run(t)
	// No channel reached a: b is paged at once, not after a's deadline.
	w.check(t, []string{"0@0s:a", "1@0s:b"}, []time.Duration{0}, nil)
}

func TestTaskPageFailedStepWaitsAMinuteAndMovesOn(t *testing.T) {
	w := &pageWorld{chain: []string{"a", "b"}, closedAt: 3 * time.Minute, failing: map[int]bool{0: true}}
	w.run(t)
	w.check(t, []string{"0@0s:a", "1@1m0s:b"}, []time.Duration{time.Minute}, []string{"0s:page at level 1 failed"})
}

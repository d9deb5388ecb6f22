package paging

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/carepath/carepath/activities"
	"github.com/carepath/carepath/store"
)

const (
	// Repeats is how many pages go out once the chain is exhausted before
	// paging stops with a note.
	Repeats = 3
	// GiveUpAfter is how long a step may reach nobody (every attempt
	// failing in a way that may pass) before it counts as failed.
	GiveUpAfter = 5 * time.Minute
	// FailedWait is how long a failed step waits before the next one; it
	// counts as a repeat.
	FailedWait = time.Minute
	// retryFirst and retryMax bound the backoff between attempts of a step
	// (doubling from the first).
	retryFirst = time.Second
	retryMax   = 15 * time.Second
)

// Effects are a page's side effects: *activities.Activities has them.
type Effects interface {
	PageSend(context.Context, activities.PageSendRequest) (activities.PageSendResult, error)
	EscalateTask(context.Context, activities.EscalateTaskRequest) (activities.EscalateTaskResult, error)
	PageNote(context.Context, activities.PageNoteRequest) (activities.PageNoteResult, error)
}

// advance does what is due for the task's page at now() and returns the
// state to save: due later, or ended (a zero Due). Work that is due at once
// (the next person after an unreached one, after an escalation) is done in
// the same call. A failed attempt is returned as err beside a state that
// retries it with backoff: the caller saves the state either way.
func advance(ctx context.Context, eff Effects, now func() time.Time, taskID string, st store.PageState) (store.PageState, error) {
	for {
		t := now()
		if st.Due.After(t) {
			return st, nil
		}
		var done bool
		var err error
		switch st.Phase {
		case store.PagePhaseSend:
			st, done, err = sendStep(ctx, eff, t, taskID, st)
		case store.PagePhaseWait:
			st, done, err = waitOver(ctx, eff, t, taskID, st)
		default:
			return st, fmt.Errorf("page %s: unknown phase %q", taskID, st.Phase)
		}
		if err != nil {
			return st, fmt.Errorf("page %s: %w", taskID, err)
		}
		if done {
			return st, nil
		}
	}
}

// sendStep pages the step's person; done when the task is closed.
func sendStep(ctx context.Context, eff Effects, t time.Time, taskID string, st store.PageState) (store.PageState, bool, error) {
	level := st.Step + 1
	res, err := eff.PageSend(ctx, activities.PageSendRequest{TaskID: taskID, Step: st.Step})
	if err != nil {
		if !final(err) && t.Sub(st.StepSince) < GiveUpAfter {
			return retryLater(st, t), false, fmt.Errorf("page level %d: %w", level, err)
		}
		detail := fmt.Sprintf("page at level %d failed: no channel worked", level)
		if _, nerr := eff.PageNote(ctx, activities.PageNoteRequest{TaskID: taskID, Detail: detail}); nerr != nil {
			return retryLater(st, t), false, fmt.Errorf("page level %d: note: %w", level, nerr)
		}
		res = activities.PageSendResult{Repeat: true, AckWithin: FailedWait}
	}
	if res.Closed {
		return ended(st), true, nil
	}
	if res.Repeat {
		st.Repeats++
	}
	st.Phase, st.AckWithin, st.Attempt, st.Due = store.PagePhaseWait, res.AckWithin, 0, t
	// A person no channel reached has no time to acknowledge in: the next
	// is paged now.
	if res.Reached || res.Repeat {
		st.Due = t.Add(res.AckWithin)
	}
	return st, false, nil
}

// waitOver acts on a step's passed deadline: stop after Repeats, else
// escalate the task and move to the next step; done when the page ends.
func waitOver(ctx context.Context, eff Effects, t time.Time, taskID string, st store.PageState) (store.PageState, bool, error) {
	if st.Repeats >= Repeats {
		detail := fmt.Sprintf("paging stopped after %d pages: nobody acknowledged", st.Step+1)
		if _, err := eff.PageNote(ctx, activities.PageNoteRequest{TaskID: taskID, Detail: detail}); err != nil && !final(err) {
			return retryLater(st, t), false, fmt.Errorf("page stop note: %w", err)
		}
		return ended(st), true, nil
	}
	esc, err := eff.EscalateTask(ctx, activities.EscalateTaskRequest{TaskID: taskID, NextDue: t.Add(st.AckWithin)})
	if err != nil {
		if final(err) {
			return ended(st), true, fmt.Errorf("escalate: %w", err)
		}
		return retryLater(st, t), false, fmt.Errorf("escalate: %w", err)
	}
	if !esc.Escalated {
		return ended(st), true, nil // acknowledged or resolved
	}
	st.Step++
	st.Phase, st.StepSince, st.Attempt, st.Due = store.PagePhaseSend, t, 0, t
	return st, false, nil
}

// retryLater keeps the phase and schedules its next attempt.
func retryLater(st store.PageState, t time.Time) store.PageState {
	st.Attempt++
	st.Due = t.Add(backoff(st.Attempt))
	return st
}

// backoff is the wait before attempt n+1 (n >= 1).
func backoff(n int) time.Duration {
	d := retryFirst
	for i := 1; i < n && d < retryMax; i++ {
		d *= 2
	}
	return min(d, retryMax)
}

// ended marks the page over.
func ended(st store.PageState) store.PageState {
	st.Due = time.Time{}
	return st
}

// final reports an error no retry can mend (activities mark them
// non-retryable: a task that does not exist, a bad configuration).
func final(err error) bool {
	var ae *temporal.ApplicationError
	return errors.As(err, &ae) && ae.NonRetryable()
}

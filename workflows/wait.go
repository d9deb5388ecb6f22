package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/carepath/carepath/activities"
)

// WaitFor waits up to timeout for an observation with the given code (for
// example "blood_glucose"). Observations of other codes that arrive
// meanwhile are kept for later WaitFor calls; one delivered twice (the
// source re-sent it) counts once. ok is false on timeout.
func (j *J) WaitFor(code string, timeout time.Duration) (obs Observation, ok bool) {
	found := func() bool {
		obs, ok = j.takeObservation(code)
		return ok
	}
	ok, err := j.await(timeout, "wait for "+code, found,
		signal{j.observations, func(c workflow.ReceiveChannel) error {
			var o Observation
			c.Receive(j.ctx, &o)
			j.keepObservation(o)
			return nil
		}})
	j.must(err)
	return obs, ok
}

// signal is a signal channel a wait watches, and what to do with each
// signal received on it; an error ends the wait.
type signal struct {
	ch      workflow.ReceiveChannel
	receive func(workflow.ReceiveChannel) error
}

// await waits up to timeout until done reports true, handling signals as
// they arrive; it reports false on timeout. The first signal is watched
// ahead of the timer and the rest after it: a selector picks the first
// ready case in that order, and recorded histories depend on it.
// timerName names the timer in its error.
func (j *J) await(timeout time.Duration, timerName string, done func() bool, first signal, rest ...signal) (bool, error) {
	if done() {
		return true, nil
	}
	timerCtx, cancelTimer := workflow.WithCancel(j.ctx)
	defer cancelTimer()
	timer := workflow.NewTimer(timerCtx, timeout)
	var err error
	timedOut := false
	sel := workflow.NewSelector(j.ctx)
	watch := func(s signal) {
		sel.AddReceive(s.ch, func(c workflow.ReceiveChannel, _ bool) { err = s.receive(c) })
	}
	watch(first)
	sel.AddFuture(timer, func(f workflow.Future) {
		if ferr := f.Get(j.ctx, nil); ferr != nil {
			err = fmt.Errorf("%s: %w", timerName, ferr)
		}
		timedOut = true
	})
	for _, s := range rest {
		watch(s)
	}
	for {
		sel.Select(j.ctx)
		switch {
		case err != nil:
			return false, err
		case done():
			return true, nil
		case timedOut:
			return false, nil
		}
	}
}

func (j *J) keepObservation(o Observation) {
	if j.seenObs[o.ID] {
		return
	}
	j.seenObs[o.ID] = true
	j.pendingObs = append(j.pendingObs, o)
}

// takeObservation removes and returns the oldest pending observation of code.
func (j *J) takeObservation(code string) (Observation, bool) {
	for i, o := range j.pendingObs {
		if o.Code == code {
			j.pendingObs = append(j.pendingObs[:i], j.pendingObs[i+1:]...)
			return o, true
		}
	}
	return Observation{}, false
}

// SleepUntilLocal sleeps until the next hour:minute on the patient's wall
// clock (a DST day included). The zone is read when called, so a patient
// who moved is reached at their new local time.
func (j *J) SleepUntilLocal(hour, minute int) {
	now := workflow.Now(j.ctx)
	j.Sleep(j.NextLocal(now, hour, minute).Sub(now))
}

// NextLocal is the first instant after `after` when the patient's wall
// clock reads hour:minute (their zone is read when called).
func (j *J) NextLocal(after time.Time, hour, minute int) time.Time {
	at, err := j.nextLocal(after, hour, minute)
	j.must(err)
	return at
}

func (j *J) nextLocal(after time.Time, hour, minute int) (time.Time, error) {
	if hour < 0 || hour > 23 || minute < 0 || minute > 59 {
		return time.Time{}, fmt.Errorf("local time %02d:%02d: not a time of day", hour, minute)
	}
	var pc activities.PatientContextResult
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(j.ctx, recordOptions), acts.PatientContext,
		activities.PatientContextRequest{PatientID: j.in.PatientID}).Get(j.ctx, &pc)
	if err != nil {
		return time.Time{}, fmt.Errorf("local time: %w", err)
	}
	loc, err := time.LoadLocation(pc.Timezone)
	if err != nil {
		return time.Time{}, fmt.Errorf("local time: zone: %w", err)
	}
	return NextLocal(after, loc, hour, minute), nil
}

// NextLocal is the next instant after now when the wall clock in loc
// reads hour:minute.
func NextLocal(now time.Time, loc *time.Location, hour, minute int) time.Time {
	l := now.In(loc)
	t := time.Date(l.Year(), l.Month(), l.Day(), hour, minute, 0, 0, loc)
	if !t.After(now) {
		t = time.Date(l.Year(), l.Month(), l.Day()+1, hour, minute, 0, 0, loc)
	}
	return t
}

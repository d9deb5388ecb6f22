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
	ok, err := j.await(timeout, "wait for "+code, found, j.observationSignal())
	j.must(err)
	return obs, ok
}

// OnObservation hands every observation to handle the moment it arrives,
// from now on: those delivered earlier and not yet taken (oldest first)
// at once, then each new one while the journey waits in Ask, WaitFor or
// Watch. handle runs in the journey's flow, so it may Send and Escalate.
// An observation delivered twice (the source re-sent it) is handed over
// once per run. With a handler, WaitFor no longer keeps observations.
func (j *J) OnObservation(handle func(Observation)) {
	j.onObservation = handle
	pending := j.pendingObs
	j.pendingObs = nil
	for _, o := range pending {
		handle(o)
	}
	j.drainObservations()
}

// Watch waits up to d, or until done reports true (nil: all of d), while
// observations go to the OnObservation handler as they arrive; it reports
// whether done did. With d ≤ 0 it only hands over those already delivered.
func (j *J) Watch(d time.Duration, done func() bool) bool {
	if done == nil {
		done = func() bool { return false }
	}
	j.drainObservations()
	if d <= 0 {
		return done()
	}
	ok, err := j.await(d, "watch", done, j.observationSignal())
	j.must(err)
	return ok
}

// drainObservations handles every observation already delivered, without
// waiting.
func (j *J) drainObservations() {
	var o Observation
	for j.observations.ReceiveAsync(&o) {
		j.receiveObservation(o)
	}
}

// observationSignal watches the observation channel in a wait.
func (j *J) observationSignal() signal {
	return signal{j.observations, func(c workflow.ReceiveChannel) error {
		var o Observation
		c.Receive(j.ctx, &o)
		j.receiveObservation(o)
		return nil
	}}
}

// receiveObservation hands a new observation to the handler, or keeps it
// for WaitFor when there is none.
func (j *J) receiveObservation(o Observation) {
	switch {
	case !j.fresh(o):
	case j.onObservation != nil:
		j.onObservation(o)
	default:
		j.pendingObs = append(j.pendingObs, o)
	}
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
	// A journey that judges observations on arrival (OnObservation) gets
	// them during every wait, an Ask's included; waits that watch them
	// already (WaitFor, Watch) pass that signal first.
	if j.onObservation != nil && first.ch != j.observations {
		watch(j.observationSignal())
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

// fresh reports whether o is new to this run, and marks it seen.
func (j *J) fresh(o Observation) bool {
	if j.seenObs[o.ID] {
		return false
	}
	j.seenObs[o.ID] = true
	return true
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

// AddLocalDays is hour:minute on the patient's wall clock, days calendar
// days after from's local date (their zone is read when called): a daily
// schedule meets every local day, and a weekly one its weekday, across DST.
func (j *J) AddLocalDays(from time.Time, days, hour, minute int) time.Time {
	loc, err := j.patientZone(hour, minute)
	j.must(err)
	return AddLocalDays(from, loc, days, hour, minute)
}

// AddLocalDays is hour:minute in loc, days calendar days after t's date
// in loc. On a spring-forward day an hour that does not exist is read as
// the hour after it, as time.Date does.
func AddLocalDays(t time.Time, loc *time.Location, days, hour, minute int) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day()+days, hour, minute, 0, 0, loc)
}

func (j *J) nextLocal(after time.Time, hour, minute int) (time.Time, error) {
	loc, err := j.patientZone(hour, minute)
	if err != nil {
		return time.Time{}, err
	}
	return NextLocal(after, loc, hour, minute), nil
}

// patientZone reads the patient's time zone (the PatientContext
// activity), checking first that hour:minute is a time of day.
func (j *J) patientZone(hour, minute int) (*time.Location, error) {
	if hour < 0 || hour > 23 || minute < 0 || minute > 59 {
		return nil, fmt.Errorf("local time %02d:%02d: not a time of day", hour, minute)
	}
	var pc activities.PatientContextResult
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(j.ctx, recordOptions), acts.PatientContext,
		activities.PatientContextRequest{PatientID: j.in.PatientID}).Get(j.ctx, &pc)
	if err != nil {
		return nil, fmt.Errorf("local time: %w", err)
	}
	loc, err := time.LoadLocation(pc.Timezone)
	if err != nil {
		return nil, fmt.Errorf("local time: zone: %w", err)
	}
	return loc, nil
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

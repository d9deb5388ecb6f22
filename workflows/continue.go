package workflows

import (
	"encoding/json"
	"errors"
	"fmt"

	"go.temporal.io/sdk/workflow"
)

// historyBudget is where a journey starts a new run even if the server has
// not suggested it: well under Temporal's 10,000-event guidance for a
// run's history, leaving room for a cycle in flight.
const historyBudget = 4000

// errContinue is what ContinueAsNew returns; the runtime turns it into a
// new run carrying the journey's state.
type errContinue struct{ carry json.RawMessage }

func (e *errContinue) Error() string { return "continue as new" }

// ShouldContinueAsNew reports whether this run's history is long enough
// that the journey should carry its state into a new run.
func (j *J) ShouldContinueAsNew() bool {
	info := workflow.GetInfo(j.ctx)
	return info.GetContinueAsNewSuggested() || info.GetCurrentHistoryLength() > historyBudget
}

// ContinueAsNew ends this run and starts the next with the journey's own
// state v (which Carried reads back). Return its result from Run:
//
//	if j.ShouldContinueAsNew() { return "", j.ContinueAsNew(st) }
func (j *J) ContinueAsNew(v any) error {
	raw, err := encodeCarry(v)
	if err != nil {
		return fmt.Errorf("continue as new: %w", err)
	}
	return &errContinue{carry: raw}
}

// Carried reads the state the previous run carried into v; false on the
// first run.
func (j *J) Carried(v any) bool {
	if len(j.in.State.Carry) == 0 {
		return false
	}
	if err := decodeCarry(j.in.State.Carry, v); err != nil {
		j.must(fmt.Errorf("read carried state: %w", err))
	}
	return true
}

// maxCarriedPerCode bounds the observations of one code carried into the
// next run: a device sending a code the journey never waits for (weights,
// to a glucose follow-up) must not grow every run's input for ever. The
// newest are kept: a journey that waits for a code wants the latest.
const maxCarriedPerCode = 5

// nextRun prepares the state the next run starts with: replies still
// queued become tasks (a new run would not see them); observations not yet
// taken are carried along, at most maxCarriedPerCode of each code (from
// changeBoundedCarry; before it, all of them).
func (j *J) nextRun(e *errContinue) (State, error) {
	if err := j.drainReplies(j.ctx); err != nil {
		return State{}, err
	}
	var o Observation
	for j.observations.ReceiveAsync(&o) {
		if j.fresh(o) {
			j.pendingObs = append(j.pendingObs, o) // the next run's handler takes them first
		}
	}
	carried := j.pendingObs
	if j.has(j.ctx, changeBoundedCarry) {
		carried = newestPerCode(carried, maxCarriedPerCode)
	}
	return State{Step: j.state.Step, Seq: j.state.Seq, Run: j.in.State.Run + 1, Carry: e.carry,
		Observations: carried}, nil
}

// newestPerCode keeps the newest n observations of each code, in their order.
func newestPerCode(obs []Observation, n int) []Observation {
	count := map[string]int{}
	keep := make([]bool, len(obs))
	for i := len(obs) - 1; i >= 0; i-- {
		if count[obs[i].Code] < n {
			count[obs[i].Code]++
			keep[i] = true
		}
	}
	var out []Observation
	for i, o := range obs {
		if keep[i] {
			out = append(out, o)
		}
	}
	return out
}

// changeBoundedCarry (version 1, issue 12) bounds the observations carried
// into the next run (newestPerCode). DefaultVersion: every one carried.
// The GetVersion call can go (keeping version 1's branch) once no run that
// continued as new before the change is open.
const changeBoundedCarry = "bounded-observation-carry"

func asContinue(err error) (*errContinue, bool) {
	var e *errContinue
	return e, errors.As(err, &e)
}

// encodeCarry and decodeCarry turn a journey's state into bytes and back:
// deterministic for the same value, which workflowcheck cannot see through
// encoding/json's use of the Go runtime.
//
//workflowcheck:ignore
func encodeCarry(v any) (json.RawMessage, error) { return json.Marshal(v) }

//workflowcheck:ignore
func decodeCarry(raw json.RawMessage, v any) error { return json.Unmarshal(raw, v) }

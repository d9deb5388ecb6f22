package journeytest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/activities"
	"github.com/carepath/carepath/workflows"
)

// RunStats is what one workflow run did, and an upper estimate of its
// history length: each activity is scheduled, started and completed (3
// events), each timer started and fired (2), each signal 1, and every one
// of them wakes the workflow for a task (3 events: scheduled, started,
// completed), plus the run's first and last events.
type RunStats struct {
	Activities, Timers, Signals int
}

// EstimatedEvents is the upper estimate of the run's history events.
func (s RunStats) EstimatedEvents() int {
	wakeups := s.Activities + s.Timers + s.Signals
	return 3*s.Activities + 2*s.Timers + s.Signals + 3*wakeups + 5
}

// OnSend, if set, is called for every message the journey sends; it may
// script the patient's reply (to the question the message asks) or an
// observation, each after a delay from the moment of sending.
type OnSend func(req activities.SendMessageRequest) (reply string, obs *workflows.Observation, after time.Duration)

// RunAll runs the journey through every continue-as-new until it ends,
// with a fresh test environment per run on a continuing clock, and
// returns its result and each run's stats.
func (h *Harness) RunAll(params string, onSend OnSend) (workflows.Result, []RunStats, error) {
	h.t.Helper()
	norm, err := h.def.NormalizeParams([]byte(params))
	if err != nil {
		h.t.Fatalf("params: %v", err)
	}
	input := workflows.Input{EnrollmentID: EnrollmentID, PatientID: PatientID, Journey: h.def.JourneyName(), Params: norm}
	var stats []RunStats
	start := h.Env.Now()
	for run := 0; run < 1000; run++ {
		if run > 0 {
			h.newEnv(start)
		}
		var st RunStats
		h.Env.SetOnActivityStartedListener(func(*activity.Info, context.Context, converter.EncodedValues) { st.Activities++ })
		h.Env.SetOnTimerScheduledListener(func(string, time.Duration) { st.Timers++ })
		h.onSend = func(req activities.SendMessageRequest) {
			if onSend == nil {
				return
			}
			reply, obs, after := onSend(req)
			if reply != "" && req.Question != nil {
				qid := req.Question.ID
				h.Env.RegisterDelayedCallback(func() {
					st.Signals++
					h.Env.SignalWorkflow(workflows.SignalReply, workflows.Reply{QuestionID: qid, MessageID: fmt.Sprintf("m-%d-%s", run, qid), Channel: carepath.ChannelSMS, Body: reply})
				}, after)
			}
			if obs != nil {
				o := *obs
				h.Env.RegisterDelayedCallback(func() {
					st.Signals++
					h.Env.SignalWorkflow(workflows.SignalObservation, o)
				}, after)
			}
		}
		h.Env.ExecuteWorkflow(h.def.JourneyName(), input)
		stats = append(stats, st)
		start = h.Env.Now()
		err := h.Env.GetWorkflowError()
		var can *workflow.ContinueAsNewError
		if errors.As(err, &can) {
			if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &input); err != nil {
				return workflows.Result{}, stats, fmt.Errorf("decode next run's input: %w", err)
			}
			continue
		}
		if err != nil {
			return workflows.Result{}, stats, err
		}
		var res workflows.Result
		if err := h.Env.GetWorkflowResult(&res); err != nil {
			return res, stats, err
		}
		return res, stats, nil
	}
	return workflows.Result{}, stats, errors.New("journey did not end within 1000 runs")
}

// Package journeytest runs a journey on Temporal's time-skipping test
// environment with its activities replaced by recorders, so every branch of
// a care path is tested in milliseconds: script the patient's replies at
// points in (skipped) time, run, and assert on what was sent and raised.
// The recorders refuse what production would fail on (checks.go): a
// template key or locale the journey has no wording for, a journey the
// harness was not given, an invalid priority. DeferSends makes sends wait
// out quiet hours (defer.go).
package journeytest

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/activities"
	"github.com/carepath/carepath/workflows"
)

// Sent is one message the journey sent.
type Sent struct {
	Template   string
	MessageID  string // a deferred send is asked again with the same ID
	QuestionID string // set when the message asks a question
	At         time.Duration
	Purpose    carepath.Purpose
	Lane       string // the task queue the send was dispatched on, or LocalSend or LocalReply
}

// Harness runs one journey once.
type Harness struct {
	t     testing.TB
	suite testsuite.WorkflowTestSuite
	Env   *testsuite.TestWorkflowEnvironment
	def   workflows.Definition
	check *checker
	start time.Time

	mu       sync.Mutex
	sent     []Sent
	tasks    []activities.CreateTaskRequest
	feedback []activities.RecordFeedbackRequest
	finished *activities.FinishEnrollmentRequest
	lastQ    string
	// SendResult decides each send's outcome; by default every send is sent.
	SendResult func(req activities.SendMessageRequest) activities.SendMessageResult
	// ReplyInFlight makes CloseQuestion report that a reply was routed.
	ReplyInFlight bool
	// Timezone is the patient's zone (default America/New_York).
	Timezone string
	// SlotsBusy makes every send that tries to go in the workflow task
	// (SendNow) find no free slot, so it goes on its lane.
	SlotsBusy bool
	// Channel is the patient's channel (default SMS): the start's lane
	// hint (workflows.Input.Channel) and the channel every send goes out on.
	Channel        carepath.Channel
	onSend         func(activities.SendMessageRequest)
	deferSends     deferral
	deferNotices   deferral
	deferred       []Sent
	consents       []activities.RecordConsentRequest
	prefs          []activities.UpdatePreferencesRequest
	started        []string
	caregiverNotes []string
}

// PatientID and EnrollmentID are fixed for every harness run.
const (
	PatientID    = "11111111-1111-4111-8111-111111111111"
	EnrollmentID = "22222222-2222-4222-8222-222222222222"
)

// New prepares a harness for def. others are the journeys def may enroll
// the patient in (StartJourney), for example journeys.All()...: starting
// any other journey fails the test, as it would fail in production.
func New(t testing.TB, def workflows.Definition, others ...workflows.Definition) *Harness {
	t.Helper()
	check, err := newChecker(def, others)
	if err != nil {
		t.Fatalf("journeytest: %v", err)
	}
	h := &Harness{t: t, def: def, check: check}
	// Warnings and errors only: the SDK's debug lines drown a failure.
	h.suite.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	// A fixed start (a Monday, midnight UTC) makes schedules that depend on
	// local time of day reproducible.
	h.newEnv(time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC))
	h.start = h.Env.Now()
	return h
}

// newEnv makes a test environment starting at start with the journey,
// its runtime workflows and recording activity mocks registered.
func (h *Harness) newEnv(start time.Time) {
	def := h.def
	h.Env = h.suite.NewTestWorkflowEnvironment()
	h.Env.SetStartTime(start)
	h.Env.RegisterWorkflowWithOptions(def.WorkflowFunc(), workflow.RegisterOptions{Name: def.JourneyName()})
	h.Env.RegisterActivity(&activities.Activities{})
	var a *activities.Activities
	h.Env.OnActivity(a.SendMessage, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, req activities.SendMessageRequest) (activities.SendMessageResult, error) {
			return h.send(req, activity.GetInfo(ctx).TaskQueue)
		})
	h.Env.OnActivity(a.SendNow, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req activities.SendMessageRequest) (activities.SendMessageResult, error) {
			if h.SlotsBusy {
				return activities.SendMessageResult{Outcome: activities.OutcomeQueued}, nil
			}
			return h.send(req, LocalSend)
		})
	h.Env.OnActivity(a.SendReply, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req activities.SendMessageRequest) (activities.SendMessageResult, error) {
			return h.send(req, LocalReply)
		})
	h.Env.OnActivity(a.CreateTask, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req activities.CreateTaskRequest) (activities.CreateTaskResult, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			if why := h.check.priority(req.Priority); why != "" {
				return activities.CreateTaskResult{}, h.reject("CreateTask", why)
			}
			h.tasks = append(h.tasks, req)
			return activities.CreateTaskResult{TaskID: req.TaskID}, nil
		})
	h.Env.OnActivity(a.RecordFeedback, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req activities.RecordFeedbackRequest) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.feedback = append(h.feedback, req)
			return nil
		})
	h.Env.OnActivity(a.CloseQuestion, mock.Anything, mock.Anything).Return(
		func(_ context.Context, _ activities.CloseQuestionRequest) (activities.CloseQuestionResult, error) {
			return activities.CloseQuestionResult{ReplyInFlight: h.ReplyInFlight}, nil
		})
	h.Env.OnActivity(a.RecordConsent, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req activities.RecordConsentRequest) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.consents = append(h.consents, req)
			return nil
		})
	h.Env.OnActivity(a.UpdatePreferences, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req activities.UpdatePreferencesRequest) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.prefs = append(h.prefs, req)
			return nil
		})
	h.Env.OnActivity(a.CreateEnrollment, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req activities.CreateEnrollmentRequest) (activities.CreateEnrollmentResult, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			if why := h.check.start(req.Journey, req.Params); why != "" {
				return activities.CreateEnrollmentResult{}, h.reject("CreateEnrollment", why)
			}
			h.started = append(h.started, req.Journey)
			return activities.CreateEnrollmentResult{Start: false}, nil // the started journey is not run here
		})
	h.Env.OnActivity(a.NotifyCaregivers, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req activities.NotifyCaregiversRequest) (activities.NotifyCaregiversResult, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			if why := h.check.template(req.Template); why != "" {
				return activities.NotifyCaregiversResult{}, h.reject("NotifyCaregivers", why)
			}
			if until, ok := h.deferNotices.take(h.Env.Now()); ok {
				return activities.NotifyCaregiversResult{DeferredUntil: &until}, nil
			}
			h.caregiverNotes = append(h.caregiverNotes, req.Template)
			return activities.NotifyCaregiversResult{Notified: 1}, nil
		})
	h.Env.OnActivity(a.PatientContext, mock.Anything, mock.Anything).Return(
		func(_ context.Context, _ activities.PatientContextRequest) (activities.PatientContextResult, error) {
			tz := h.Timezone
			if tz == "" {
				tz = "America/New_York"
			}
			return activities.PatientContextResult{Timezone: tz, Locale: "en"}, nil
		})
	h.Env.OnActivity(a.FinishEnrollment, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req activities.FinishEnrollmentRequest) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.finished = &req
			return nil
		})
}

// LocalReply is the Lane of a conversation reply sent inside the workflow
// task (a local activity on the priority lane's slot).
const LocalReply = "local-reply"

// LocalSend is the Lane of any other send made inside the workflow task
// (SendNow: its slot was free).
const LocalSend = "local-send"

// send records one send on lane and answers it as the test asks.
func (h *Harness) send(req activities.SendMessageRequest, lane string) (activities.SendMessageResult, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if why := h.check.template(req.Template); why != "" {
		return activities.SendMessageResult{}, h.reject("SendMessage", why)
	}
	s := Sent{Template: req.Template, MessageID: req.MessageID, At: h.Env.Now().Sub(h.start), Purpose: req.Purpose, Lane: lane}
	if req.Question != nil {
		s.QuestionID = req.Question.ID
		h.lastQ = req.Question.ID
	}
	if until, ok := h.deferSends.take(h.Env.Now()); ok {
		h.deferred = append(h.deferred, s)
		return activities.SendMessageResult{Outcome: activities.OutcomeDeferred, Reason: activities.ReasonQuietHours, DeferredUntil: &until}, nil
	}
	h.sent = append(h.sent, s)
	if h.onSend != nil {
		h.onSend(req)
	}
	if h.SendResult != nil {
		return h.SendResult(req), nil
	}
	return activities.SendMessageResult{Outcome: activities.OutcomeSent, Channel: h.channel()}, nil
}

// ReplyAt delivers body as the patient's reply at offset after the start,
// to the question asked most recently by then.
func (h *Harness) ReplyAt(offset time.Duration, body string) {
	h.Env.RegisterDelayedCallback(func() {
		h.mu.Lock()
		q := h.lastQ
		h.mu.Unlock()
		h.Env.SignalWorkflow(workflows.SignalReply, workflows.Reply{QuestionID: q, MessageID: uuid.NewString(), Channel: carepath.ChannelSMS, Body: body})
	}, offset)
}

// StaleReplyAt delivers a reply to a question the journey never asked.
func (h *Harness) StaleReplyAt(offset time.Duration, body string) {
	h.Env.RegisterDelayedCallback(func() {
		h.Env.SignalWorkflow(workflows.SignalReply, workflows.Reply{QuestionID: uuid.NewString(), MessageID: uuid.NewString(), Channel: carepath.ChannelSMS, Body: body})
	}, offset)
}

// channel is the patient's channel, SMS unless Channel says otherwise.
func (h *Harness) channel() carepath.Channel {
	if h.Channel == "" {
		return carepath.ChannelSMS
	}
	return h.Channel
}

// Run runs the journey with params (a JSON object, or "" for defaults),
// normalised exactly as enrollment does, and returns its result.
func (h *Harness) Run(params string) (workflows.Result, error) {
	h.t.Helper()
	norm, err := h.def.NormalizeParams(json.RawMessage(params))
	if err != nil {
		h.t.Fatalf("params: %v", err)
	}
	h.Env.ExecuteWorkflow(h.def.JourneyName(), workflows.Input{
		EnrollmentID: EnrollmentID, PatientID: PatientID, Journey: h.def.JourneyName(), Params: norm, Channel: h.Channel,
	})
	if !h.Env.IsWorkflowCompleted() {
		h.t.Fatal("journey did not complete")
	}
	var res workflows.Result
	if err := h.Env.GetWorkflowError(); err != nil {
		return res, err
	}
	if err := h.Env.GetWorkflowResult(&res); err != nil {
		return res, fmt.Errorf("decode result: %w", err)
	}
	return res, nil
}

// Templates lists the templates sent, in order.
func (h *Harness) Templates() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]string, len(h.sent))
	for i, s := range h.sent {
		out[i] = s.Template
	}
	return out
}

// Sent returns every message sent, in order.
func (h *Harness) Sent() []Sent {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Sent(nil), h.sent...)
}

// Tasks returns the tasks raised, in order.
func (h *Harness) Tasks() []activities.CreateTaskRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]activities.CreateTaskRequest(nil), h.tasks...)
}

// Feedback returns the feedback recorded.
func (h *Harness) Feedback() []activities.RecordFeedbackRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]activities.RecordFeedbackRequest(nil), h.feedback...)
}

// Finished returns how the enrollment was recorded as ending (nil if not).
func (h *Harness) Finished() *activities.FinishEnrollmentRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.finished
}

// StepAt queries the journey's current step at offset after the start and
// stores it in *step.
func (h *Harness) StepAt(offset time.Duration, step *string) {
	h.Env.RegisterDelayedCallback(func() {
		v, err := h.Env.QueryWorkflow(workflows.QueryState)
		if err != nil {
			h.t.Errorf("query state: %v", err)
			return
		}
		var s workflows.State
		if err := v.Get(&s); err != nil {
			h.t.Errorf("decode state: %v", err)
			return
		}
		*step = s.Step
	}, offset)
}

// ObservationAt delivers an observation at offset after the start.
func (h *Harness) ObservationAt(offset time.Duration, o workflows.Observation) {
	h.Env.RegisterDelayedCallback(func() { h.Env.SignalWorkflow(workflows.SignalObservation, o) }, offset)
}

// Start is the (skipped) clock's time when the journey started.
func (h *Harness) Start() time.Time { return h.start }

// Consents returns the consent decisions recorded.
func (h *Harness) Consents() []activities.RecordConsentRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]activities.RecordConsentRequest(nil), h.consents...)
}

// Preferences returns the preference changes made.
func (h *Harness) Preferences() []activities.UpdatePreferencesRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]activities.UpdatePreferencesRequest(nil), h.prefs...)
}

// Started returns the journeys this one enrolled the patient in.
func (h *Harness) Started() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.started...)
}

// CaregiverNotices returns the templates sent to caregivers.
func (h *Harness) CaregiverNotices() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.caregiverNotes...)
}

// OptOutAt signals, at offset after the start, that the patient opted out
// of a channel (as the STOP handler does).
func (h *Harness) OptOutAt(offset time.Duration, channel carepath.Channel) {
	h.Env.RegisterDelayedCallback(func() { h.Env.SignalWorkflow(workflows.SignalOptOut, workflows.OptOut{Channel: channel}) }, offset)
}

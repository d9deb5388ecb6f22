package activities

import (
	"context"
	"encoding/json"
	"fmt"

	"go.temporal.io/sdk/temporal"

	"github.com/carepath/carepath"

	"github.com/carepath/carepath/store"
)

// CloseQuestion closes a question whose wait timed out. If a reply was
// routed to it in the meantime, the journey is told to wait for it.
func (a *Activities) CloseQuestion(ctx context.Context, req CloseQuestionRequest) (CloseQuestionResult, error) {
	prev, err := a.Store.QuestionClose(ctx, req.QuestionID)
	if err != nil {
		return CloseQuestionResult{}, fmt.Errorf("close question: %w", err)
	}
	return CloseQuestionResult{ReplyInFlight: prev == "answered"}, nil
}

// CreateTask raises a care-team task once per dedupe key.
func (a *Activities) CreateTask(ctx context.Context, req CreateTaskRequest) (CreateTaskResult, error) {
	id, err := a.Store.TaskInsert(ctx, store.NewTask{ID: req.TaskID, PatientID: req.PatientID, EnrollmentID: req.EnrollmentID,
		MessageID: req.MessageID, Priority: req.Priority, Reason: req.Reason, DedupeKey: req.DedupeKey, Swept: req.Swept})
	if err != nil {
		return CreateTaskResult{}, fmt.Errorf("create task: %w", err)
	}
	a.Log.Info("care-team task raised", "task_id", id, "priority", req.Priority, "enrollment_id", req.EnrollmentID)
	return CreateTaskResult{TaskID: id}, nil
}

// RecordFeedback stores a survey score once per feedback ID.
func (a *Activities) RecordFeedback(ctx context.Context, req RecordFeedbackRequest) error {
	if err := a.Store.FeedbackInsert(ctx, req.FeedbackID, req.PatientID, req.EnrollmentID, req.Kind, req.Score); err != nil {
		return fmt.Errorf("record feedback: %w", err)
	}
	return nil
}

// FinishEnrollment records the final status and outcome of an enrollment
// and closes any question still open for it.
func (a *Activities) FinishEnrollment(ctx context.Context, req FinishEnrollmentRequest) error {
	if err := a.Store.Tx(ctx, func(q *store.Queries) error {
		if err := q.EnrollmentFinish(ctx, req.EnrollmentID, req.Status, req.Outcome); err != nil {
			return err
		}
		if req.Detail == "" {
			return nil
		}
		return q.EnrollmentOutcomeDetail(ctx, req.EnrollmentID, req.Detail)
	}); err != nil {
		return fmt.Errorf("finish enrollment: %w", err)
	}
	return nil
}

// EscalateTask raises an unacknowledged task one level; a task acknowledged
// or resolved in the meantime is left alone.
func (a *Activities) EscalateTask(ctx context.Context, req EscalateTaskRequest) (EscalateTaskResult, error) {
	level, ok, err := a.Store.TaskEscalate(ctx, req.TaskID, req.NextDue)
	if err != nil {
		return EscalateTaskResult{}, fmt.Errorf("escalate task: %w", err)
	}
	if ok {
		a.Log.Warn("task not acknowledged in time: escalated", "task_id", req.TaskID, "level", level)
	}
	return EscalateTaskResult{Escalated: ok, Level: level}, nil
}

// sweepBatch bounds one sweep; a backlog drains over the next sweeps.
const sweepBatch = 500

// SweepTasks escalates every swept task past its acknowledgement deadline
// one level, with that priority's deadline again from now. A task whose
// page started (urgent and high ones) is left to its page (package
// paging), which escalates it along the on-call chain at each level's
// deadline: the sweeper escalating it too would skip a person. An urgent
// or high task no page runner has reached yet is still swept.
func (a *Activities) SweepTasks(ctx context.Context) (SweepTasksResult, error) {
	overdue, err := a.Store.TasksOverdueUnpaged(ctx, carepath.MaxEscalationLevel, sweepBatch)
	if err != nil {
		return SweepTasksResult{}, fmt.Errorf("sweep tasks: %w", err)
	}
	var res SweepTasksResult
	for _, t := range overdue {
		level, ok, err := a.Store.TaskEscalate(ctx, t.ID, a.now().Add(carepath.AckDeadline[t.Priority]))
		if err != nil {
			return res, fmt.Errorf("sweep tasks: %w", err)
		}
		if ok {
			res.Escalated++
			a.Log.Warn("task not acknowledged in time: escalated", "task_id", t.ID, "level", level)
		}
	}
	return res, nil
}

// PatientContext returns the patient's time zone and locale, read fresh so
// a patient who moves is scheduled in their new zone.
func (a *Activities) PatientContext(ctx context.Context, req PatientContextRequest) (PatientContextResult, error) {
	p, err := a.Store.PatientGet(ctx, req.PatientID)
	if err != nil {
		return PatientContextResult{}, fmt.Errorf("patient context: %w", err)
	}
	return PatientContextResult{Timezone: p.Timezone, Locale: p.Locale}, nil
}

// RecordConsent appends a patient's decision to the consent ledger,
// effective when the reply that carried it was received (a retry appends
// an identical row: the state is the same).
func (a *Activities) RecordConsent(ctx context.Context, req RecordConsentRequest) error {
	change := store.ConsentChange{Channel: req.Channel, Purpose: req.Purpose, Granted: req.Granted, Source: req.Source}
	if req.ReplyMessageID != "" {
		at, err := a.Store.InboundReceivedAt(ctx, req.ReplyMessageID)
		if err != nil {
			return fmt.Errorf("record consent: %w", err)
		}
		change.EffectiveAt, change.Reason = at, "reply "+req.ReplyMessageID
	}
	if err := a.Store.ConsentAppend(ctx, store.Recipient{PatientID: req.PatientID}, change); err != nil {
		return fmt.Errorf("record consent: %w", err)
	}
	return nil
}

// UpdatePreferences changes the patient's language or preferred channel;
// every journey's next message honours it.
func (a *Activities) UpdatePreferences(ctx context.Context, req UpdatePreferencesRequest) error {
	if err := a.Store.PatientPreferences(ctx, req.PatientID, req.Locale, req.Channel); err != nil {
		return fmt.Errorf("update preferences: %w", err)
	}
	return nil
}

// Enroller is the one enrollment path (engine.Enroller, the same that the
// API and event triggers use): it validates the journey and params against
// the journey catalogue, records the enrollment under the requested ID
// (idempotent: a retry finds what it made) and answers with what it made
// or found.
type Enroller func(ctx context.Context, r EnrollmentRequest) (Enrolled, error)

// EnrollmentRequest asks the Enroller for one enrollment.
type EnrollmentRequest struct {
	// EnrollmentID is derived by the caller, so a retry finds its own row.
	EnrollmentID string
	PatientID    string
	Journey      string
	Params       json.RawMessage
	// ByParent says a running journey asks and starts the new journey
	// itself, as its child: the enrollment is only recorded. Otherwise
	// (bulk launches) its journey is started too.
	ByParent bool
}

// Enrolled is what the Enroller made or found.
type Enrolled struct {
	// ID is the patient's enrollment: the requested one, or the active one
	// of the same journey the patient already had.
	ID      string
	Created bool
	// Active says that enrollment is still active.
	Active bool
	// Params are the request's params with the journey's defaults filled in.
	Params json.RawMessage
}

// CreateEnrollment records an enrollment a journey starts, through the
// one enrollment path. The ID is derived by the journey, so a retry finds
// its row; a patient already in the journey is not enrolled twice.
func (a *Activities) CreateEnrollment(ctx context.Context, req CreateEnrollmentRequest) (CreateEnrollmentResult, error) {
	if a.Enroll == nil {
		return CreateEnrollmentResult{}, temporal.NewNonRetryableApplicationError("no enroller configured", ErrTypeInvalidRequest, nil)
	}
	got, err := a.Enroll(ctx, EnrollmentRequest{EnrollmentID: req.EnrollmentID, PatientID: req.PatientID,
		Journey: req.Journey, Params: req.Params, ByParent: true})
	switch {
	case carepath.ErrorCode(err) == carepath.EINVALID:
		// An unknown journey or params it rejects: no retry can fix that.
		return CreateEnrollmentResult{}, temporal.NewNonRetryableApplicationError("journey params invalid", ErrTypeInvalidRequest, err)
	case err != nil:
		// Retried, including when the enrollment it collided with cannot
		// be read: answering "already in that journey" then would drop the
		// hand-off for good.
		return CreateEnrollmentResult{}, fmt.Errorf("create enrollment: %w", err)
	case got.ID != req.EnrollmentID || !got.Active:
		// Already in that journey (or ours already ended): nothing to start.
		return CreateEnrollmentResult{Start: false}, nil
	}
	// New, or our own row found by a retry: the journey starts it.
	return CreateEnrollmentResult{Start: true, Params: got.Params}, nil
}

// RecordProgramDeclinedRequest records a patient declining a program.
type RecordProgramDeclinedRequest struct {
	DeclineID    string `json:"decline_id"` // derived by the journey: a retry inserts once
	PatientID    string `json:"patient_id"`
	EnrollmentID string `json:"enrollment_id"`
	Program      string `json:"program"`          // the journey declined
	Reason       string `json:"reason,omitempty"` // a choice value, never free text
	// ReplyMessageID is the reply that declined; the decline is dated by it.
	ReplyMessageID string `json:"reply_message_id,omitempty"`
}

// RecordProgramDeclined records that the patient declined a program. It is
// not a consent change: the patient can still be reached about their care.
func (a *Activities) RecordProgramDeclined(ctx context.Context, req RecordProgramDeclinedRequest) error {
	d := store.ProgramDecline{ID: req.DeclineID, PatientID: req.PatientID, Program: req.Program,
		EnrollmentID: req.EnrollmentID, Reason: req.Reason, ReplyMessageID: req.ReplyMessageID}
	if req.ReplyMessageID != "" {
		at, err := a.Store.InboundReceivedAt(ctx, req.ReplyMessageID)
		if err != nil {
			return fmt.Errorf("record program decline: %w", err)
		}
		d.DeclinedAt = at
	}
	if err := a.Store.DeclineInsert(ctx, d); err != nil {
		return fmt.Errorf("record program decline: %w", err)
	}
	return nil
}

// ProgramDeclineRequest asks whether a patient has declined a program and
// not come back since.
type ProgramDeclineRequest struct {
	PatientID string `json:"patient_id"`
}

// ProgramDeclineResult is the patient's open decline, if any.
type ProgramDeclineResult struct {
	Declined bool   `json:"declined"`
	Program  string `json:"program,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// ProgramDecline reads the patient's open program decline.
func (a *Activities) ProgramDecline(ctx context.Context, req ProgramDeclineRequest) (ProgramDeclineResult, error) {
	program, reason, ok, err := a.Store.DeclineOpen(ctx, req.PatientID)
	if err != nil {
		return ProgramDeclineResult{}, fmt.Errorf("program decline: %w", err)
	}
	return ProgramDeclineResult{Declined: ok, Program: program, Reason: reason}, nil
}

// RecordProgramReturnRequest records that a decliner came back.
type RecordProgramReturnRequest struct {
	PatientID    string `json:"patient_id"`
	EnrollmentID string `json:"enrollment_id"`
	Via          string `json:"via"` // journey:touch that won them back, e.g. reengagement:after_visit
}

// RecordProgramReturn marks the patient's open declines won back (a retry,
// or a patient with none open, changes nothing).
func (a *Activities) RecordProgramReturn(ctx context.Context, req RecordProgramReturnRequest) error {
	if _, err := a.Store.DeclineReturned(ctx, req.PatientID, req.EnrollmentID, req.Via); err != nil {
		return fmt.Errorf("record program return: %w", err)
	}
	return nil
}

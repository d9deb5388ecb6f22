// Package activities holds every side effect a journey has: sending
// messages through the outbox, opening and closing questions, raising
// care-team tasks, storing feedback and finishing enrollments. Each takes
// one request struct and returns one result struct, so fields can be added
// without breaking running workflows.
package activities

import (
	"encoding/json"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/answers"
	"github.com/carepath/carepath/store"
)

// Send outcomes a journey can branch on.
const (
	OutcomeSent       = "sent"
	OutcomeDeferred   = "deferred" // held until DeferredUntil: call again then, with the same MessageID
	OutcomeSuppressed = "suppressed"
	OutcomeFailed     = "failed"
	// OutcomeHeld: the provider may or may not have the message and it
	// cannot be proven (email without events). It is not resent; a
	// care-team task holds it.
	OutcomeHeld = "held"
	// OutcomeQueued comes from SendNow only: no slot was free at once, or
	// the message needs more than one quick attempt (an outcome to
	// reconcile). Nothing was sent by it; SendMessage, with the same
	// MessageID, on its lane takes the message from there (its outbox row,
	// if SendNow wrote one, is queued or awaits reconciliation).
	OutcomeQueued = "queued"
)

// Reasons recorded with suppressed or failed messages.
const (
	ReasonInvalidContact = "invalid_contact"
	ReasonNoContact      = "no_contact_point"
	ReasonOptedOut       = "opted_out"
	ReasonProvider       = "provider_rejected"
	ReasonNoConsent      = "no_consent"
	ReasonCapped         = "capped"
	ReasonQuietHours     = "quiet_hours"
	ReasonUnreachable    = "unreachable"
	// ReasonOutcomeUnknown: a held message's provider call ended without
	// an answer and nothing could settle it.
	ReasonOutcomeUnknown = "outcome_unknown"
)

// Cap behaviours.
const (
	OnCapDefer    = "defer"    // hold the message until the cap allows it (default)
	OnCapSuppress = "suppress" // drop it, recorded as suppressed/capped
)

// QuestionRef ties a message to the question it asks, so a reply can be
// routed back to the journey waiting for it.
type QuestionRef struct {
	ID         string `json:"id"`
	Key        string `json:"key"`
	WorkflowID string `json:"workflow_id"`
	// Accepts is what the question takes, so the reply router can send an
	// answer to the waiting question it fits.
	Accepts answers.Spec `json:"accepts"`
}

// SendMessageRequest asks for one message to one patient. MessageID is
// derived by the workflow, which makes the send idempotent.
type SendMessageRequest struct {
	MessageID    string            `json:"message_id"`
	EnrollmentID string            `json:"enrollment_id"`
	PatientID    string            `json:"patient_id"`
	Template     string            `json:"template"`
	Vars         map[string]string `json:"vars,omitempty"`
	Purpose      carepath.Purpose  `json:"purpose"`
	Question     *QuestionRef      `json:"question,omitempty"`
	// Channel overrides the patient's preferred channel ("" = preferred).
	Channel carepath.Channel `json:"channel,omitempty"`
	// Likely is the channel the journey expects the message to go on (its
	// last message's, or the start's hint; "" if it cannot tell). SendNow
	// queues a message at once, without a transaction, when that channel's
	// limiter can never tell that a slot is free (messaging.NeverReady).
	Likely carepath.Channel `json:"likely,omitempty"`
	// NoFallback forbids using the other channel when the first cannot be.
	NoFallback bool `json:"no_fallback,omitempty"`
	// OnCap says what an outreach message over the frequency cap does.
	OnCap string `json:"on_cap,omitempty"`
	// Urgent: a staff member marked the message urgent. It is exempt from
	// quiet hours only: consent (and a STOP), contact validity and caps
	// still apply.
	Urgent bool `json:"urgent,omitempty"`
	// Author is who wrote the message, as the audit trail names them
	// ("user:<id>"), for a staff member's reply; empty for carepath's own.
	Author string `json:"author,omitempty"`
}

// SendMessageResult is the typed outcome of a send.
type SendMessageResult struct {
	Outcome       string           `json:"outcome"`          // sent, deferred, suppressed, failed, held (queued: SendNow only)
	Reason        string           `json:"reason,omitempty"` // for deferred, suppressed, failed and held
	Channel       carepath.Channel `json:"channel,omitempty"`
	DeferredUntil *time.Time       `json:"deferred_until,omitempty"`
}

// CloseQuestionRequest closes a question whose wait timed out.
type CloseQuestionRequest struct {
	QuestionID string `json:"question_id"`
}

// CloseQuestionResult says whether a reply had already been routed.
type CloseQuestionResult struct {
	ReplyInFlight bool `json:"reply_in_flight"`
}

// CreateTaskRequest raises a care-team task; DedupeKey makes it idempotent.
type CreateTaskRequest struct {
	TaskID       string            `json:"task_id"`
	DedupeKey    string            `json:"dedupe_key"`
	PatientID    string            `json:"patient_id"`
	EnrollmentID string            `json:"enrollment_id"`
	MessageID    string            `json:"message_id,omitempty"`
	Priority     carepath.Priority `json:"priority"`
	Reason       string            `json:"reason"`
	// Swept puts the task under the deployment's task sweeper. Journeys
	// that start a watcher of their own (before escalate-in-task) leave it
	// false.
	Swept bool `json:"swept,omitempty"`
}

// SweepTasksResult counts the tasks a sweep escalated.
type SweepTasksResult struct {
	Escalated int `json:"escalated"`
}

// CreateTaskResult names the task (an existing one, on a retry).
type CreateTaskResult struct {
	TaskID string `json:"task_id"`
}

// RecordFeedbackRequest stores a survey score.
type RecordFeedbackRequest struct {
	FeedbackID   string `json:"feedback_id"`
	PatientID    string `json:"patient_id"`
	EnrollmentID string `json:"enrollment_id"`
	Kind         string `json:"kind"`
	Score        int    `json:"score"`
}

// FinishEnrollmentRequest records how an enrollment ended.
type FinishEnrollmentRequest struct {
	EnrollmentID string `json:"enrollment_id"`
	Status       string `json:"status"`
	Outcome      string `json:"outcome"`
	Detail       string `json:"detail,omitempty"`
}

// EscalateTaskRequest raises a still-unacknowledged task one level.
type EscalateTaskRequest struct {
	TaskID  string    `json:"task_id"`
	NextDue time.Time `json:"next_due"`
}

// EscalateTaskResult says whether it was still open, and its new level.
type EscalateTaskResult struct {
	Escalated bool `json:"escalated"`
	Level     int  `json:"level"`
}

// PatientContextRequest asks for what a journey may know of its patient
// to schedule (never names or contact details).
type PatientContextRequest struct {
	PatientID string `json:"patient_id"`
}

// PatientContextResult is the patient's time zone and locale.
type PatientContextResult struct {
	Timezone string `json:"timezone"`
	Locale   string `json:"locale"`
}

// RecordConsentRequest records a consent decision a patient gave a journey.
type RecordConsentRequest struct {
	PatientID string           `json:"patient_id"`
	Channel   carepath.Channel `json:"channel"` // sms, email
	Purpose   carepath.Purpose `json:"purpose"` // care, outreach
	Granted   bool             `json:"granted"`
	Source    string           `json:"source"` // e.g. journey:onboarding
	// ReplyMessageID is the patient's reply that carried the decision:
	// the decision takes effect when that reply was received, so a STOP
	// the patient sent after it wins even if recorded first.
	ReplyMessageID string `json:"reply_message_id,omitempty"`
}

// UpdatePreferencesRequest changes how the patient wants to be reached;
// empty fields are kept.
type UpdatePreferencesRequest struct {
	PatientID string           `json:"patient_id"`
	Locale    string           `json:"locale,omitempty"`
	Channel   carepath.Channel `json:"channel,omitempty"`
}

// CreateEnrollmentRequest records an enrollment a journey starts (its
// workflow is then started as an abandoned child).
type CreateEnrollmentRequest struct {
	EnrollmentID string          `json:"enrollment_id"`
	PatientID    string          `json:"patient_id"`
	Journey      string          `json:"journey"`
	Params       json.RawMessage `json:"params"`
}

// CreateEnrollmentResult says whether the journey should be started: false
// when the patient already has it active.
type CreateEnrollmentResult struct {
	Start bool `json:"start"`
	// Params are the journey's complete params, defaults filled in.
	Params json.RawMessage `json:"params"`
}

// NotifyCaregiversRequest tells the patient's authorised caregivers
// something, each on their own consent, channel and language.
type NotifyCaregiversRequest struct {
	PatientID    string            `json:"patient_id"`
	EnrollmentID string            `json:"enrollment_id"`
	Template     string            `json:"template"`
	Vars         map[string]string `json:"vars,omitempty"`
	// MessageIDBase derives one message ID per caregiver, so a retry
	// never notifies anyone twice.
	MessageIDBase string `json:"message_id_base"`
}

// NotifyCaregiversResult counts who was told; DeferredUntil asks the
// journey to call again then (quiet hours in the patient's zone).
type NotifyCaregiversResult struct {
	Notified      int        `json:"notified"`
	Skipped       int        `json:"skipped"` // not authorised, no consent or no usable contact
	DeferredUntil *time.Time `json:"deferred_until,omitempty"`
	// Held counts messages whose outcome is unknown and not provable
	// (care-team task raised); they are not resent.
	Held int `json:"held,omitempty"`
}

// LaunchBatchRequest launches the next chunk of a bulk launch.
type LaunchBatchRequest struct {
	JobID string `json:"job_id"`
	Limit int    `json:"limit"`
}

// LaunchBatchResult says how far the job got.
type LaunchBatchResult struct {
	Processed int  `json:"processed"`
	Done      bool `json:"done"`
}

// Appointment responses a reminder's reply records (AppointmentRespond).
const (
	AppointmentConfirmed           = store.AppointmentConfirmed
	AppointmentCancelled           = store.AppointmentCancelled
	AppointmentRescheduleRequested = store.AppointmentRescheduleRequested
)

// AppointmentRespondRequest records a patient's answer to an appointment
// reminder. RespondedAt (the journey's clock when the reply arrived) makes
// a retry harmless; MessageID is the reply, logged by ID.
type AppointmentRespondRequest struct {
	AppointmentID string    `json:"appointment_id"`
	PatientID     string    `json:"patient_id"`
	EnrollmentID  string    `json:"enrollment_id"`
	Response      string    `json:"response"` // AppointmentConfirmed, AppointmentCancelled, AppointmentRescheduleRequested
	MessageID     string    `json:"message_id,omitempty"`
	RespondedAt   time.Time `json:"responded_at"`
}

// AppointmentRespondResult is the appointment after the answer. Found is
// false when the patient has no such appointment (nothing was recorded).
type AppointmentRespondResult struct {
	Found   bool   `json:"found"`
	Status  string `json:"status,omitempty"`
	Version int64  `json:"version,omitempty"`
}

// AppointmentRemindedRequest records that Reminders reminders of the
// appointment have now been sent: the journey's own count, so a retry
// sets the same number.
type AppointmentRemindedRequest struct {
	AppointmentID string `json:"appointment_id"`
	PatientID     string `json:"patient_id"`
	EnrollmentID  string `json:"enrollment_id"`
	Reminders     int    `json:"reminders"`
}

// Package workflows is the journey runtime: the small typed API journeys
// are written with (Send, Ask, Sleep, Escalate, RecordFeedback, Step), the
// definition and catalogue of journeys, and the contract callers use to
// reach a running journey. Concrete journeys live in package journeys.
package workflows

import (
	"encoding/json"
	"time"

	"github.com/carepath/carepath"
)

// TaskQueue is the queue journey workflows and their record-keeping
// activities run on.
const TaskQueue = "carepath-journeys"

// SendTaskQueue is the queue of every send. Temporal's server rate-limits
// it across all workers (TaskQueueActivitiesPerSecond), which keeps a
// sending number under its provider's messages-per-second limit.
const SendTaskQueue = "carepath-sends"

// Signal and query names of a running journey.
const (
	// SignalReply delivers a patient's reply (Reply) to the journey that
	// asked the question it answers.
	SignalReply = "carepath.reply"
	// QueryState returns the journey's State (current step and progress).
	QueryState = "carepath.state"
	// SignalObservation delivers a new observation (Observation) to every
	// active journey of the patient; those waiting for its code take it.
	SignalObservation = "carepath.observation"
	// SignalOptOut tells the patient's journeys they opted out of a
	// channel (OptOut); a journey waiting for an answer stops waiting.
	SignalOptOut = "carepath.opt_out"
)

// OptOut is a patient's withdrawal of consent for a channel.
type OptOut struct {
	Channel carepath.Channel `json:"channel"`
}

// Observation is a measurement delivered to a journey.
type Observation struct {
	ID          string    `json:"id"`
	Code        string    `json:"code"`
	Value       float64   `json:"value"`
	Value2      *float64  `json:"value2,omitempty"`
	Unit        string    `json:"unit"`
	EffectiveAt time.Time `json:"effective_at"`
}

// WorkflowID is the Temporal workflow ID of an enrollment (no PHI: the
// enrollment's UUID only).
func WorkflowID(enrollmentID string) string { return carepath.EnrollmentWorkflowID(enrollmentID) }

// Input starts a journey. Params are already validated and normalised (all
// defaults filled in) by the journey's definition.
type Input struct {
	EnrollmentID string          `json:"enrollment_id"`
	PatientID    string          `json:"patient_id"`
	Journey      string          `json:"journey"`
	Params       json.RawMessage `json:"params"`
	// State carries progress across continue-as-new.
	State State `json:"state"`
}

// Result is how a journey ended.
type Result struct {
	Outcome string `json:"outcome"`
}

// State is the part of a journey that outlives one workflow run.
type State struct {
	Step string `json:"step"`
	// Seq numbers every derived ID (messages, questions, tasks) so they
	// stay unique and identical on replay.
	Seq int `json:"seq"`
	// Run counts continue-as-new runs (0 for the first).
	Run int `json:"run,omitempty"`
	// Carry is the journey's own state, handed to the next run.
	Carry json.RawMessage `json:"carry,omitempty"`
	// Observations delivered but not yet waited for, kept across runs.
	Observations []Observation `json:"observations,omitempty"`
}

// Reply is a patient's inbound message routed to a question.
type Reply struct {
	QuestionID string           `json:"question_id"`
	MessageID  string           `json:"message_id"`
	Channel    carepath.Channel `json:"channel"`
	Body       string           `json:"body"`
	ReceivedAt time.Time        `json:"received_at"`
}

// searchAttributeAllowList names every search attribute a journey workflow
// may carry. Search attributes are indexed in plain text and shown in the
// Temporal UI, so nothing else, and nothing with PHI, is allowed; the
// canary test checks running journeys against this list. The Temporal*
// and BuildIds entries are set by Temporal itself.
var searchAttributeAllowList = map[string]bool{
	"TemporalChangeVersion":              true, // workflow.GetVersion markers
	"BuildIds":                           true,
	"TemporalWorkerDeploymentVersion":    true,
	"TemporalWorkerDeployment":           true,
	"TemporalWorkflowVersioningBehavior": true,
}

// SearchAttributeAllowed reports whether name is on the allow-list.
func SearchAttributeAllowed(name string) bool { return searchAttributeAllowList[name] }

package workflows

import (
	"encoding/json"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/workflow"

	"github.com/carepath/carepath"
)

// The runtime's contract: every name Temporal knows carepath's workflows
// by (task queues, workflow types, workflow IDs, signals, queries) and the
// options every start uses. A workflow ID or type is recorded in every
// history and makes starts idempotent, so each is spelled here once and
// never changed; callers use these helpers and never retype a string.
// The UUIDv5 namespaces and task dedupe keys are in the root package
// (ids.go), which store and activities can import.

// TaskQueue is the queue journey workflows and their record-keeping
// activities run on.
const TaskQueue = "carepath-journeys"

// SendTaskQueue is the bulk send queue. Temporal's server rate-limits it
// across all workers (TaskQueueActivitiesPerSecond), a little above the
// fleet's SMS rate, so the backlog of a bulk launch waits on the server;
// the fleet-wide limiter (messaging.Shared) keeps each sending number
// exactly within its provider's limit.
const SendTaskQueue = "carepath-sends"

// SendPriorityTaskQueue is the lane for sends that must never wait behind
// bulk or scheduled traffic: safety messages, pages to staff, STOP/HELP
// confirmations and conversation replies. Its worker shares the send
// worker's pacer, which serves this lane first, so the provider's
// per-number limit still holds.
const SendPriorityTaskQueue = "carepath-sends-priority"

// SendEmailTaskQueue is the email lane: a journey's message goes there
// when its last one went out by email (send.go, changeEmailLane). It has
// no Temporal rate limit, so email never waits on the SMS rate of
// SendTaskQueue; an SMS that ends up there still takes its slot from the
// fleet-wide per-number limiter.
const SendEmailTaskQueue = "carepath-sends-email"

// Workflow types. A journey's workflow type is its journey name
// (Definition.JourneyName); these are the runtime's own. The replay-only
// per-task watcher's type and ID (TaskEscalationWorkflow,
// TaskEscalationWorkflowID) are kept with it in legacy.go, to be deleted
// with it.
const (
	// TaskSweeperWorkflow escalates overdue care-team tasks (sweeper.go).
	TaskSweeperWorkflow = "carepath.task_sweeper"
	// ComplianceReplyWorkflow answers a compliance keyword (STOP, START,
	// HELP) or a preference change (compliance.go).
	ComplianceReplyWorkflow = "carepath.compliance_reply"
	// SafetyReplyWorkflow answers a red flag with the safety message
	// (safety.go).
	SafetyReplyWorkflow = "carepath.safety_reply"
	// TaskPageWorkflow paged the on-call chain for an urgent or high task
	// until someone acknowledged it (page.go). Nothing starts it any more
	// (package paging drives pages from the database); it stays
	// registered so pages started by an older build finish.
	TaskPageWorkflow = "carepath.task_page"
	// BulkLaunchWorkflow runs a bulk launch (batch.go).
	BulkLaunchWorkflow = "carepath.bulk_launch"
)

// Workflow IDs. Each is keyed by what must happen once, and carries only a
// UUID (or a fixed name): never a name, phone number or other PHI.

// WorkflowID is the Temporal workflow ID of an enrollment's journey: one
// journey run per enrollment. (carepath.EnrollmentWorkflowID is the same
// function, for store and activities, which cannot import this package.)
func WorkflowID(enrollmentID string) string { return carepath.EnrollmentWorkflowID(enrollmentID) }

// TaskSweeperWorkflowID is fixed: one sweeper per deployment.
const TaskSweeperWorkflowID = "task-sweeper"

// ComplianceWorkflowID keys the reply by the inbound message, so a webhook
// delivered twice still gets one answer.
func ComplianceWorkflowID(inboundMessageID string) string { return "compliance-" + inboundMessageID }

// SafetyWorkflowID is keyed by the message with the red flag: one safety
// message per message.
func SafetyWorkflowID(inboundMessageID string) string { return "safety-" + inboundMessageID }

// BulkLaunchWorkflowID is keyed by the job: one launcher per job.
func BulkLaunchWorkflowID(jobID string) string { return "batch-" + jobID }

// Start options, one per kind of start. The ID policies are what make a
// retried, re-delivered or reconciled start harmless, so every caller
// starts through these.

// JourneyStartOptions start an enrollment's journey from outside a
// workflow (API, event triggers, bulk launches, the reconciler). Duplicates
// are rejected even after the journey ended: an enrollment runs once, so a
// late retry or reconciler start of a finished journey must not run it
// again (callers treat "already started" as done).
func JourneyStartOptions(enrollmentID string) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID:                    WorkflowID(enrollmentID),
		TaskQueue:             TaskQueue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		// When this process also runs the journeys worker (bulk launches,
		// `dev`), the first workflow task comes back with the start
		// instead of through the matching service.
		EnableEagerStart: true,
	}
}

// JourneyChildOptions start a journey a running journey enrolls the
// patient in (StartJourney). The child is abandoned, not cancelled, when
// the parent ends: a follow-on journey runs on by itself. Duplicates are
// rejected for the same reason as JourneyStartOptions.
func JourneyChildOptions(enrollmentID string) workflow.ChildWorkflowOptions {
	return workflow.ChildWorkflowOptions{
		WorkflowID:            WorkflowID(enrollmentID),
		TaskQueue:             TaskQueue,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}
}

// BulkLaunchStartOptions start a job's launcher. Duplicates are rejected
// even after it finished: a job launches once, and a reconciler start
// arriving late must not walk the job again.
func BulkLaunchStartOptions(jobID string) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID:                    BulkLaunchWorkflowID(jobID),
		TaskQueue:             TaskQueue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}
}

// ComplianceReplyStartOptions start the answer to an inbound keyword.
// Duplicates are rejected even after the answer was sent: a webhook or
// routing retry must never send a confirmation twice.
func ComplianceReplyStartOptions(inboundMessageID string) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID:                    ComplianceWorkflowID(inboundMessageID),
		TaskQueue:             TaskQueue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}
}

// SafetyReplyStartOptions start the safety message answering a red flag;
// like a compliance answer, never twice.
func SafetyReplyStartOptions(inboundMessageID string) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID:                    SafetyWorkflowID(inboundMessageID),
		TaskQueue:             TaskQueue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}
}

// TaskSweeperStartOptions start the deployment's sweeper. Every worker
// starts it: one already running is used as it is (conflict policy
// USE_EXISTING, so the start succeeds without a second sweeper), while one
// that ended (terminated by an operator) is started afresh under the
// default reuse policy.
func TaskSweeperStartOptions() client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID:                       TaskSweeperWorkflowID,
		TaskQueue:                TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}
}

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
	// SignalAppointment tells the journeys following an appointment (their
	// journey key is its carepath ID) that the EHR changed it
	// (AppointmentUpdate): moved, cancelled, fulfilled, a no-show.
	SignalAppointment = "carepath.appointment"
)

// AppointmentUpdate is an appointment as the EHR now has it. Version grows
// with every change, so a journey ignores an update older than one it has.
type AppointmentUpdate struct {
	AppointmentID string    `json:"appointment_id"`
	Status        string    `json:"status"` // FHIR AppointmentStatus: booked, cancelled, noshow, fulfilled…
	Start         time.Time `json:"start"`
	Version       int64     `json:"version"`
}

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

// Input starts a journey. Params are already validated and normalised (all
// defaults filled in) by the journey's definition.
type Input struct {
	EnrollmentID string          `json:"enrollment_id"`
	PatientID    string          `json:"patient_id"`
	Journey      string          `json:"journey"`
	Params       json.RawMessage `json:"params"`
	// State carries progress across continue-as-new.
	State State `json:"state"`
	// Channel is the channel the journey's first message most likely takes
	// (store.PatientChannelHint), so an email patient's first message goes
	// on the email lane rather than behind the SMS rate. A hint: the send
	// decides the channel. Empty: the SMS lane, as before it existed.
	Channel carepath.Channel `json:"channel,omitempty"`
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
	// RedFlag: the engine found a red flag in it, answered it with the
	// safety message and raised an urgent task; Ask does not ask such a
	// reply to be clarified.
	RedFlag bool `json:"red_flag,omitempty"`
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

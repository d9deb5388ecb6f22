// Package carepath holds the domain types shared by every layer: patients,
// enrollments, messages and tasks, their status values, and validation of
// what callers may send. Storage, the HTTP API and the journey runtime build
// on these; none of them redefine the names.
package carepath

import "time"

// Message directions and statuses.
const (
	DirectionOutbound = "outbound"
	DirectionInbound  = "inbound"

	MessageQueued      = "queued"      // written to the outbox, not yet handed to a provider
	MessageSending     = "sending"     // a provider call is under way (outcome unknown if we crash here)
	MessageSent        = "sent"        // the provider accepted it
	MessageDelivered   = "delivered"   // the provider confirmed delivery
	MessageFailed      = "failed"      // the provider refused it or it could not be delivered
	MessageSuppressed  = "suppressed"  // carepath decided not to send it (reason recorded)
	MessageDeferred    = "deferred"    // held until a time (quiet hours, frequency cap)
	MessageUndelivered = "undelivered" // the provider accepted it but could not deliver it
	MessageHeld        = "held"        // outcome unknown and not provable (email without events): a care-team task decides
	MessageReceived    = "received"    // inbound, stored but not yet routed
	MessageRouted      = "routed"      // inbound, handed to a journey or turned into a task
)

// Enrollment statuses.
const (
	EnrollmentActive    = "active"
	EnrollmentCompleted = "completed"
	EnrollmentCancelled = "cancelled"
	EnrollmentFailed    = "failed"
)

// Task statuses.
const (
	TaskOpen         = "open"
	TaskAcknowledged = "acknowledged"
	TaskResolved     = "resolved"
)

// Patient is the CRM record of one patient. Every field but ID and the
// timestamps is PHI: it never goes into workflow IDs, logs or errors.
type Patient struct {
	ID               string  `json:"id"`
	GivenName        string  `json:"given_name"`
	FamilyName       string  `json:"family_name"`
	BirthDate        string  `json:"birth_date"` // YYYY-MM-DD
	Phone            string  `json:"phone,omitempty"`
	Email            string  `json:"email,omitempty"`
	Timezone         string  `json:"timezone"`
	Locale           string  `json:"locale"`
	PreferredChannel Channel `json:"preferred_channel"`
	// Tags are the care team's labels (e.g. "diabetes-panel") and
	// Conditions ICD-10 codes (e.g. "E11.9"): both select bulk launches.
	Tags       []string  `json:"tags"`
	Conditions []string  `json:"conditions"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Enrollment is one run of a journey for one patient.
type Enrollment struct {
	ID          string         `json:"id"`
	PatientID   string         `json:"patient_id"`
	Journey     string         `json:"journey"`
	Key         string         `json:"key,omitempty"`
	Params      map[string]any `json:"params"`
	Status      string         `json:"status"`
	Step        string         `json:"step,omitempty"`
	Outcome     string         `json:"outcome,omitempty"`
	WorkflowID  string         `json:"workflow_id"`
	CreatedAt   time.Time      `json:"created_at"`
	CompletedAt *time.Time     `json:"completed_at,omitempty"`
}

// Message is one outbound or inbound message in a patient's timeline.
type Message struct {
	ID                string     `json:"id"`
	PatientID         string     `json:"patient_id,omitempty"`
	EnrollmentID      string     `json:"enrollment_id,omitempty"`
	Direction         string     `json:"direction"`
	Channel           Channel    `json:"channel"`
	Template          string     `json:"template,omitempty"`
	Body              string     `json:"body"`
	Status            string     `json:"status"`
	StatusReason      string     `json:"status_reason,omitempty"`
	Provider          string     `json:"provider,omitempty"`
	ProviderMessageID string     `json:"provider_message_id,omitempty"`
	CreatedAt         time.Time  `json:"created_at"`
	SentAt            *time.Time `json:"sent_at,omitempty"`
	// Author is who wrote a staff reply ("user:<id>" or "api_key:<id>");
	// empty for carepath's own messages and for inbound ones.
	Author     string `json:"author,omitempty"`
	AuthorName string `json:"author_name,omitempty"`
}

// Task is a care-team work item raised by a journey or by an unroutable reply.
type Task struct {
	ID           string `json:"id"`
	PatientID    string `json:"patient_id,omitempty"`
	EnrollmentID string `json:"enrollment_id,omitempty"`
	// MessageID is the inbound message the task is about, if any (a reply
	// no journey took, a message from a shared or unknown number).
	MessageID      string     `json:"message_id,omitempty"`
	Priority       Priority   `json:"priority"`
	Status         string     `json:"status"`
	Reason         string     `json:"reason"`
	Note           string     `json:"note,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	AcknowledgedAt *time.Time `json:"acknowledged_at,omitempty"`
	ResolvedAt     *time.Time `json:"resolved_at,omitempty"`
	// EscalationLevel counts escalations for want of acknowledgement. A
	// swept task (normal, low) stops at MaxEscalationLevel; a paged task
	// (urgent, high) counts each pass along the on-call chain and each
	// repeat page after it (the history says whom each level reached).
	EscalationLevel int        `json:"escalation_level"`
	DueAt           *time.Time `json:"acknowledge_by,omitempty"`
	ResolvedNote    string     `json:"resolved_note,omitempty"`
}

// AckDeadline is how long a task of each priority may wait for a care-team
// member to acknowledge it before it escalates. Urgent and high tasks page
// the on-call person, and each unanswered page passes to the next person in
// the chain after this long: an urgent task reaches the third person within
// a quarter of an hour.
var AckDeadline = map[Priority]time.Duration{
	PriorityUrgent: 5 * time.Minute,
	PriorityHigh:   30 * time.Minute,
	PriorityNormal: 24 * time.Hour,
	PriorityLow:    72 * time.Hour,
}

// MaxEscalationLevel is the last level the task sweeper raises a task to;
// paging (urgent and high tasks) follows the on-call chain instead.
const MaxEscalationLevel = 2

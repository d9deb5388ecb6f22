package carepath

import "github.com/google/uuid"

// The identifier contract: every ID carepath derives rather than draws at
// random, and every key that makes a care-team task unique. Derived IDs are
// what make retries and replays idempotent, so each is spelled here once and
// callers never retype a prefix. None of them carries PHI beyond what the
// row it keys already holds.

// UUIDv5 namespaces. Changing one changes every ID derived from it: a
// running journey would derive different IDs on replay, so never do.
var (
	// NamespaceJourney derives the IDs a journey mints (messages,
	// questions, tasks, enrollments it starts) from enrollment, kind and
	// sequence; compliance replies derive theirs from the inbound message.
	NamespaceJourney = uuid.MustParse("2f1b7c1e-8a0c-4d53-9a63-5f3c1c0e9b7a")
	// NamespaceTrigger derives an enrollment ID from a source event and
	// the journey it starts, so a re-delivered event enrolls once.
	NamespaceTrigger = uuid.MustParse("7c0b7a4e-3d1f-4c55-9b8e-2a6f0e5d9c31")
	// NamespaceBatch derives an enrollment ID from a bulk launch and the
	// patient, so a resumed launch never enrolls anyone twice.
	NamespaceBatch = uuid.MustParse("5a1d3c0e-6b2f-4f8e-9c7a-3e2d1b0a9f8c")
)

// EnrollmentWorkflowID is the Temporal workflow ID of an enrollment. It
// carries only the enrollment's UUID: never a name, phone number or other PHI.
func EnrollmentWorkflowID(enrollmentID string) string { return "enrollment-" + enrollmentID }

// Task dedupe keys: a task raised twice for the same cause (a retry, a
// replay, a webhook delivered again) is stored once.

// TaskKeyJourney keys a task a journey raised by its derived task ID.
func TaskKeyJourney(taskID string) string { return "journey/" + taskID }

// TaskKeyReply keys the task for a reply no journey took.
func TaskKeyReply(messageID string) string { return "reply/" + messageID }

// TaskKeyRedFlag keys the urgent task a red flag in a message raises.
func TaskKeyRedFlag(messageID string) string { return "red-flag/" + messageID }

// TaskKeyPossibleOptOut keys the review task for a message that may be an
// opt-out.
func TaskKeyPossibleOptOut(messageID string) string { return "possible-opt-out/" + messageID }

// TaskKeyHeld keys the task for an email whose outcome is unknown.
func TaskKeyHeld(messageID string) string { return "message-held/" + messageID }

// TaskKeyContact keys the hygiene task for a patient's invalid contact point.
func TaskKeyContact(patientID string, channel Channel, address string) string {
	return "contact/" + patientID + "/" + string(channel) + "/" + address
}

// TaskKeyCaregiverContact keys the hygiene task for a caregiver's invalid
// contact point.
func TaskKeyCaregiverContact(caregiverID string, channel Channel, address string) string {
	return "contact/caregiver/" + caregiverID + "/" + string(channel) + "/" + address
}

// TaskKeyReading keys the task an out-of-range reading raises: the engine
// (on arrival) and a follow-up journey (against its care plan's range)
// raise the same task for one reading.
func TaskKeyReading(observationID string) string { return "reading/" + observationID }

package engine

import (
	"context"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
)

// Reasons for the tasks that hold a reply no journey takes. The one for a
// reply that answered no open question is carepath.ReasonUnmatchedReply,
// shared with the journey runtime.
const (
	ReasonUnknownSender = "message from an unknown number or address: please review"
	ReasonSharedSender  = "message from a contact point several patients share: please review"
	// ReasonCaregiverSender: a caregiver's message is never a patient's answer.
	ReasonCaregiverSender = "message from a patient's caregiver: please review"
	// ReasonUnverifiedEmail: SendGrid's SPF and DKIM checks did not pass for
	// the sender's domain, so anyone could have written it.
	ReasonUnverifiedEmail = "email reply whose sender could not be verified (SPF/DKIM): please review"
	// ReasonUnreadableEmail: the text was not valid in its declared
	// character set (or too long) and was stored as best it could be.
	ReasonUnreadableEmail = "email reply that could not be read as text: please review"
)

// inboxRoute is a task for the care team holding the reply.
type inboxRoute struct {
	PatientID    string `json:"patient_id"`
	EnrollmentID string `json:"enrollment_id,omitempty"`
	Reason       string `json:"reason"`
}

// unmatchedReply is the task for a reply that answered no open question,
// or whose journey ended or could not be reached: the one rule for
// "an unmatched reply becomes a task".
func unmatchedReply(patientID, enrollmentID string) inboxRoute {
	return inboxRoute{PatientID: patientID, EnrollmentID: enrollmentID, Reason: carepath.ReasonUnmatchedReply}
}

// routeToInbox raises the care-team task that holds a reply and marks the
// reply routed; the task's dedupe key makes it one per reply.
func routeToInbox(ctx context.Context, q *store.Queries, messageID string, in inboxRoute) error {
	if _, err := q.TaskInsert(ctx, store.NewTask{ID: uuid.NewString(), PatientID: in.PatientID, EnrollmentID: in.EnrollmentID,
		MessageID: messageID, Priority: carepath.PriorityNormal, Reason: in.Reason, DedupeKey: carepath.TaskKeyReply(messageID),
		Swept: true}); err != nil {
		return err
	}
	return q.MessageRouted(ctx, messageID, in.EnrollmentID)
}

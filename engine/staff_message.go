package engine

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
	"github.com/carepath/carepath/workflows"
)

// StaffMessage is a staff member's reply to a patient.
type StaffMessage struct {
	Text string
	// Channel is sms, email or "" (the patient's preferred).
	Channel carepath.Channel
	// Urgent goes at once, even in quiet hours (never past consent or STOP).
	Urgent bool
	// ClientID is the client's idempotency key: the same key from the same
	// caller is the same message, sent once.
	ClientID string
}

// StaffMessageReceipt names the accepted reply.
type StaffMessageReceipt struct {
	MessageID string `json:"message_id"`
	Workflow  string `json:"workflow"`
}

// maxStaffText bounds a reply: Twilio takes at most 1600 characters.
const maxStaffText = 1600

// SendStaffMessage accepts a staff member's reply to a patient and starts
// its StaffMessage workflow, which sends it through the journeys' send
// path (consent and STOP, quiet hours unless urgent, the exactly-once
// outbox). Accepted is not sent: the message's status in the patient's
// messages says what became of it. Posting the same client_id again
// returns the same message and sends nothing more. Audited as
// message.staff_reply; if Temporal cannot be reached the caller may retry
// with the same client_id.
func (e *Engine) SendStaffMessage(ctx context.Context, a carepath.Actor, patientID string, m StaffMessage) (StaffMessageReceipt, error) {
	if err := m.validate(); err != nil {
		return StaffMessageReceipt{}, err
	}
	author := a.Name()
	messageID := workflows.StaffMessageID(author, m.ClientID)
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		if err := patientExists(ctx, q, patientID); err != nil {
			return err
		}
		return audit(ctx, q, a, "message.staff_reply", patientID, "message/"+messageID)
	})
	if err != nil {
		return StaffMessageReceipt{}, err
	}
	in := workflows.StaffMessageInput{MessageID: messageID, PatientID: patientID, Text: m.Text,
		Channel: m.Channel, Urgent: m.Urgent, Author: author}
	sctx, cancel := context.WithTimeout(ctx, routeCallTimeout)
	defer cancel()
	if err := e.startOnce(sctx, workflows.StaffMessageStartOptions(messageID), workflows.StaffMessageWorkflow, in); err != nil {
		if transient(err) {
			return StaffMessageReceipt{}, carepath.Errorf(carepath.EUNAVAILABLE, "the message could not be queued: try again with the same client_id")
		}
		return StaffMessageReceipt{}, fmt.Errorf("staff message %s: %w", messageID, err)
	}
	return StaffMessageReceipt{MessageID: messageID, Workflow: workflows.StaffMessageWorkflowID(messageID)}, nil
}

func (m *StaffMessage) validate() error {
	if strings.TrimSpace(m.Text) == "" || utf8.RuneCountInString(m.Text) > maxStaffText || !utf8.ValidString(m.Text) {
		return carepath.Invalid("text", "is required (at most %d characters)", maxStaffText)
	}
	if m.Channel != "" && !m.Channel.Valid() {
		return carepath.Invalid("channel", `must be "sms", "email" or "" (the patient's preferred)`)
	}
	id := strings.TrimSpace(m.ClientID)
	if id == "" || len(id) > 200 || id != m.ClientID {
		return carepath.Invalid("client_id", "is required: a key of the client's choosing (at most 200 characters), the same when the request is retried")
	}
	return nil
}

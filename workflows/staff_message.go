package workflows

import (
	"fmt"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/workflow"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/activities"
)

// A staff member's reply to a patient, written in the console: one
// StaffMessage workflow per reply, keyed by who wrote it and the client's
// idempotency key, so a reply posted twice is sent once. Its contract
// (type, IDs, start options) is kept here with it.

// StaffMessageWorkflow sends a staff member's reply (StaffMessage).
const StaffMessageWorkflow = "carepath.staff_message"

// StaffMessageID is the outbox message ID of a staff reply: a UUIDv5 of
// its author (an audit actor, "user:<id>") and the client's key, so the
// same key from the same author is the same message. Neither the text nor
// anything about the patient goes into it.
func StaffMessageID(author, clientID string) string {
	return uuid.NewSHA1(carepath.NamespaceJourney, []byte("staff-message/"+author+"/"+clientID)).String()
}

// StaffMessageWorkflowID is keyed by the message: one workflow per reply.
func StaffMessageWorkflowID(messageID string) string { return "staff-message-" + messageID }

// StaffMessageStartOptions start a staff reply. Duplicates are rejected
// even after it was sent: the same reply posted again (a double click, a
// retried request) must never be sent twice.
func StaffMessageStartOptions(messageID string) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID:                    StaffMessageWorkflowID(messageID),
		TaskQueue:             TaskQueue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}
}

// StaffMessageInput is one reply. Text is PHI: it travels only in the
// (encrypted) payload and is rendered through TemplateStaffReply.
type StaffMessageInput struct {
	MessageID string `json:"message_id"`
	PatientID string `json:"patient_id"`
	Text      string `json:"text"`
	// Channel is the one the staff member chose ("" the patient's
	// preferred, which may fall back to the other as journeys' sends do).
	Channel carepath.Channel `json:"channel,omitempty"`
	// Urgent replies go on the priority lane and are exempt from quiet
	// hours (not from consent or a STOP).
	Urgent bool `json:"urgent,omitempty"`
	// Author is who wrote it ("user:<id>", "api_key:<id>").
	Author string `json:"author"`
}

// StaffMessageResult is how the reply was decided.
type StaffMessageResult struct {
	Outcome string           `json:"outcome"`
	Reason  string           `json:"reason,omitempty"`
	Channel carepath.Channel `json:"channel,omitempty"`
}

// StaffMessage (StaffMessageWorkflow) sends a staff member's reply through
// the journeys' send path: consent and STOP, contact validity, the
// exactly-once outbox. Care purpose: it answers the patient's own
// conversation with their care team. Not urgent, it waits out quiet hours
// on a durable timer; urgent, it goes on the priority lane at once.
func StaffMessage(ctx workflow.Context, in StaffMessageInput) (StaffMessageResult, error) {
	req := activities.SendMessageRequest{
		MessageID: in.MessageID, PatientID: in.PatientID, Template: TemplateStaffReply,
		Vars: Vars{StaffReplyText: in.Text}, Purpose: carepath.PurposeCare,
		Channel: in.Channel, NoFallback: in.Channel != "", Urgent: in.Urgent, Author: in.Author,
	}
	opts := sendOptions
	if in.Urgent {
		opts.TaskQueue = SendPriorityTaskQueue
	}
	res, err := sendDeferrable(ctx, opts, req)
	if err != nil {
		return StaffMessageResult{}, fmt.Errorf("staff message: %w", err)
	}
	if res.Outcome != activities.OutcomeSent {
		workflow.GetLogger(ctx).Warn("staff message not sent", "message_id", in.MessageID, "outcome", res.Outcome, "reason", res.Reason)
	}
	return StaffMessageResult{Outcome: res.Outcome, Reason: res.Reason, Channel: res.Channel}, nil
}

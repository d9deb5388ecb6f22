package workflows

import (
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/workflow"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/activities"
)

// ComplianceReplyInput names the patient, the keyword's message and what
// to answer.
type ComplianceReplyInput struct {
	PatientID        string `json:"patient_id"`
	InboundMessageID string `json:"inbound_message_id"`
	Template         string `json:"template"`
	// Channel is the one the patient wrote on ("" means SMS).
	Channel carepath.Channel `json:"channel,omitempty"`
	// CaregiverID, when set, means the keyword came from that caregiver:
	// the answer goes to them, never to the patient.
	CaregiverID string `json:"caregiver_id,omitempty"`
}

// changeCompliancePriority (version 1, 2026-11-30) sends compliance
// replies on SendPriorityTaskQueue. DefaultVersion: SendTaskQueue, the bulk
// lane, with everything else unchanged. Deletable (keeping the GetVersion
// call with its minimum raised to 1) once every compliance reply started
// before the deploy has closed: they run for an hour at most.
const changeCompliancePriority = "compliance-priority-lane"

// ComplianceReply (ComplianceReplyWorkflow) sends one answer on the channel the patient wrote on, at
// once: it is exempt from consent (the patient may just have opted out),
// quiet hours and caps.
func ComplianceReply(ctx workflow.Context, in ComplianceReplyInput) error {
	channel := in.Channel
	if channel == "" {
		channel = carepath.ChannelSMS
	}
	req := activities.SendMessageRequest{
		MessageID: uuid.NewSHA1(carepath.NamespaceJourney, []byte("compliance/"+in.InboundMessageID)).String(),
		PatientID: in.PatientID, Template: in.Template, Purpose: carepath.PurposeCompliance,
		Channel: channel, NoFallback: true,
	}
	opts := sendOptions
	opts.ScheduleToCloseTimeout = time.Hour // a confirmation days late helps nobody
	// The answer the person is waiting for goes on the priority lane,
	// ahead of bulk and scheduled sends. Runs that scheduled it on the
	// bulk queue before the change replay it there.
	if workflow.GetVersion(ctx, changeCompliancePriority, workflow.DefaultVersion, 1) == 1 {
		opts.TaskQueue = SendPriorityTaskQueue
	}
	// Histories from before caregivers had keywords never carry a
	// CaregiverID; the version marks the new branch all the same.
	if in.CaregiverID != "" && workflow.GetVersion(ctx, "compliance-caregiver-reply", workflow.DefaultVersion, 1) == 1 {
		cr := activities.CaregiverReplyRequest{MessageID: req.MessageID, CaregiverID: in.CaregiverID, Template: in.Template, Channel: channel}
		if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, opts), acts.SendCaregiverReply, cr).Get(ctx, nil); err != nil {
			return fmt.Errorf("compliance reply to caregiver: %w", err)
		}
		return nil
	}
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, opts), acts.SendMessage, req).Get(ctx, nil); err != nil {
		return fmt.Errorf("compliance reply: %w", err)
	}
	return nil
}

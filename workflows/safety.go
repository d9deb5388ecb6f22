package workflows

import (
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/workflow"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/activities"
)

// SafetyReply (SafetyReplyWorkflow) sends the safety message that answers
// a red flag in a patient's (or caregiver's) message: the emergency number,
// and 988 for crisis language. It goes on the priority lane, ahead of bulk
// and scheduled sends, and like a HELP answer it is exempt from quiet
// hours, caps and consent: it answers the person's own message, once.
// The input is a compliance reply's; its message ID is its own, so a
// message that is both a STOP and a red flag gets both answers.
func SafetyReply(ctx workflow.Context, in ComplianceReplyInput) error {
	channel := in.Channel
	if channel == "" {
		channel = carepath.ChannelSMS
	}
	messageID := uuid.NewSHA1(carepath.NamespaceJourney, []byte("safety/"+in.InboundMessageID)).String()
	opts := sendOptions
	opts.TaskQueue = SendPriorityTaskQueue
	opts.ScheduleToCloseTimeout = time.Hour
	actx := workflow.WithActivityOptions(ctx, opts)
	if in.CaregiverID != "" {
		cr := activities.CaregiverReplyRequest{MessageID: messageID, CaregiverID: in.CaregiverID, Template: in.Template, Channel: channel}
		if err := workflow.ExecuteActivity(actx, acts.SendCaregiverReply, cr).Get(ctx, nil); err != nil {
			return fmt.Errorf("safety reply to caregiver: %w", err)
		}
		return nil
	}
	req := activities.SendMessageRequest{MessageID: messageID, PatientID: in.PatientID, Template: in.Template,
		Purpose: carepath.PurposeCompliance, Channel: channel, NoFallback: true}
	if err := workflow.ExecuteActivity(actx, acts.SendMessage, req).Get(ctx, nil); err != nil {
		return fmt.Errorf("safety reply: %w", err)
	}
	return nil
}

package workflows

import (
	"encoding/json"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/workflow"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/activities"
)

// RecordConsent records a consent decision the patient gave this journey
// (for example agreeing to outreach during onboarding).
func (j *J) RecordConsent(channel carepath.Channel, purpose carepath.Purpose, granted bool) error {
	req := activities.RecordConsentRequest{PatientID: j.in.PatientID, Channel: channel, Purpose: purpose,
		Granted: granted, Source: "journey:" + j.in.Journey}
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(j.ctx, recordOptions), acts.RecordConsent, req).Get(j.ctx, nil); err != nil {
		return fmt.Errorf("record consent: %w", err)
	}
	return nil
}

// RecordReplyConsent records a consent decision the patient gave this
// journey in a reply: it takes effect when that reply was received, so a
// STOP sent after the reply wins even if it is recorded first.
func (j *J) RecordReplyConsent(channel carepath.Channel, purpose carepath.Purpose, granted bool, replyMessageID string) error {
	req := activities.RecordConsentRequest{PatientID: j.in.PatientID, Channel: channel, Purpose: purpose,
		Granted: granted, Source: "journey:" + j.in.Journey, ReplyMessageID: replyMessageID}
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(j.ctx, recordOptions), acts.RecordConsent, req).Get(j.ctx, nil); err != nil {
		return fmt.Errorf("record consent: %w", err)
	}
	return nil
}

// UpdatePreferences changes the patient's language and/or preferred
// channel ("" keeps it); every journey honours it from the next message.
func (j *J) UpdatePreferences(locale string, channel carepath.Channel) error {
	req := activities.UpdatePreferencesRequest{PatientID: j.in.PatientID, Locale: locale, Channel: channel}
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(j.ctx, recordOptions), acts.UpdatePreferences, req).Get(j.ctx, nil); err != nil {
		return fmt.Errorf("update preferences: %w", err)
	}
	return nil
}

// SetOutcomeDetail records why the journey ends as it does (for example
// the reason a patient gave for declining); it is stored with the outcome.
func (j *J) SetOutcomeDetail(detail string) { j.detail = detail }

// StartJourney enrolls the patient in another journey, which runs on by
// itself (a patient already in it is not enrolled twice). params are the
// other journey's, validated by it when it runs.
func (j *J) StartJourney(journey string, params any) error {
	raw, err := json.Marshal(params)
	if err != nil {
		return fmt.Errorf("start %s: params: %w", journey, err)
	}
	id := j.nextID("enrollment")
	var res activities.CreateEnrollmentResult
	req := activities.CreateEnrollmentRequest{EnrollmentID: id, PatientID: j.in.PatientID, Journey: journey, Params: raw}
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(j.ctx, recordOptions), acts.CreateEnrollment, req).Get(j.ctx, &res); err != nil {
		return fmt.Errorf("start %s: %w", journey, err)
	}
	if !res.Start {
		return nil
	}
	ctx := workflow.WithChildOptions(j.ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            WorkflowID(id),
		TaskQueue:             TaskQueue,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	})
	child := workflow.ExecuteChildWorkflow(ctx, journey, Input{EnrollmentID: id, PatientID: j.in.PatientID, Journey: journey, Params: res.Params})
	if err := child.GetChildWorkflowExecution().Get(j.ctx, nil); err != nil {
		return fmt.Errorf("start %s: %w", journey, err)
	}
	return nil
}

// NotifyCaregiver tells the patient's authorised caregivers something (only
// those the patient authorised, each on their own consent, channel and
// language), waiting for the patient's send window if need be. It returns
// how many were told.
func (j *J) NotifyCaregiver(template string, vars ...Vars) (int, error) {
	req := activities.NotifyCaregiversRequest{PatientID: j.in.PatientID, EnrollmentID: j.in.EnrollmentID,
		Template: template, Vars: merge(vars), MessageIDBase: j.nextID("caregivers")}
	for {
		var res activities.NotifyCaregiversResult
		if err := workflow.ExecuteActivity(workflow.WithActivityOptions(j.ctx, sendOptions), acts.NotifyCaregivers, req).Get(j.ctx, &res); err != nil {
			return 0, fmt.Errorf("notify caregivers: %w", err)
		}
		if res.DeferredUntil == nil {
			return res.Notified, nil
		}
		if err := j.Sleep(max(res.DeferredUntil.Sub(workflow.Now(j.ctx)), time.Second)); err != nil {
			return 0, fmt.Errorf("notify caregivers: %w", err)
		}
	}
}

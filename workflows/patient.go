package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/activities"
)

// RecordConsent records a consent decision the patient gave in answer a
// (for example agreeing to outreach during onboarding), for every channel.
// It takes effect when that reply was received, so a STOP sent after the
// reply wins even if it is recorded first.
func (j *J) RecordConsent(purpose carepath.Purpose, granted bool, a Answer) {
	for _, ch := range carepath.Channels {
		req := activities.RecordConsentRequest{PatientID: j.in.PatientID, Channel: ch, Purpose: purpose,
			Granted: granted, Source: "journey:" + j.in.Journey, ReplyMessageID: a.MessageID}
		if err := workflow.ExecuteActivity(workflow.WithActivityOptions(j.ctx, recordOptions), acts.RecordConsent, req).Get(j.ctx, nil); err != nil {
			j.must(fmt.Errorf("record consent: %w", err))
		}
	}
}

// SetPreferredChannel changes the channel the patient is reached on; every
// journey honours it from the next message.
func (j *J) SetPreferredChannel(ch carepath.Channel) {
	j.updatePreferences(activities.UpdatePreferencesRequest{PatientID: j.in.PatientID, Channel: ch})
}

// SetLocale changes the patient's language ("en", "es"); every journey
// honours it from the next message.
func (j *J) SetLocale(locale string) {
	j.updatePreferences(activities.UpdatePreferencesRequest{PatientID: j.in.PatientID, Locale: locale})
}

func (j *J) updatePreferences(req activities.UpdatePreferencesRequest) {
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(j.ctx, recordOptions), acts.UpdatePreferences, req).Get(j.ctx, nil); err != nil {
		j.must(fmt.Errorf("update preferences: %w", err))
	}
}

// SetOutcomeDetail records why the journey ends as it does (for example
// the reason a patient gave for declining); it is stored with the outcome.
func (j *J) SetOutcomeDetail(detail string) { j.detail = detail }

// StartJourney enrolls the patient in journey d with params p (start from
// d.Defaults()); it runs on by itself, and a patient already in it is not
// enrolled twice. (A function, not a method: methods take no type
// parameters.)
func StartJourney[P any](j *J, d *Journey[P], p P) {
	params, err := d.changedParams(p)
	if err != nil {
		j.must(fmt.Errorf("start %s: params: %w", d.Name, err))
	}
	j.must(j.startJourney(d.Name, params))
}

// startJourney records the enrollment, then starts its journey as an
// abandoned child. params hold only what differs from the journey's
// defaults: the activity fills in the rest.
func (j *J) startJourney(journey string, params []byte) error {
	id := j.nextID("enrollment")
	var res activities.CreateEnrollmentResult
	req := activities.CreateEnrollmentRequest{EnrollmentID: id, PatientID: j.in.PatientID, Journey: journey, Params: params}
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(j.ctx, recordOptions), acts.CreateEnrollment, req).Get(j.ctx, &res); err != nil {
		return fmt.Errorf("start %s: %w", journey, err)
	}
	if !res.Start {
		return nil
	}
	ctx := workflow.WithChildOptions(j.ctx, JourneyChildOptions(id))
	child := workflow.ExecuteChildWorkflow(ctx, journey, Input{EnrollmentID: id, PatientID: j.in.PatientID, Journey: journey, Params: res.Params})
	if err := child.GetChildWorkflowExecution().Get(j.ctx, nil); err != nil {
		return fmt.Errorf("start %s: %w", journey, err)
	}
	return nil
}

// NotifyCaregiver tells the patient's authorised caregivers something (only
// those the patient authorised, each on their own consent, channel and
// language), waiting for the patient's send window if need be.
func (j *J) NotifyCaregiver(template string, vars ...Vars) {
	req := activities.NotifyCaregiversRequest{PatientID: j.in.PatientID, EnrollmentID: j.in.EnrollmentID,
		Template: template, Vars: merge(vars), MessageIDBase: j.nextID("caregivers")}
	for {
		var res activities.NotifyCaregiversResult
		if err := workflow.ExecuteActivity(workflow.WithActivityOptions(j.ctx, sendOptions), acts.NotifyCaregivers, req).Get(j.ctx, &res); err != nil {
			j.must(fmt.Errorf("notify caregivers: %w", err))
		}
		if res.DeferredUntil == nil {
			return
		}
		if err := j.sleep(max(res.DeferredUntil.Sub(workflow.Now(j.ctx)), time.Second)); err != nil {
			j.must(fmt.Errorf("notify caregivers: %w", err))
		}
	}
}

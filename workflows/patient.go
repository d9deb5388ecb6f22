package workflows

import (
	"fmt"

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

// RecordFeedback stores a survey score (e.g. satisfaction 0–10).
func (j *J) RecordFeedback(kind string, score int) {
	req := activities.RecordFeedbackRequest{FeedbackID: j.nextID("feedback"), PatientID: j.in.PatientID,
		EnrollmentID: j.in.EnrollmentID, Kind: kind, Score: score}
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(j.ctx, recordOptions), acts.RecordFeedback, req).Get(j.ctx, nil); err != nil {
		j.must(fmt.Errorf("record feedback: %w", err))
	}
}

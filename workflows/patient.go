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

// RecordProgramDeclined records that the patient declined program (the
// journey's name, e.g. "onboarding") in answer a, with the reason they
// chose ("" if none). It is not a consent change: declining a program is
// not revoking contact, and re-engagement reaches a decliner with care
// messages tied to care events (ProgramDeclined).
func (j *J) RecordProgramDeclined(program, reason string, a Answer) {
	req := activities.RecordProgramDeclinedRequest{DeclineID: j.nextID("decline"), PatientID: j.in.PatientID,
		EnrollmentID: j.in.EnrollmentID, Program: program, Reason: reason, ReplyMessageID: a.MessageID}
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(j.ctx, recordOptions), acts.RecordProgramDeclined, req).Get(j.ctx, nil); err != nil {
		j.must(fmt.Errorf("record program decline: %w", err))
	}
}

// ProgramDeclined reports whether the patient has declined a program and
// not come back since, and the reason they gave.
func (j *J) ProgramDeclined() (declined bool, reason string) {
	var res activities.ProgramDeclineResult
	req := activities.ProgramDeclineRequest{PatientID: j.in.PatientID}
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(j.ctx, recordOptions), acts.ProgramDecline, req).Get(j.ctx, &res); err != nil {
		j.must(fmt.Errorf("read program decline: %w", err))
	}
	return res.Declined, res.Reason
}

// RecordProgramReturn records that a decliner came back through this
// journey, at touch ("after_visit"): the engagement report counts it as
// the path that won them back. A patient with no open decline is left as is.
func (j *J) RecordProgramReturn(touch string) {
	req := activities.RecordProgramReturnRequest{PatientID: j.in.PatientID, EnrollmentID: j.in.EnrollmentID,
		Via: j.in.Journey + ":" + touch}
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(j.ctx, recordOptions), acts.RecordProgramReturn, req).Get(j.ctx, nil); err != nil {
		j.must(fmt.Errorf("record program return: %w", err))
	}
}

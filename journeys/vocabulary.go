package journeys

import (
	"github.com/carepath/carepath"
	"github.com/carepath/carepath/workflows"
)

// The words journeys share: the outcomes an enrollment ends with (stored
// with it, and reported on), and the choices several journeys offer.
// Journey-specific choices and task reasons stay with their journey.

// Outcomes. Changing one changes what reports and stored enrollments say.
const (
	// Onboarding.
	OutcomeEngaged = "engaged"
	// Onboarding and re-engagement: the patient said no (and, for
	// onboarding, also when they said STOP).
	OutcomeDeclined = "declined"
	// Re-engagement: a decliner who comes back.
	OutcomeReengaged = "reengaged"
	// Re-engagement's after-visit touch: the patient has no open program
	// decline (they came back meanwhile), so nothing was sent.
	OutcomeNotDeclined = "not_declined"
	// Post-visit check-in: how the patient feels.
	OutcomeBetter    = "better"
	OutcomeAboutSame = "about_the_same"
	OutcomeWorse     = "worse"
	// Any journey: a reply not understood even after one clarification;
	// the care team reviews it (a task holds the message).
	OutcomeNeedsReview = "needs_review"
	// Post-visit check-in, re-engagement's after-visit touch: the question
	// could not be delivered.
	OutcomeUndelivered = "undeliverable"
	// Treatment follow-up: the program ran its length.
	OutcomeProgramCompleted = "program_completed"
	// Any journey that asked and heard nothing back.
	OutcomeNoResponse = "no_response"
	// Any journey (but onboarding) the patient opted out of while asked.
	OutcomeOptedOut = "opted_out"
)

// Yes and no, as choice values.
const (
	ChoiceYes = "yes"
	ChoiceNo  = "no"
)

var yesNo = []workflows.Choice{
	{Value: ChoiceYes, Words: []string{"yes", "y", "ok", "sure", "si", "sí", "1"}},
	{Value: ChoiceNo, Words: []string{"no", "n", "not now", "2"}},
}

// channelChoices switch the channel a patient is reached on; each value is
// a carepath.Channel.
var channelChoices = []workflows.Choice{
	{Value: string(carepath.ChannelEmail), Words: []string{"email", "by email", "correo"}},
	{Value: string(carepath.ChannelSMS), Words: []string{"text", "texts", "sms", "mensajes"}},
}

// whyChoices are the reasons patients give for declining (onboarding) or
// staying away (re-engagement), each answered in its own way.
var whyChoices = []workflows.Choice{
	{Value: "cost", Words: []string{"1", "cost", "money", "price", "costo", "dinero"}},
	{Value: "doubt", Words: []string{"2", "not sure", "doubt", "no sirve", "dudas"}},
	{Value: "time", Words: []string{"3", "time", "busy", "tiempo", "ocupado"}},
	{Value: "access", Words: []string{"4", "transport", "access", "getting there", "transporte"}},
}

// Appointment reminders: what came of the reminders by the time the
// appointment started (or the journey ended).
const (
	// The patient confirmed (C).
	OutcomeConfirmed = "confirmed"
	// The patient cancelled (X).
	OutcomeCancelled = "cancelled"
	// The patient asked to reschedule (R): scheduling staff call.
	OutcomeRescheduleRequested = "reschedule_requested"
	// The EHR cancelled the appointment (or entered it in error).
	OutcomeAppointmentCancelled = "appointment_cancelled"
	// No reminder was due: the appointment had started, was too close to
	// place one outside quiet hours, or none was given.
	OutcomeNotReminded = "not_reminded"
)

package journeys

import (
	"slices"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/messaging"
	"github.com/carepath/carepath/workflows"
)

// OnboardingParams are the onboarding journey's settings.
type OnboardingParams struct {
	ReplyTimeout workflows.Duration `json:"reply_timeout" default:"48h" min:"1h" max:"336h" doc:"How long each question waits for an answer."`
	Reminders    int                `json:"reminders" default:"1" min:"0" max:"3" doc:"Reminders for the first question when unanswered."`
}

// Onboarding task reasons.
const (
	ReasonWrongContact  = "new patient says these contact details are not right: please confirm them"
	ReasonBarrierPrefix = "new patient reports a barrier to care: "
	// ReasonOnboardingUnclear: a reply not understood after one
	// clarification (for example "Who is this?").
	ReasonOnboardingUnclear = "new patient's onboarding reply not understood after one clarification: please review"
)

// contactChoices confirm the contact point, or switch channel.
var contactChoices = slices.Concat(channelChoices, yesNo)

var languageChoices = []workflows.Choice{
	{Value: "en", Words: []string{"1", "english", "ingles", "inglés"}},
	{Value: "es", Words: []string{"2", "spanish", "espanol", "español"}},
}

var goalChoices = []workflows.Choice{
	{Value: "condition", Words: []string{"1", "condition", "managing"}},
	{Value: "medications", Words: []string{"2", "medications", "meds", "medicamentos"}},
	{Value: "appointments", Words: []string{"3", "appointments", "visits", "citas"}},
	{Value: "wellbeing", Words: []string{"4", "feeling better", "wellbeing", "bienestar"}},
}

var barrierChoices = []workflows.Choice{
	{Value: "cost", Words: []string{"1", "cost", "money", "costo"}},
	{Value: "transport", Words: []string{"2", "transport", "rides", "transporte"}},
	{Value: "time", Words: []string{"3", "time", "tiempo"}},
	{Value: "none", Words: []string{"4", "nothing", "none", "nada"}},
}

// onboardingName is the journey's name, and the program a decliner declined.
const onboardingName = "onboarding"

// Onboarding welcomes a new patient: confirms how to reach them and in
// which language, asks for consent to outreach, learns their goals and
// barriers, and introduces the care team. It ends engaged; declined (with
// the reason, when given), recorded as a program decline apart from
// channel consent, so re-engagement reaches them after their next visit;
// needs_review when a reply is not understood even after clarifying (a
// task holds it); or no_response, which hands the patient to
// re-engagement.
var Onboarding = &workflows.Journey[OnboardingParams]{
	Name:        onboardingName,
	Version:     1,
	Description: "Welcomes a new patient: contact details and language, consent to outreach, goals and barriers, and an introduction to the care team.",
	Messages:    onboardingMessages,
	// The welcome, then the question confirming the contact point.
	Opening: func(OnboardingParams) workflows.Opening { return workflows.Opening{Messages: 2} },
	Run:     onboarding,
}

func onboarding(j *workflows.J, p OnboardingParams) (string, error) {
	if !j.Changed(changeOnboardingClarify) {
		return onboardingBeforeClarify(j, p)
	}
	// Every question clarifies a reply it does not understand once; what
	// is still not understood goes to the care team with the message.
	ask := func(key, template string, choices []workflows.Choice) workflows.Answer {
		a := j.Ask(workflows.Question{Key: key, Template: template, Choices: choices, Timeout: p.ReplyTimeout.D(),
			ClarifyTemplate: template + "_clarify"})
		if a.Unrecognised() {
			reviewUnrecognised(j, ReasonOnboardingUnclear, a)
		}
		return a
	}

	j.Step("welcome")
	j.Send("onboarding.welcome")

	j.Step("confirming_contact")
	contact := j.Ask(workflows.Question{
		Key: "contact", Template: "onboarding.confirm_contact", Choices: contactChoices,
		Timeout: p.ReplyTimeout.D(), Reminders: p.Reminders, ReminderTemplate: "onboarding.confirm_contact",
		ClarifyTemplate: "onboarding.confirm_contact_clarify",
	})
	switch {
	case contact.OptedOut():
		// STOP is an answer: respected, and not followed up with outreach.
		j.SetOutcomeDetail(workflows.ReasonOptedOut)
		return OutcomeDeclined, nil
	case contact.Unrecognised():
		// "Who is this?": they answered, so not no_response; a person
		// follows up with the message in hand.
		j.Step(OutcomeNeedsReview)
		reviewUnrecognised(j, ReasonOnboardingUnclear, contact)
		return OutcomeNeedsReview, nil
	case !contact.Answered():
		return onboardingEnds(j, OutcomeNoResponse, "")
	case contact.Choice == ChoiceNo:
		j.Escalate(workflows.Task{Priority: carepath.PriorityNormal, Reason: ReasonWrongContact, MessageID: contact.MessageID})
	case contact.Choice != ChoiceYes: // EMAIL or TEXT: reach them that way
		j.SetPreferredChannel(carepath.Channel(contact.Choice))
	}

	j.Step("choosing_language")
	if lang := ask("language", "onboarding.language", languageChoices); lang.Answered() {
		j.SetLocale(lang.Choice)
	}

	j.Step("asking_outreach_consent")
	consent := ask("outreach_consent", "onboarding.outreach_consent", yesNo)
	switch {
	case consent.Unrecognised(): // its task is raised: consent is not assumed
		j.Step(OutcomeNeedsReview)
		return OutcomeNeedsReview, nil
	case !consent.Answered():
		return onboardingEnds(j, OutcomeNoResponse, "")
	}
	// Effective when the reply arrived: a STOP sent after it wins.
	j.RecordConsent(carepath.PurposeOutreach, consent.Choice == ChoiceYes, consent)
	if consent.Choice == ChoiceNo {
		j.Step("asking_why_declined")
		why := ask("decline_reason", "onboarding.why_declined", whyChoices)
		j.Send("onboarding.respect_decline")
		// Declining the program is not revoking contact: recorded apart
		// from consent, so re-engagement can reach them about their care
		// (after a visit). Outreach re-engagement is not started: the
		// outreach consent they just refused would suppress every message.
		j.Step(OutcomeDeclined)
		j.RecordProgramDeclined(onboardingName, why.Choice, consent)
		j.SetOutcomeDetail(why.Choice)
		return OutcomeDeclined, nil
	}

	j.Step("asking_goals")
	if goal := ask("goal", "onboarding.goals", goalChoices); goal.Answered() {
		j.SetOutcomeDetail("goal:" + goal.Choice)
	}

	j.Step("asking_barriers")
	if barrier := ask("barrier", "onboarding.barriers", barrierChoices); barrier.Answered() && barrier.Choice != "none" {
		j.Escalate(workflows.Task{Priority: carepath.PriorityNormal, Reason: ReasonBarrierPrefix + barrier.Choice, MessageID: barrier.MessageID})
	}

	j.Step("introducing_care_team")
	j.Send("onboarding.team_intro")
	// A patient who had declined before and now joins is a decliner won back.
	j.RecordProgramReturn("enrolled")
	return OutcomeEngaged, nil
}

// onboardingEnds closes a declined or silent onboarding by handing the
// patient to re-engagement, gently and later.
func onboardingEnds(j *workflows.J, outcome, reason string) (string, error) {
	j.Step(outcome)
	j.SetOutcomeDetail(reason)
	workflows.StartJourney(j, Reengagement, Reengagement.Defaults())
	return outcome, nil
}

var onboardingMessages = map[string]map[string]messaging.Text{
	"onboarding.welcome": {
		"en": {Subject: "Welcome to your care team", Body: "Hi {{.given_name}}, welcome! This is your care team. We'll check in by text between visits. Reply STOP anytime to opt out."},
		"es": {Subject: "Bienvenido/a a su equipo de atención", Body: "Hola {{.given_name}}, ¡bienvenido/a! Somos su equipo de atención. Le escribiremos entre visitas. Responda STOP para cancelar."},
	},
	"onboarding.confirm_contact": {
		"en": {Subject: "Is this the best way to reach you?", Body: "Is this the best way to reach you? Reply YES, NO, or EMAIL or TEXT to change how we reach you."},
		"es": {Subject: "¿Es la mejor forma de contactarle?", Body: "¿Es esta la mejor forma de contactarle? Responda SI, NO, o CORREO o MENSAJES para cambiarla."},
	},
	"onboarding.confirm_contact_clarify": {
		"en": {Subject: "This is your care team", Body: "Sorry, we didn't understand. This is your care team's number. Is it the best way to reach you? Reply YES, NO, EMAIL or TEXT."},
		"es": {Subject: "Somos su equipo de atención", Body: "Perdón, no entendimos. Somos su equipo de atención. ¿Es esta la mejor forma de contactarle? Responda SI, NO, CORREO o MENSAJES."},
	},
	"onboarding.language": {
		"en": {Subject: "Your language", Body: "Which language do you prefer? Reply 1 English, 2 Español."},
		"es": {Subject: "Su idioma", Body: "¿Qué idioma prefiere? Responda 1 English, 2 Español."},
	},
	"onboarding.language_clarify": {
		"en": {Subject: "Sorry, we didn't catch that", Body: "Sorry, we didn't understand. Reply 1 for English or 2 for Español."},
		"es": {Subject: "Perdón, no entendimos", Body: "Perdón, no entendimos. Responda 1 para English o 2 para Español."},
	},
	"onboarding.outreach_consent": {
		"en": {Subject: "Check-ins and tips", Body: "May we also send occasional check-ins and health tips (at most 3 a week)? Reply YES or NO."},
		"es": {Subject: "Mensajes y consejos", Body: "¿Podemos enviarle mensajes de seguimiento y consejos de salud (máximo 3 por semana)? Responda SI o NO."},
	},
	"onboarding.outreach_consent_clarify": {
		"en": {Subject: "Sorry, we didn't catch that", Body: "Sorry, we didn't understand. May we send occasional check-ins and tips? Reply YES or NO."},
		"es": {Subject: "Perdón, no entendimos", Body: "Perdón, no entendimos. ¿Podemos enviarle mensajes y consejos de vez en cuando? Responda SI o NO."},
	},
	"onboarding.why_declined": {
		"en": {Subject: "One last question", Body: "Understood. If you don't mind, what's the main reason? Reply 1 cost, 2 not sure it helps, 3 no time, 4 hard to get here."},
		"es": {Subject: "Una última pregunta", Body: "Entendido. Si no le molesta, ¿cuál es el motivo? Responda 1 costo, 2 dudas, 3 tiempo, 4 transporte."},
	},
	"onboarding.why_declined_clarify": {
		"en": {Subject: "Sorry, we didn't catch that", Body: "Sorry, we didn't understand. Reply 1 cost, 2 not sure it helps, 3 no time, 4 hard to get here."},
		"es": {Subject: "Perdón, no entendimos", Body: "Perdón, no entendimos. Responda 1 costo, 2 dudas, 3 tiempo, 4 transporte."},
	},
	"onboarding.respect_decline": {
		"en": {Subject: "Thank you", Body: "Thank you for letting us know. We'll only contact you about your care. You can text us anytime."},
		"es": {Subject: "Gracias", Body: "Gracias por decirnos. Solo le contactaremos sobre su atención. Puede escribirnos cuando quiera."},
	},
	"onboarding.goals": {
		"en": {Subject: "Your goals", Body: "What matters most to you right now? Reply 1 managing a condition, 2 medications, 3 appointments, 4 feeling better day to day."},
		"es": {Subject: "Sus metas", Body: "¿Qué es lo más importante para usted ahora? Responda 1 una condición, 2 medicamentos, 3 citas, 4 sentirse mejor."},
	},
	"onboarding.goals_clarify": {
		"en": {Subject: "Sorry, we didn't catch that", Body: "Sorry, we didn't understand. Reply 1 a condition, 2 medications, 3 appointments, 4 feeling better."},
		"es": {Subject: "Perdón, no entendimos", Body: "Perdón, no entendimos. Responda 1 una condición, 2 medicamentos, 3 citas, 4 sentirse mejor."},
	},
	"onboarding.barriers": {
		"en": {Subject: "Anything in the way?", Body: "Is anything making care hard for you? Reply 1 cost, 2 transport, 3 time, 4 nothing."},
		"es": {Subject: "¿Algún obstáculo?", Body: "¿Algo le dificulta recibir atención? Responda 1 costo, 2 transporte, 3 tiempo, 4 nada."},
	},
	"onboarding.barriers_clarify": {
		"en": {Subject: "Sorry, we didn't catch that", Body: "Sorry, we didn't understand. Reply 1 cost, 2 transport, 3 time, 4 nothing."},
		"es": {Subject: "Perdón, no entendimos", Body: "Perdón, no entendimos. Responda 1 costo, 2 transporte, 3 tiempo, 4 nada."},
	},
	"onboarding.team_intro": {
		"en": {Subject: "Meet your care team", Body: "Thank you! Your care team of nurses and coordinators is here for you. Text this number anytime; for emergencies call 911."},
		"es": {Subject: "Conozca a su equipo", Body: "¡Gracias! Su equipo de enfermeras y coordinadores está aquí para usted. Escriba a este número; en emergencias llame al 911."},
	},
}

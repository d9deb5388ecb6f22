package journeys

import (
	"github.com/carepath/carepath"
	"github.com/carepath/carepath/activities"
	"github.com/carepath/carepath/messaging"
	"github.com/carepath/carepath/workflows"
)

// OnboardingParams are the onboarding journey's settings.
type OnboardingParams struct {
	ReplyTimeout workflows.Duration `json:"reply_timeout" default:"48h" min:"1h" max:"336h" doc:"How long each question waits for an answer."`
	Reminders    int                `json:"reminders" default:"1" min:"0" max:"3" doc:"Reminders for the first question when unanswered."`
}

// Onboarding outcomes.
const (
	OutcomeEngaged      = "engaged"
	OutcomeDeclined     = "declined"
	ReasonWrongContact  = "new patient says these contact details are not right: please confirm them"
	ReasonBarrierPrefix = "new patient reports a barrier to care: "
	ReengagementJourney = "reengagement"
)

// contactChoices confirm the contact point, or switch channel.
var contactChoices = append([]workflows.Choice{
	{Value: "email", Words: []string{"email", "by email", "correo"}},
	{Value: "sms", Words: []string{"text", "texts", "sms", "mensajes"}},
}, yesNo...)

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

// Onboarding welcomes a new patient: confirms how to reach them and in
// which language, asks for consent to outreach, learns their goals and
// barriers, and introduces the care team. It ends engaged, declined (with
// the reason, when given) or no_response; the last two hand the patient
// to re-engagement.
var Onboarding = &workflows.Journey[OnboardingParams]{
	Name:        "onboarding",
	Version:     1,
	Description: "Welcomes a new patient: contact details and language, consent to outreach, goals and barriers, and an introduction to the care team.",
	Messages:    onboardingMessages,
	Run:         onboarding,
}

func onboarding(j *workflows.J, p OnboardingParams) (string, error) {
	j.Step("welcome")
	if _, err := j.Send("onboarding.welcome"); err != nil {
		return "", err
	}

	j.Step("confirming_contact")
	contact, err := j.Ask(workflows.Question{
		Key: "contact", Template: "onboarding.confirm_contact", Choices: contactChoices,
		Timeout: p.ReplyTimeout.D(), Reminders: p.Reminders, ReminderTemplate: "onboarding.confirm_contact",
	})
	if err != nil {
		return "", err
	}
	if contact.Undelivered && contact.Reason == activities.ReasonOptedOut {
		// STOP is an answer: respected, and not followed up with outreach.
		j.SetOutcomeDetail(activities.ReasonOptedOut)
		return OutcomeDeclined, nil
	}
	if !contact.Answered() {
		return onboardingEnds(j, OutcomeNoResponse, "")
	}
	switch contact.Choice {
	case "no":
		if _, err := j.Escalate(workflows.Task{Priority: carepath.PriorityNormal, Reason: ReasonWrongContact, MessageID: contact.MessageID}); err != nil {
			return "", err
		}
	case "email", "sms":
		if err := j.UpdatePreferences("", carepath.Channel(contact.Choice)); err != nil {
			return "", err
		}
	}

	j.Step("choosing_language")
	lang, err := j.Ask(workflows.Question{Key: "language", Template: "onboarding.language", Choices: languageChoices, Timeout: p.ReplyTimeout.D()})
	if err != nil {
		return "", err
	}
	if lang.Answered() {
		if err := j.UpdatePreferences(lang.Choice, ""); err != nil {
			return "", err
		}
	}

	j.Step("asking_outreach_consent")
	consent, err := j.Ask(workflows.Question{Key: "outreach_consent", Template: "onboarding.outreach_consent", Choices: yesNo, Timeout: p.ReplyTimeout.D()})
	if err != nil {
		return "", err
	}
	if !consent.Answered() {
		return onboardingEnds(j, OutcomeNoResponse, "")
	}
	// Effective when the reply arrived: a STOP sent after it wins. (Only
	// the activity's input changes: replay-safe.)
	if err := j.RecordReplyConsent(carepath.ChannelSMS, carepath.PurposeOutreach, consent.Choice == "yes", consent.MessageID); err != nil {
		return "", err
	}
	if err := j.RecordReplyConsent(carepath.ChannelEmail, carepath.PurposeOutreach, consent.Choice == "yes", consent.MessageID); err != nil {
		return "", err
	}
	if consent.Choice == "no" {
		j.Step("asking_why_declined")
		why, err := j.Ask(workflows.Question{Key: "decline_reason", Template: "onboarding.why_declined", Choices: whyChoices, Timeout: p.ReplyTimeout.D()})
		if err != nil {
			return "", err
		}
		if _, err := j.Send("onboarding.respect_decline"); err != nil {
			return "", err
		}
		return onboardingEnds(j, OutcomeDeclined, why.Choice)
	}

	j.Step("asking_goals")
	goal, err := j.Ask(workflows.Question{Key: "goal", Template: "onboarding.goals", Choices: goalChoices, Timeout: p.ReplyTimeout.D()})
	if err != nil {
		return "", err
	}
	if goal.Answered() {
		j.SetOutcomeDetail("goal:" + goal.Choice)
	}

	j.Step("asking_barriers")
	barrier, err := j.Ask(workflows.Question{Key: "barrier", Template: "onboarding.barriers", Choices: barrierChoices, Timeout: p.ReplyTimeout.D()})
	if err != nil {
		return "", err
	}
	if barrier.Answered() && barrier.Choice != "none" {
		if _, err := j.Escalate(workflows.Task{Priority: carepath.PriorityNormal, Reason: ReasonBarrierPrefix + barrier.Choice, MessageID: barrier.MessageID}); err != nil {
			return "", err
		}
	}

	j.Step("introducing_care_team")
	if _, err := j.Send("onboarding.team_intro"); err != nil {
		return "", err
	}
	return OutcomeEngaged, nil
}

// onboardingEnds closes a declined or silent onboarding by handing the
// patient to re-engagement, gently and later.
func onboardingEnds(j *workflows.J, outcome, reason string) (string, error) {
	j.Step(outcome)
	j.SetOutcomeDetail(reason)
	if err := j.StartJourney(ReengagementJourney, map[string]any{}); err != nil {
		return "", err
	}
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
	"onboarding.language": {
		"en": {Subject: "Your language", Body: "Which language do you prefer? Reply 1 English, 2 Español."},
		"es": {Subject: "Su idioma", Body: "¿Qué idioma prefiere? Responda 1 English, 2 Español."},
	},
	"onboarding.outreach_consent": {
		"en": {Subject: "Check-ins and tips", Body: "May we also send occasional check-ins and health tips (at most 3 a week)? Reply YES or NO."},
		"es": {Subject: "Mensajes y consejos", Body: "¿Podemos enviarle mensajes de seguimiento y consejos de salud (máximo 3 por semana)? Responda SI o NO."},
	},
	"onboarding.why_declined": {
		"en": {Subject: "One last question", Body: "Understood. If you don't mind, what's the main reason? Reply 1 cost, 2 not sure it helps, 3 no time, 4 hard to get here."},
		"es": {Subject: "Una última pregunta", Body: "Entendido. Si no le molesta, ¿cuál es el motivo? Responda 1 costo, 2 dudas, 3 tiempo, 4 transporte."},
	},
	"onboarding.respect_decline": {
		"en": {Subject: "Thank you", Body: "Thank you for letting us know. We'll only contact you about your care. You can text us anytime."},
		"es": {Subject: "Gracias", Body: "Gracias por decirnos. Solo le contactaremos sobre su atención. Puede escribirnos cuando quiera."},
	},
	"onboarding.goals": {
		"en": {Subject: "Your goals", Body: "What matters most to you right now? Reply 1 managing a condition, 2 medications, 3 appointments, 4 feeling better day to day."},
		"es": {Subject: "Sus metas", Body: "¿Qué es lo más importante para usted ahora? Responda 1 una condición, 2 medicamentos, 3 citas, 4 sentirse mejor."},
	},
	"onboarding.barriers": {
		"en": {Subject: "Anything in the way?", Body: "Is anything making care hard for you? Reply 1 cost, 2 transport, 3 time, 4 nothing."},
		"es": {Subject: "¿Algún obstáculo?", Body: "¿Algo le dificulta recibir atención? Responda 1 costo, 2 transporte, 3 tiempo, 4 nada."},
	},
	"onboarding.team_intro": {
		"en": {Subject: "Meet your care team", Body: "Thank you! Your care team of nurses and coordinators is here for you. Text this number anytime; for emergencies call 911."},
		"es": {Subject: "Conozca a su equipo", Body: "¡Gracias! Su equipo de enfermeras y coordinadores está aquí para usted. Escriba a este número; en emergencias llame al 911."},
	},
}

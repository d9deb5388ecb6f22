package journeys

import (
	"encoding/json"
	"fmt"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/messaging"
	"github.com/carepath/carepath/workflows"
)

// ReengagementParams are the re-engagement journey's settings. Defaults
// follow the gentle cadence outreach teams use with decliners: three tries,
// two weeks apart, mid-morning local time.
type ReengagementParams struct {
	Attempts     int                `json:"attempts" default:"3" min:"1" max:"6" doc:"How many times to reach out before stopping."`
	Spacing      workflows.Duration `json:"spacing" default:"336h" min:"24h" max:"1440h" doc:"Time between attempts (the first one waits too)."`
	ReplyTimeout workflows.Duration `json:"reply_timeout" default:"168h" min:"1h" max:"720h" doc:"How long each attempt waits for an answer."`
	FirstAttempt string             `json:"first_attempt" default:"scheduled" enum:"scheduled|now|after_visit" doc:"now: reach out at once (a missed appointment); scheduled: after the spacing, at 10:00 local; after_visit: one care message to a patient who declined the program, offering a nurse's call (the post-visit check-in starts it)."`
	TouchDelay   workflows.Duration `json:"touch_delay" default:"24h" min:"0s" max:"336h" doc:"after_visit: wait before the message (then 10:00 local); 0s: at once."`
}

// touchAfterVisit is the first_attempt of the after-visit touch, and the
// path it records when it wins a decliner back.
const touchAfterVisit = "after_visit"

// Re-engagement task reasons.
const (
	// ReasonReengaged is the task raised for a decliner who comes back.
	ReasonReengaged = "patient who had declined wants to re-engage: please reach out"
	// ReasonDeclinerNurseCall: a decliner accepted the after-visit offer.
	ReasonDeclinerNurseCall = "patient who had declined the program asked for a call with a nurse after a visit: please call"
	// ReasonReengagementUnclear: a reply not understood after one clarification.
	ReasonReengagementUnclear = "re-engagement reply not understood after one clarification: please review"
)

// Reengagement reaches back out to patients who declined or dropped out:
// spaced and gentle, a different angle each time (ask why, then an offer
// that needs no sign-up), answering the reason they give, stopping at once
// if they opt out. A decliner who comes back ends "reengaged" — the number
// the care team cares about most. A patient who declined the program is
// reached instead by one care message after a visit (after_visit), which
// records the touch that won them back.
var Reengagement = &workflows.Journey[ReengagementParams]{
	Name:        "reengagement",
	Version:     1,
	Description: "Wins back patients who declined or dropped out: spaced, gentle outreach that answers their reason, with an offer that needs no sign-up; for a program decliner, one care message after a visit offering a nurse's call.",
	Messages:    reengagementMessages,
	// A missed appointment is followed up the same day.
	Triggers: []workflows.Trigger{{Event: "appointment.missed", Params: func(map[string]any) json.RawMessage {
		return json.RawMessage(`{"first_attempt":"now"}`)
	}}},
	// The first angle's question (outreach); after a visit, the nurse-call
	// offer (care), sent only to a patient who declined the program.
	Opening: func(p ReengagementParams) workflows.Opening {
		if p.FirstAttempt == touchAfterVisit {
			return workflows.Opening{Messages: 1, Purpose: carepath.PurposeCare}
		}
		return workflows.Opening{Messages: 1, Purpose: carepath.PurposeOutreach}
	},
	Run: reengagement,
}

func reengagement(j *workflows.J, p ReengagementParams) (string, error) {
	if !j.Changed(changeReengagementClarify) {
		return reengagementBeforeClarify(j, p)
	}
	if p.FirstAttempt == touchAfterVisit {
		return reengageAfterVisit(j, p)
	}
	for attempt := 1; attempt <= p.Attempts; attempt++ {
		if attempt > 1 || p.FirstAttempt != "now" {
			j.Step(fmt.Sprintf("waiting_before_attempt_%d", attempt))
			j.Sleep(p.Spacing.D())
			j.SleepUntilLocal(10, 0)
		}

		j.Step(fmt.Sprintf("attempt_%d", attempt))
		why := j.Ask(workflows.Question{
			Key: "why", Template: angle(attempt), Choices: whyChoices,
			Timeout: p.ReplyTimeout.D(), ClarifyTemplate: "reengagement.why_clarify", Purpose: carepath.PurposeOutreach,
		})
		switch {
		case why.OptedOut():
			return OutcomeOptedOut, nil
		case why.Unrecognised():
			return reengagementUnclear(j, why)
		case !why.Answered():
			continue // try again later, from another angle
		}

		j.Step("answering_reason")
		j.SetOutcomeDetail(why.Choice)
		back := j.Ask(workflows.Question{
			Key: "come_back", Template: "reengagement.answer_" + why.Choice, Choices: yesNo,
			Timeout: p.ReplyTimeout.D(), ClarifyTemplate: "reengagement.come_back_clarify", Purpose: carepath.PurposeOutreach,
		})
		switch {
		case back.OptedOut():
			return OutcomeOptedOut, nil
		case back.Unrecognised():
			return reengagementUnclear(j, back)
		case back.Choice == ChoiceYes:
			j.Step("reengaged")
			j.Escalate(workflows.Task{Priority: carepath.PriorityHigh, Reason: ReasonReengaged, MessageID: back.MessageID})
			j.Send("reengagement.welcome_back")
			return OutcomeReengaged, nil
		case back.Choice == ChoiceNo:
			j.SendOutreach("reengagement.door_open")
			return OutcomeDeclined, nil
		}
	}
	return OutcomeNoResponse, nil
}

// reengageAfterVisit is the touch for a patient who declined the program:
// after a visit, a care message asking how they are and offering one
// concrete help, a call with a nurse. It is care, not outreach: it needs
// the care consent the decliner kept, not the outreach they refused, and
// it goes out in the daytime (quiet hours). A patient who has come back
// meanwhile is not asked.
func reengageAfterVisit(j *workflows.J, p ReengagementParams) (string, error) {
	if p.TouchDelay.D() > 0 {
		j.Step("waiting_after_visit")
		j.Sleep(p.TouchDelay.D())
		j.SleepUntilLocal(10, 0)
	}
	if declined, _ := j.ProgramDeclined(); !declined {
		return OutcomeNotDeclined, nil
	}

	j.Step("offering_nurse_call")
	help := j.Ask(workflows.Question{
		Key: "nurse_call", Template: "reengagement.after_visit", Choices: yesNo,
		Timeout: p.ReplyTimeout.D(), ClarifyTemplate: "reengagement.after_visit_clarify",
	})
	switch {
	case help.OptedOut():
		return OutcomeOptedOut, nil
	case help.Unrecognised():
		return reengagementUnclear(j, help)
	case help.Undelivered():
		return OutcomeUndelivered, nil
	case !help.Answered():
		return OutcomeNoResponse, nil
	case help.Choice == ChoiceNo:
		j.Send("reengagement.after_visit_no")
		return OutcomeDeclined, nil
	}
	j.Step("reengaged")
	j.RecordProgramReturn(touchAfterVisit)
	j.Escalate(workflows.Task{Priority: carepath.PriorityHigh, Reason: ReasonDeclinerNurseCall, MessageID: help.MessageID})
	j.Send("reengagement.nurse_will_call")
	return OutcomeReengaged, nil
}

// reengagementUnclear ends re-engagement with a reply not understood after
// one clarification: a person reads it (the task holds it) rather than the
// journey asking on, or treating an answer as silence.
func reengagementUnclear(j *workflows.J, a workflows.Answer) (string, error) {
	j.Step(OutcomeNeedsReview)
	reviewUnrecognised(j, ReasonReengagementUnclear, a)
	return OutcomeNeedsReview, nil
}

// angle is each attempt's opening: ask why, then the no-sign-up offer,
// then a last, lighter note.
func angle(attempt int) string {
	switch attempt {
	case 1:
		return "reengagement.ask_why"
	case 2:
		return "reengagement.no_signup_offer"
	default:
		return "reengagement.last_note"
	}
}

var reengagementMessages = map[string]map[string]messaging.Text{
	"reengagement.ask_why": {
		"en": {Subject: "We're still here for you", Body: "Hi {{.given_name}}, it's your care team. We'd still like to help. What gets in the way? Reply 1 cost, 2 not sure it helps, 3 no time, 4 hard to get here."},
		"es": {Subject: "Seguimos aquí para usted", Body: "Hola {{.given_name}}, su equipo de atención quiere ayudarle. ¿Qué se lo impide? Responda 1 costo, 2 dudas, 3 tiempo, 4 transporte."},
	},
	"reengagement.no_signup_offer": {
		"en": {Subject: "No appointment needed", Body: "You can text us any health question, no appointment or sign-up needed. What has made it hard? Reply 1 cost, 2 not sure it helps, 3 no time, 4 hard to get here."},
		"es": {Subject: "Sin cita", Body: "Puede escribirnos cualquier pregunta de salud, sin cita ni registro. ¿Qué se lo ha dificultado? Responda 1 costo, 2 dudas, 3 tiempo, 4 transporte."},
	},
	"reengagement.last_note": {
		"en": {Subject: "Our door is open", Body: "Just a note that our door is open whenever you're ready. If something is in the way, reply 1 cost, 2 not sure it helps, 3 no time, 4 hard to get here."},
		"es": {Subject: "Nuestra puerta está abierta", Body: "Solo queremos decirle que estamos aquí cuando lo necesite. Si algo se lo impide, responda 1 costo, 2 dudas, 3 tiempo, 4 transporte."},
	},
	"reengagement.why_clarify": {
		"en": {Subject: "Sorry, we didn't catch that", Body: "Sorry, we didn't understand. Reply 1 cost, 2 not sure it helps, 3 no time, 4 hard to get here."},
		"es": {Subject: "Perdón, no entendimos", Body: "Perdón, no entendimos. Responda 1 costo, 2 dudas, 3 tiempo, 4 transporte."},
	},
	"reengagement.come_back_clarify": {
		"en": {Subject: "Sorry, we didn't catch that", Body: "Sorry, we didn't understand. Please reply YES or NO."},
		"es": {Subject: "Perdón, no entendimos", Body: "Perdón, no entendimos. Responda SI o NO."},
	},
	"reengagement.after_visit": {
		"en": {Subject: "How are you doing?", Body: "Hi {{.given_name}}, it's your care team. How are you doing since your visit? Would a short call with a nurse help? Reply YES or NO."},
		"es": {Subject: "¿Cómo está?", Body: "Hola {{.given_name}}, somos su equipo de atención. ¿Cómo está tras su visita? ¿Le ayudaría una llamada de una enfermera? Responda SI o NO."},
	},
	"reengagement.after_visit_clarify": {
		"en": {Subject: "Sorry, we didn't catch that", Body: "Sorry, we didn't understand. Would you like a call with a nurse? Reply YES or NO."},
		"es": {Subject: "Perdón, no entendimos", Body: "Perdón, no entendimos. ¿Quiere una llamada de una enfermera? Responda SI o NO."},
	},
	"reengagement.after_visit_no": {
		"en": {Subject: "We're here for you", Body: "Understood. Take care, and text us anytime if you need us."},
		"es": {Subject: "Aquí estamos", Body: "Entendido. Cuídese, y escríbanos cuando nos necesite."},
	},
	"reengagement.nurse_will_call": {
		"en": {Subject: "A nurse will call you", Body: "Thank you! A nurse will call you within one business day. If this is an emergency, call 911."},
		"es": {Subject: "Una enfermera le llamará", Body: "¡Gracias! Una enfermera le llamará en un día hábil. Si es una emergencia, llame al 911."},
	},
	"reengagement.answer_cost": {
		"en": {Subject: "Help with costs", Body: "Thank you for telling us. Our financial counselors can help with costs and payment plans. Would you like us to connect you? Reply YES or NO."},
		"es": {Subject: "Ayuda con los costos", Body: "Gracias por decirnos. Nuestros asesores financieros pueden ayudarle con costos y planes de pago. ¿Quiere que le contactemos? Responda SI o NO."},
	},
	"reengagement.answer_doubt": {
		"en": {Subject: "What to expect", Body: "That's a fair question. Patients who keep in touch with their care team catch problems earlier. Would you like a nurse to answer your questions? Reply YES or NO."},
		"es": {Subject: "Qué esperar", Body: "Es una pregunta justa. Quienes siguen en contacto con su equipo detectan problemas antes. ¿Quiere que una enfermera responda sus dudas? Responda SI o NO."},
	},
	"reengagement.answer_time": {
		"en": {Subject: "It can be quick", Body: "We understand. Our check-ins take a minute by text, and video visits fit around work. Would you like us to set one up? Reply YES or NO."},
		"es": {Subject: "Puede ser rápido", Body: "Lo entendemos. Nuestros mensajes toman un minuto y las videoconsultas se adaptan a su horario. ¿Quiere que le agendemos una? Responda SI o NO."},
	},
	"reengagement.answer_access": {
		"en": {Subject: "Care closer to you", Body: "We can do video visits, and some plans cover rides to appointments. Would you like us to help arrange one? Reply YES or NO."},
		"es": {Subject: "Atención más cerca", Body: "Ofrecemos videoconsultas, y algunos planes cubren el transporte a las citas. ¿Quiere que le ayudemos a organizarlo? Responda SI o NO."},
	},
	"reengagement.welcome_back": {
		"en": {Subject: "Welcome back", Body: "Wonderful! Someone from your care team will contact you within one business day."},
		"es": {Subject: "Bienvenido/a de nuevo", Body: "¡Excelente! Alguien de su equipo de atención le contactará en un día hábil."},
	},
	"reengagement.door_open": {
		"en": {Subject: "We're here when you're ready", Body: "Understood. We won't push. Text us anytime if you change your mind."},
		"es": {Subject: "Aquí estamos", Body: "Entendido. No insistiremos. Escríbanos cuando quiera si cambia de opinión."},
	},
}

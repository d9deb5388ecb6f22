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
	FirstAttempt string             `json:"first_attempt" default:"scheduled" enum:"scheduled|now" doc:"now: reach out at once (a missed appointment); scheduled: after the spacing, at 10:00 local."`
}

// ReasonReengaged is the task raised for a decliner who comes back.
const ReasonReengaged = "patient who had declined wants to re-engage: please reach out"

// Reengagement reaches back out to patients who declined or dropped out:
// spaced and gentle, a different angle each time (ask why, then an offer
// that needs no sign-up), answering the reason they give, stopping at once
// if they opt out. A decliner who comes back ends "reengaged" — the number
// the care team cares about most.
var Reengagement = &workflows.Journey[ReengagementParams]{
	Name:        "reengagement",
	Version:     1,
	Description: "Wins back patients who declined or dropped out: spaced, gentle outreach that answers their reason, with an offer that needs no sign-up.",
	Messages:    reengagementMessages,
	// A missed appointment is followed up the same day.
	Triggers: []workflows.Trigger{{Event: "appointment.missed", Params: func(map[string]any) json.RawMessage {
		return json.RawMessage(`{"first_attempt":"now"}`)
	}}},
	Run: reengagement,
}

func reengagement(j *workflows.J, p ReengagementParams) (string, error) {
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
		if why.OptedOut() {
			return OutcomeOptedOut, nil
		}
		if !why.Answered() {
			continue // try again later, from another angle
		}

		j.Step("answering_reason")
		j.SetOutcomeDetail(why.Choice)
		back := j.Ask(workflows.Question{
			Key: "come_back", Template: "reengagement.answer_" + why.Choice, Choices: yesNo,
			Timeout: p.ReplyTimeout.D(), Purpose: carepath.PurposeOutreach,
		})
		switch back.Choice {
		case ChoiceYes:
			j.Step("reengaged")
			j.Escalate(workflows.Task{Priority: carepath.PriorityHigh, Reason: ReasonReengaged, MessageID: back.MessageID})
			j.Send("reengagement.welcome_back")
			return OutcomeReengaged, nil
		case ChoiceNo:
			j.SendOutreach("reengagement.door_open")
			return OutcomeDeclined, nil
		}
	}
	return OutcomeNoResponse, nil
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
		"es": {Subject: "Seguimos aquí para usted", Body: "Hola {{.given_name}}, le saluda su equipo de atención. Queremos ayudarle. ¿Qué se lo impide? Responda 1 costo, 2 dudas, 3 tiempo, 4 transporte."},
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

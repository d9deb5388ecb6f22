package journeys

import (
	"github.com/carepath/carepath"
	"github.com/carepath/carepath/messaging"
	"github.com/carepath/carepath/workflows"
)

// PostVisitParams are the post-visit check-in's settings. Defaults follow
// common practice: ask three days after the visit, give a day to answer,
// remind once.
type PostVisitParams struct {
	Delay        workflows.Duration `json:"delay" default:"72h" min:"0s" max:"720h" doc:"Wait after the visit before asking how the patient feels."`
	ReplyTimeout workflows.Duration `json:"reply_timeout" default:"24h" min:"1m" max:"168h" doc:"How long to wait for an answer after asking and after each reminder."`
	Reminders    int                `json:"reminders" default:"1" min:"0" max:"3" doc:"Reminders sent when the patient has not answered."`
	// A day after the check-in keeps the touch off the check-in's own day.
	DeclinerTouchDelay workflows.Duration `json:"decliner_touch_delay" default:"24h" min:"0s" max:"336h" doc:"For a patient who declined the program: wait after this check-in before re-engagement offers a nurse's call (then 10:00 local; 0s: at once)."`
}

// Post-visit check-in task reasons.
const (
	ReasonWorse         = "patient reports feeling worse after visit"
	ReasonNoResponse    = "no response to post-visit check-in: please follow up"
	ReasonNeedsReview   = "post-visit reply not understood: please review"
	ReasonUndeliverable = "post-visit check-in could not be delivered: contact details need checking"
	ReasonCallRequested = "patient asked to talk to the care team after visit"
	// Replies not understood after one clarification.
	ReasonCallOfferUnclear    = "post-visit reply to the call offer not understood: please review"
	ReasonSatisfactionUnclear = "post-visit satisfaction reply not understood: please review"
)

var feelingChoices = []workflows.Choice{
	{Value: OutcomeBetter, Words: []string{"1", "better", "good", "great", "mejor", "bien"}},
	{Value: OutcomeAboutSame, Words: []string{"2", "same", "about the same", "ok", "okay", "igual"}},
	{Value: OutcomeWorse, Words: []string{"3", "worse", "bad", "awful", "peor", "mal"}},
}

var callChoices = []workflows.Choice{
	{Value: "call", Words: []string{"call", "yes", "llamar", "si", "sí"}},
	{Value: ChoiceNo, Words: []string{"no", "no thanks", "no gracias"}},
}

// PostVisitCheckin asks how the patient feels some days after a visit and
// routes the answer: better → satisfaction survey; about the same →
// self-care tips and an offer to talk; worse → urgent task for a nurse;
// silence → follow-up task; a reply not understood after one clarification
// → a task holding it. A program decliner who answered is then offered a
// nurse's call by re-engagement.
var PostVisitCheckin = &workflows.Journey[PostVisitParams]{
	Name:        "post_visit_checkin",
	Version:     1,
	Description: "Checks in after a visit: how the patient feels, a satisfaction score, and a nurse call for anyone feeling worse.",
	Messages:    postVisitMessages,
	// A completed appointment starts one check-in per visit; the event's
	// "params" object, if any, sets the check-in's params.
	Triggers: []workflows.Trigger{{Event: "appointment.completed", KeyField: "visit_id", Params: workflows.ParamsFromData("params")}},
	// How the patient feels, asked after the delay.
	Opening: func(PostVisitParams) workflows.Opening { return workflows.Opening{Messages: 1} },
	Run:     postVisitCheckin,
}

func postVisitCheckin(j *workflows.J, p PostVisitParams) (string, error) {
	if !j.Changed(changePostVisitClarify) {
		return postVisitBeforeClarify(j, p)
	}
	task := func(priority carepath.Priority, reason string, reply workflows.Answer) {
		j.Escalate(workflows.Task{Priority: priority, Reason: reason, MessageID: reply.MessageID})
	}

	j.Step("waiting_after_visit")
	j.Sleep(p.Delay.D())

	j.Step("asking_how_feeling")
	feeling := j.Ask(workflows.Question{
		Key: "feeling", Template: "post_visit.feeling", Choices: feelingChoices,
		Timeout: p.ReplyTimeout.D(), Reminders: p.Reminders,
		ReminderTemplate: "post_visit.feeling_reminder", ClarifyTemplate: "post_visit.feeling_clarify",
	})
	switch {
	case feeling.OptedOut():
		return OutcomeOptedOut, nil
	case feeling.Undelivered():
		task(carepath.PriorityNormal, ReasonUndeliverable, feeling)
		return OutcomeUndelivered, nil
	case feeling.TimedOut():
		j.Step("no_response")
		task(carepath.PriorityNormal, ReasonNoResponse, feeling)
		return OutcomeNoResponse, nil
	case feeling.Unrecognised():
		j.Step("needs_review")
		reviewUnrecognised(j, ReasonNeedsReview, feeling)
		return OutcomeNeedsReview, nil
	}

	switch feeling.Choice {
	case OutcomeWorse:
		j.Step("escalated_to_nurse")
		task(carepath.PriorityUrgent, ReasonWorse, feeling)
		j.Send("post_visit.nurse_will_call")
		return OutcomeWorse, nil

	case OutcomeAboutSame:
		j.Step("offering_care_team")
		call := j.Ask(workflows.Question{
			Key: "talk_to_team", Template: "post_visit.self_care", Choices: callChoices, Timeout: p.ReplyTimeout.D(),
			ClarifyTemplate: "post_visit.self_care_clarify",
		})
		switch {
		case call.Unrecognised():
			reviewUnrecognised(j, ReasonCallOfferUnclear, call)
		case call.Choice == "call":
			task(carepath.PriorityHigh, ReasonCallRequested, call)
			j.Send("post_visit.team_will_call")
		}
		return postVisitEnds(j, p, OutcomeAboutSame)

	default: // better
		j.Step("satisfaction_survey")
		j.Send("post_visit.glad")
		score := j.Ask(workflows.Question{
			Key: "satisfaction", Template: "post_visit.satisfaction", Number: &workflows.NumberRange{Min: 0, Max: 10},
			Timeout: p.ReplyTimeout.D(), ClarifyTemplate: "post_visit.satisfaction_clarify",
		})
		switch {
		case score.Answered():
			j.RecordFeedback("visit_satisfaction", score.Number)
			j.Send("post_visit.thanks")
		case score.Unrecognised(): // words instead of a score: someone reads them
			reviewUnrecognised(j, ReasonSatisfactionUnclear, score)
		}
		return postVisitEnds(j, p, OutcomeBetter)
	}
}

// postVisitEnds closes a check-in the patient answered (better, or about
// the same). A patient who declined the program is handed to
// re-engagement's after-visit touch: a care message offering a nurse's
// call, the way back for decliners. Worse (a nurse calls anyway),
// silence and replies under review are not followed up this way.
func postVisitEnds(j *workflows.J, p PostVisitParams, outcome string) (string, error) {
	if declined, _ := j.ProgramDeclined(); declined {
		touch := Reengagement.Defaults()
		touch.FirstAttempt, touch.TouchDelay = touchAfterVisit, p.DeclinerTouchDelay
		workflows.StartJourney(j, Reengagement, touch)
	}
	return outcome, nil
}

var postVisitMessages = map[string]map[string]messaging.Text{
	"post_visit.feeling": {
		"en": {Subject: "How are you feeling?", Body: "Hi {{.given_name}}, this is your care team. How are you feeling since your visit? Reply 1 better, 2 about the same, 3 worse."},
		"es": {Subject: "¿Cómo se siente?", Body: "Hola {{.given_name}}, le saluda su equipo de atención. ¿Cómo se siente desde su visita? Responda 1 mejor, 2 igual, 3 peor."},
	},
	"post_visit.feeling_reminder": {
		"en": {Subject: "Checking in", Body: "Just checking in after your visit. How are you feeling? Reply 1 better, 2 about the same, 3 worse."},
		"es": {Subject: "Seguimiento", Body: "Solo queremos saber de usted tras su visita. ¿Cómo se siente? Responda 1 mejor, 2 igual, 3 peor."},
	},
	"post_visit.feeling_clarify": {
		"en": {Subject: "Sorry, we didn't catch that", Body: "Sorry, we didn't understand. Please reply with just 1 (better), 2 (about the same) or 3 (worse)."},
		"es": {Subject: "Perdón, no entendimos", Body: "Perdón, no entendimos. Responda solo 1 (mejor), 2 (igual) o 3 (peor)."},
	},
	"post_visit.nurse_will_call": {
		"en": {Subject: "A nurse will call you", Body: "Thank you for telling us. A nurse will call you soon. If this is an emergency, call 911."},
		"es": {Subject: "Una enfermera le llamará", Body: "Gracias por avisarnos. Una enfermera le llamará pronto. Si es una emergencia, llame al 911."},
	},
	"post_visit.self_care": {
		"en": {Subject: "Taking care after your visit", Body: "Thanks. Rest, drink fluids and follow your after-visit instructions. Would you like to talk to your care team? Reply CALL or NO."},
		"es": {Subject: "Cuidados después de su visita", Body: "Gracias. Descanse, tome líquidos y siga las indicaciones de su visita. ¿Quiere hablar con su equipo? Responda LLAMAR o NO."},
	},
	"post_visit.self_care_clarify": {
		"en": {Subject: "Sorry, we didn't catch that", Body: "Sorry, we didn't understand. Would you like your care team to call you? Reply CALL or NO."},
		"es": {Subject: "Perdón, no entendimos", Body: "Perdón, no entendimos. ¿Quiere que su equipo le llame? Responda LLAMAR o NO."},
	},
	"post_visit.team_will_call": {
		"en": {Subject: "Your care team will call", Body: "Your care team will call you within one business day."},
		"es": {Subject: "Su equipo le llamará", Body: "Su equipo de atención le llamará en un día hábil."},
	},
	"post_visit.glad": {
		"en": {Subject: "Glad to hear it", Body: "Glad you're feeling better!"},
		"es": {Subject: "Nos alegra", Body: "¡Nos alegra que se sienta mejor!"},
	},
	"post_visit.satisfaction": {
		"en": {Subject: "One quick question", Body: "How satisfied are you with your visit? Reply with a number from 0 (not at all) to 10 (completely)."},
		"es": {Subject: "Una pregunta rápida", Body: "¿Qué tan satisfecho/a está con su visita? Responda con un número del 0 (nada) al 10 (totalmente)."},
	},
	"post_visit.satisfaction_clarify": {
		"en": {Subject: "A number, please", Body: "Please reply with one number from 0 to 10."},
		"es": {Subject: "Un número, por favor", Body: "Responda con un número del 0 al 10."},
	},
	"post_visit.thanks": {
		"en": {Subject: "Thank you", Body: "Thank you for your feedback!"},
		"es": {Subject: "Gracias", Body: "¡Gracias por su opinión!"},
	},
}

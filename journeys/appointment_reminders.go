package journeys

import (
	"encoding/json"
	"maps"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/messaging"
	"github.com/carepath/carepath/workflows"
)

// AppointmentReminderParams are the reminders' settings. Defaults follow
// common practice: three days ahead (time to rebook the slot) and the day
// before, between 09:00 and 20:00 on the patient's clock.
type AppointmentReminderParams struct {
	AppointmentID string              `json:"appointment_id" required:"true" doc:"The appointment's carepath ID (the appointment.booked event's appointment_id)."`
	Start         workflows.Time      `json:"start" required:"true" doc:"When the appointment starts, RFC 3339 with its offset."`
	Offsets       workflows.Durations `json:"offsets" default:"72h,24h" min:"1h" max:"720h" doc:"How long before the appointment each reminder goes out (a list, longest first). An appointment booked less than the longest away gets one prompt reminder instead."`
	ReplyWindow   workflows.Duration  `json:"reply_window" default:"48h" min:"10m" max:"336h" doc:"How long each reminder waits for a reply, never past the next reminder or the appointment."`
	// The hours reminders may go out in. Inside the deployment's messaging
	// window (at most 08:00-21:00), so the send path never has to defer a
	// reminder the journey placed.
	SendFrom  workflows.Duration `json:"send_from" default:"9h" min:"8h" max:"12h" doc:"Earliest local time of day a reminder goes out (quiet hours end)."`
	SendUntil workflows.Duration `json:"send_until" default:"20h" min:"14h" max:"21h" doc:"Local time of day by which a reminder has gone out (quiet hours start)."`
}

// Appointment reminder task reasons.
const (
	ReasonAppointmentReschedule = "patient asked to reschedule an appointment: scheduling staff please call"
	ReasonAppointmentUnclear    = "reply to an appointment reminder not understood: please review"
)

// appointmentChoices are the answers to a reminder; each value is the
// response recorded on the appointment. A bare "cancel" by SMS never gets
// here: it is a carrier opt-out keyword (STOP), so the reminder says X.
var appointmentChoices = []workflows.Choice{
	{Value: workflows.AppointmentConfirmed, Words: []string{"c", "confirm", "confirmed", "yes", "si", "sí", "confirmo",
		"sí confirmo", "si confirmo", "confirmar", "confirmada", "confirmado"}},
	{Value: workflows.AppointmentRescheduleRequested, Words: []string{"r", "reschedule", "change", "change it", "cambiar",
		"cambio", "reprogramar", "otra fecha", "otro dia", "otro día"}},
	{Value: workflows.AppointmentCancelledByPatient, Words: []string{"x", "cancel", "cancel it", "cancel appointment",
		"cancel my appointment", "cancelar", "cancelo", "cancelar cita", "cancelar la cita"}},
}

// AppointmentReminders reminds a patient of a booked appointment at set
// offsets before it, on their wall clock and outside quiet hours, and
// handles the reply: C confirms, R asks scheduling staff to call, X
// cancels. The EHR's changes reach the running journey: a cancellation
// (or no-show, fulfilment, entry in error) ends it, a move re-plans the
// reminders for the new time.
var AppointmentReminders = &workflows.Journey[AppointmentReminderParams]{
	Name:        "appointment_reminders",
	Version:     1,
	Description: "Reminds the patient of a booked appointment (by default 3 days and 1 day before) and takes C to confirm, R to reschedule, X to cancel.",
	Messages:    appointmentMessages,
	// Each booked appointment starts one enrollment, keyed by it.
	Triggers: []workflows.Trigger{{Event: "appointment.booked", KeyField: "appointment_id", Params: appointmentParams}},
	// The first reminder asks for the reply.
	Opening: func(AppointmentReminderParams) workflows.Opening { return workflows.Opening{Messages: 1} },
	Run:     appointmentReminders,
}

// appointmentParams takes appointment_id and start from the booking event
// (and any other params from its "params" object).
func appointmentParams(data map[string]any) json.RawMessage {
	params := map[string]any{}
	if given, ok := data["params"].(map[string]any); ok {
		maps.Copy(params, given)
	}
	for _, k := range []string{"appointment_id", "start"} {
		if v, ok := data[k]; ok {
			params[k] = v
		}
	}
	raw, err := json.Marshal(params)
	if err != nil {
		return nil // unreachable (decoded from JSON); enrollment then refuses the missing params
	}
	return raw
}

// minLead: a reminder moved out of quiet hours must still come at least
// this long before the appointment, or it is moved the other way.
const minLead = time.Hour

func appointmentReminders(j *workflows.J, p AppointmentReminderParams) (string, error) {
	if uuid.Validate(p.AppointmentID) != nil || p.Start.IsZero() {
		// Enrolled without a booking (no params given): nothing to remind of.
		j.SetOutcomeDetail("no appointment given")
		return OutcomeNotReminded, nil
	}
	appt := j.FollowAppointment(p.AppointmentID, p.Start.Time)
	// Outcome so far: what the patient answered, or nothing yet.
	outcome, sent, delivered := OutcomeNoResponse, 0, false
	plan, plannedFor := planReminders(j, p, appt), p.Start.Time
	if len(plan) == 0 {
		j.SetOutcomeDetail("appointment too close or already started")
		return OutcomeNotReminded, nil
	}
	for {
		var next time.Time
		if len(plan) > 0 {
			j.Step("waiting_to_remind")
			next = plan[0]
		} else {
			j.Step("waiting_for_appointment")
			next = appt.Current().Start
		}
		if appt.SleepUntil(next) {
			ended, moved, out := appointmentChanged(j, p, appt, outcome, &plan, &plannedFor)
			if ended {
				return out, nil
			}
			if moved {
				outcome = OutcomeNoResponse // a moved appointment is asked about afresh
			}
			continue
		}
		if len(plan) == 0 { // the appointment's time came
			if !delivered && outcome == OutcomeNoResponse {
				return OutcomeUndelivered, nil
			}
			return outcome, nil
		}
		plan = plan[1:]

		j.Step("reminding")
		wait := p.ReplyWindow.D()
		if len(plan) > 0 {
			wait = min(wait, plan[0].Sub(j.Now()))
		}
		wait = max(min(wait, appt.Current().Start.Sub(j.Now())), time.Minute)
		reply := appt.Ask(workflows.Question{
			Key: "appointment", Template: "appointment_reminders.reminder", Vars: appt.Vars(),
			Choices: appointmentChoices, Timeout: wait, ClarifyTemplate: "appointment_reminders.clarify",
		})
		switch {
		case reply.OptedOut():
			return OutcomeOptedOut, nil
		case reply.Undelivered():
			continue // the next reminder may get through
		}
		sent++
		delivered = true
		appt.Reminded(sent)
		switch {
		case reply.Interrupted(), reply.TimedOut():
			continue
		case reply.Unrecognised():
			j.Step("needs_review")
			reviewUnrecognised(j, ReasonAppointmentUnclear, reply)
			outcome, plan = OutcomeNeedsReview, nil // staff take it from here
			continue
		}
		switch reply.Choice {
		case workflows.AppointmentConfirmed:
			j.Step("confirmed")
			appt.Respond(workflows.AppointmentConfirmed, reply)
			j.Send("appointment_reminders.confirmed", appt.Vars())
			outcome = OutcomeConfirmed
		case workflows.AppointmentRescheduleRequested:
			j.Step("reschedule_requested")
			appt.Respond(workflows.AppointmentRescheduleRequested, reply)
			j.Escalate(workflows.Task{Priority: carepath.PriorityNormal, Reason: ReasonAppointmentReschedule, MessageID: reply.MessageID})
			j.Send("appointment_reminders.will_call")
			outcome = OutcomeRescheduleRequested
		default: // cancel
			j.Step("cancelled")
			appt.Respond(workflows.AppointmentCancelledByPatient, reply)
			j.Send("appointment_reminders.cancelled", appt.Vars())
			return OutcomeCancelled, nil
		}
		// Answered: no more reminders, but the journey follows the
		// appointment until it starts (the EHR may still move or cancel it).
		plan = nil
	}
}

// appointmentChanged handles an update from the EHR: an appointment with
// nothing left to remind of ends the journey (ended, with its outcome); a
// moved one gets its reminders planned afresh from the new start, into
// *plan (moved; *plannedFor is the start the plan is for). Another status
// (pending, waitlist…) at the same start leaves the plan as it was.
func appointmentChanged(j *workflows.J, p AppointmentReminderParams, appt *workflows.Appointment, outcome string,
	plan *[]time.Time, plannedFor *time.Time) (ended, moved bool, out string) {
	u, _ := appt.Update()
	if appt.Ended() {
		j.SetOutcomeDetail("appointment " + u.Status + " in the EHR")
		switch u.Status {
		case workflows.AppointmentCancelled, workflows.AppointmentEnteredInError:
			return true, false, OutcomeAppointmentCancelled
		}
		return true, false, outcome // under way, done or missed: the reminders' outcome stands
	}
	if u.Start.Equal(*plannedFor) {
		return false, false, ""
	}
	j.Step("appointment_moved")
	*plan, *plannedFor = planReminders(j, p, appt), u.Start
	return false, true, ""
}

// planReminders is when to remind of the appointment, from now: at each
// offset before its start, or, when it is less than the longest offset
// away, one prompt reminder now and none of the later ones; none once it
// has started. Each time is then placed outside quiet hours (placeReminder).
func planReminders(j *workflows.J, p AppointmentReminderParams, appt *workflows.Appointment) []time.Time {
	start := appt.Local() // the patient's zone, read now
	return reminderTimes(j.Now(), start, p.Offsets, p.SendFrom.D(), p.SendUntil.D())
}

// reminderTimes is planReminders' arithmetic, with start in the patient's
// zone.
func reminderTimes(now, start time.Time, offsets workflows.Durations, from, until time.Duration) []time.Time {
	if !start.After(now) || len(offsets) == 0 {
		return nil
	}
	now = now.In(start.Location())
	var want []time.Time
	if start.Add(-offsets[0].D()).Before(now) {
		want = []time.Time{now}
	} else {
		for _, o := range offsets {
			want = append(want, start.Add(-o.D()))
		}
	}
	var out []time.Time
	for _, t := range want {
		at, ok := placeReminder(t, now, start, from, until)
		if ok && (len(out) == 0 || at.After(out[len(out)-1])) {
			out = append(out, at)
		}
	}
	return out
}

// placeReminder moves a reminder due at t (in the patient's zone) out of
// quiet hours. Later first: to when sending opens that morning (or the
// next), as the send path would defer it, if that is still minLead before
// the appointment; otherwise earlier: half an hour before sending closes
// the evening before (or that evening), if that has not passed. Neither:
// no reminder (never one inside quiet hours, never one after the
// appointment).
func placeReminder(t, now, start time.Time, from, until time.Duration) (time.Time, bool) {
	day := func(days int, off time.Duration) time.Time {
		return time.Date(t.Year(), t.Month(), t.Day()+days, int(off/time.Hour), int(off%time.Hour/time.Minute), 0, 0, t.Location())
	}
	open, close := day(0, from), day(0, until)
	if !t.Before(open) && t.Before(close) {
		return t, true
	}
	later, earlier := open, day(-1, until).Add(-30*time.Minute)
	if !t.Before(close) {
		later, earlier = day(1, from), close.Add(-30*time.Minute)
	}
	if !later.Add(minLead).After(start) {
		return later, true
	}
	if !earlier.Before(now) {
		return earlier, true
	}
	return time.Time{}, false
}

// Templates get the appointment's local date and time as
// {{.appointment_date}} and {{.appointment_time}} (Appointment.Vars).
var appointmentMessages = map[string]map[string]messaging.Text{
	"appointment_reminders.reminder": {
		"en": {Subject: "Appointment reminder", Body: "Hi {{.given_name}}, this is your care team: a reminder of your appointment on {{.appointment_date}} at {{.appointment_time}}. Reply C to confirm, R to reschedule, X to cancel."},
		// No period after the time: Spanish times end "a. m." / "p. m.".
		// Under 134 characters: an accent (sábado) makes it UCS-2.
		"es": {Subject: "Recordatorio de su cita", Body: "Hola {{.given_name}}, su cita: {{.appointment_date}}, {{.appointment_time}} Responda C para confirmar, R para cambiarla, X para cancelar."},
	},
	"appointment_reminders.clarify": {
		"en": {Subject: "Sorry, we didn't catch that", Body: "Sorry, we didn't understand. Please reply with just C to confirm, R to reschedule or X to cancel your appointment."},
		"es": {Subject: "Perdón, no entendimos", Body: "Perdón, no entendimos. Responda solo C para confirmar, R para cambiar o X para cancelar su cita."},
	},
	"appointment_reminders.confirmed": {
		"en": {Subject: "Appointment confirmed", Body: "Thank you! Your appointment on {{.appointment_date}} at {{.appointment_time}} is confirmed. See you then."},
		"es": {Subject: "Cita confirmada", Body: "¡Gracias! Su cita del {{.appointment_date}} a las {{.appointment_time}} queda confirmada. Le esperamos."},
	},
	"appointment_reminders.will_call": {
		"en": {Subject: "We will call you", Body: "Thanks for letting us know. Our scheduling team will call you to find a new time."},
		"es": {Subject: "Le llamaremos", Body: "Gracias por avisarnos. Nuestro equipo de citas le llamará para buscar otra fecha."},
	},
	"appointment_reminders.cancelled": {
		"en": {Subject: "Appointment cancelled", Body: "Your appointment on {{.appointment_date}} at {{.appointment_time}} is cancelled. Call us when you would like a new one."},
		"es": {Subject: "Cita cancelada", Body: "Su cita del {{.appointment_date}} a las {{.appointment_time}} queda cancelada. Llámenos cuando quiera otra."},
	},
}

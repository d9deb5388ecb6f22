package journeys

import (
	"slices"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/messaging"
	"github.com/carepath/carepath/workflows"
)

// TreatmentParams are the treatment follow-up's settings: a check-in on a
// local schedule asking about medications, then a request for the reading
// the condition is followed by. Every reading is judged the moment it
// arrives against the care plan's safe range (low and high) and a trend.
type TreatmentParams struct {
	Code          string             `json:"code" default:"blood_glucose" enum:"blood_glucose|blood_pressure|weight|heart_rate|spo2|temperature" doc:"The observation followed (blood_pressure: systolic, with the diastolic's default bound)."`
	CheckinEvery  workflows.Duration `json:"checkin_every" default:"168h" min:"24h" max:"720h" doc:"Time between check-ins, in whole local days (24h: every day at the check-in hour, DST days included; 168h: the same weekday)."`
	CheckinHour   int                `json:"checkin_hour" default:"9" min:"8" max:"20" doc:"Local hour of the check-in."`
	FirstCheckin  string             `json:"first_checkin" default:"scheduled" enum:"scheduled|now" doc:"now: the first check-in at once (e.g. at discharge); scheduled: on the cadence at the local hour."`
	High          int                `json:"high" default:"0" min:"0" max:"1000" doc:"A reading above this raises a task, in the code's canonical unit (glucose mg/dL, temperature Cel, pressure systolic mm[Hg]). 0: the default (glucose 250, systolic 180 or diastolic 120, heart rate 130, temperature 38; see ranges.go)."`
	Low           int                `json:"low" default:"0" min:"0" max:"1000" doc:"A reading below this raises a task, in the code's canonical unit. 0: the default (glucose 70, SpO2 92, systolic 90, heart rate 40, temperature 35)."`
	TrendReadings int                `json:"trend_readings" default:"3" min:"2" max:"10" doc:"Readings rising this many times in a row raise a trend task."`
	ReplyTimeout  workflows.Duration `json:"reply_timeout" default:"24h" min:"1h" max:"168h" doc:"How long to wait for an answer or a reading."`
	Length        workflows.Duration `json:"length" default:"2160h" min:"24h" max:"8760h" doc:"How long the follow-up lasts (90 days by default)."`
}

// safeRange is the care plan's safe range for its code: the defaults
// (carepath.DefaultSafeRanges) with the plan's own low and high.
func (p TreatmentParams) safeRange() carepath.SafeRange {
	high := p.High
	if high == legacyDefaultHigh && p.Code != "blood_glucose" {
		high = 0 // the old default, never meant for this code
	}
	return carepath.SafeRangeFor(p.Code, float64(p.Low), float64(high))
}

// Treatment follow-up task reasons. An out-of-range reading raises
// carepath.ReasonReadingOutOfRange (the engine's reason too: one task).
const (
	ReasonMissedDoses    = "patient reports missed medication doses"
	ReasonMissedCheckins = "patient missed two check-ins in a row: please reach out"
	ReasonRisingTrend    = "readings rising over the last check-ins: review the care plan (for glucose, consider an HbA1c)"
	// ReasonCheckinNotUnderstood: a check-in answer we could not read even
	// after asking again; the patient did answer, so it is no missed check-in.
	ReasonCheckinNotUnderstood = "patient's check-in reply not understood after one clarification: please review"
)

// cyclesPerRun bounds one workflow run. A recorded cycle with an answer, a
// reading and an escalation is 66 history events
// (testdata/histories/treatment_followup_v1_one_cycle_high_reading.json),
// so 52 cycles stay near 3,500: far below 10,000, whatever the server says.
const cyclesPerRun = 52

// seenReadings bounds the reading IDs a follow-up remembers across runs, so
// a source re-sending one after a continue-as-new is not judged twice.
const seenReadings = 16

// treatmentState is what the follow-up carries from run to run.
type treatmentState struct {
	StartedAt time.Time `json:"started_at"`
	Next      time.Time `json:"next"` // the next check-in, on the cadence, at the local hour
	Cycle     int       `json:"cycle"`
	Missed    int       `json:"missed"`         // check-ins missed in a row
	Recent    []float64 `json:"recent"`         // the last readings, oldest first
	Seen      []string  `json:"seen,omitempty"` // the last readings' IDs, oldest first
	Done      int       `json:"done_in"`        // cycles done in this run
}

// TreatmentFollowup follows a chronic condition or recovery for months:
// medication check-ins in the patient's local morning, a reading after
// each, every reading judged on arrival against the care plan's safe range
// and a trend, and the care team (and, for a trend, the caregivers the
// patient authorised) told when something needs them. It carries its state
// into a new run before its history grows long.
var TreatmentFollowup = &workflows.Journey[TreatmentParams]{
	Name:        "treatment_followup",
	Version:     1,
	Description: "Months-long follow-up: medication check-ins on a local schedule, each reading judged on arrival against low and high bounds and a rising trend, missed check-ins nudged then escalated.",
	Messages:    treatmentMessages,
	// A care plan started in the EHR starts one follow-up per plan, with
	// the plan's params.
	Triggers: []workflows.Trigger{{Event: "care_plan.started", KeyField: "care_plan_id", Params: workflows.ParamsFromData("params")}},
	// The first check-in's medication question.
	Opening: func(TreatmentParams) workflows.Opening { return workflows.Opening{Messages: 1} },
	Run:     treatmentFollowup,
}

func treatmentFollowup(j *workflows.J, p TreatmentParams) (string, error) {
	var st treatmentState
	if !j.Carried(&st) {
		st.StartedAt = j.Now()
		st.Next = st.StartedAt
		if p.FirstCheckin != "now" {
			st.Next = j.NextLocal(st.StartedAt.Add(p.CheckinEvery.D()-24*time.Hour), p.CheckinHour, 0)
		}
	}
	st.Done = 0
	onArrival := j.Changed(changeReadingsOnArrival)
	calendarDays := j.Changed(changeCalendarDays)
	// Waits never run into the next check-in, so a silent patient does not
	// push the schedule back.
	wait := min(p.ReplyTimeout.D(), p.CheckinEvery.D()/2)
	gotReading := false
	if onArrival {
		// Every reading judged the moment it comes, whatever the journey
		// is doing (asleep, asking): first any carried from the last run.
		j.OnObservation(func(o workflows.Observation) { gotReading = judgeReading(j, p, &st, o) || gotReading })
	}
	for {
		// The program ends when its next check-in would fall outside it.
		if st.Next.Sub(st.StartedAt) >= p.Length.D() {
			if onArrival {
				j.Watch(0, nil) // judge what already came before saying goodbye
			}
			j.Step("completed")
			j.Send("treatment.program_done")
			return OutcomeProgramCompleted, nil
		}
		if st.Done >= cyclesPerRun || j.ShouldContinueAsNew() {
			return "", j.ContinueAsNew(st)
		}
		if !onArrival {
			if treatmentCycleBeforeOnArrival(j, p, &st, wait, calendarDays) {
				return OutcomeOptedOut, nil
			}
			continue
		}

		j.Step("waiting_for_checkin")
		j.Watch(st.Next.Sub(j.Now()), nil)
		due := st.Next
		st.Next = nextCheckin(j, p, due, calendarDays)

		j.Step("medication_checkin")
		if checkMedications(j, &st, wait, true).OptedOut() {
			return OutcomeOptedOut, nil
		}

		j.Step("waiting_for_reading")
		j.Send("treatment.reading_request", workflows.Vars{"code": codeName[p.Code]})
		gotReading = false
		j.Watch(max(min(wait, st.Next.Sub(j.Now())-time.Hour), time.Minute), func() bool { return gotReading })
		st.Cycle++
		st.Done++
	}
}

// nextCheckin is the check-in after due: whole local days later at the
// check-in hour (calendarDays), so a daily plan meets every local day and
// a weekly one keeps its weekday across DST; before changeCalendarDays, the
// first check-in hour after due+every−1h, which skipped spring-forward day.
func nextCheckin(j *workflows.J, p TreatmentParams, due time.Time, calendarDays bool) time.Time {
	if !calendarDays {
		return j.NextLocal(due.Add(p.CheckinEvery.D()-time.Hour), p.CheckinHour, 0)
	}
	days := int((p.CheckinEvery.D() + 12*time.Hour) / (24 * time.Hour)) // whole days, rounded
	return j.AddLocalDays(due, max(days, 1), p.CheckinHour, 0)
}

// checkMedications asks about doses; silence twice in a row reaches the
// care team, the first time only nudges. A reply not understood even after
// one clarification goes to the care team with the message
// (notUnderstoodTask; before changeReadingsOnArrival it counted as a miss),
// unless it had a red flag: the urgent task already holds it. It returns
// the answer.
func checkMedications(j *workflows.J, st *treatmentState, wait time.Duration, notUnderstoodTask bool) workflows.Answer {
	a := j.Ask(workflows.Question{Key: "adherence", Template: "treatment.adherence", Choices: yesNo,
		Timeout: wait, ClarifyTemplate: "treatment.adherence_clarify"})
	switch {
	case a.OptedOut(): // the follow-up ends: nothing to count
	case notUnderstoodTask && a.Unrecognised():
		st.Missed = 0 // they answered: not a missed check-in
		if !a.RedFlag {
			j.Escalate(workflows.Task{Priority: carepath.PriorityNormal, Reason: ReasonCheckinNotUnderstood, MessageID: a.MessageID})
		}
	case !a.Answered():
		st.Missed++
		if st.Missed == 1 {
			j.Send("treatment.nudge")
			break
		}
		st.Missed = 0
		j.Escalate(workflows.Task{Priority: carepath.PriorityNormal, Reason: ReasonMissedCheckins})
	case a.Choice == ChoiceNo:
		st.Missed = 0
		j.Escalate(workflows.Task{Priority: carepath.PriorityNormal, Reason: ReasonMissedDoses, MessageID: a.MessageID})
	default:
		st.Missed = 0
	}
	return a
}

// judgeReading judges a reading of the followed code the moment it
// arrives: outside the plan's safe range, a task (high, or urgent when
// severe) under the reading's own key, the one the engine raised it under
// too, and a word to the patient; else the trend rule. It reports whether
// it was a new reading of the code.
func judgeReading(j *workflows.J, p TreatmentParams, st *treatmentState, r workflows.Observation) bool {
	if r.Code != p.Code || slices.Contains(st.Seen, r.ID) {
		return false
	}
	st.Seen = keepLast(append(st.Seen, r.ID), seenReadings)
	st.Recent = keepLast(append(st.Recent, r.Value), p.TrendReadings+1)
	if jd := p.safeRange().Judge(r.Value, r.Value2); jd.Out() {
		j.Escalate(workflows.Task{Priority: jd.Priority, Reason: carepath.ReasonReadingOutOfRange,
			DedupeKey: carepath.TaskKeyReading(r.ID)})
		if jd.Flag == carepath.ReadingLow {
			j.Send("treatment.low_reading")
		} else {
			j.Send("treatment.high_reading")
		}
		return true
	}
	if Rising(st.Recent, p.TrendReadings) {
		j.Escalate(workflows.Task{Priority: carepath.PriorityNormal, Reason: ReasonRisingTrend})
		st.Recent = st.Recent[len(st.Recent)-1:] // a new trend must build again
		j.Send("treatment.trend_notice")
		j.NotifyCaregiver("treatment.caregiver_trend")
	}
	return true
}

// keepLast keeps the last n items.
func keepLast[T any](s []T, n int) []T {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// Rising reports whether the last n+1 readings rose n times in a row.
func Rising(readings []float64, n int) bool {
	if len(readings) < n+1 {
		return false
	}
	last := readings[len(readings)-n-1:]
	for i := 1; i < len(last); i++ {
		if last[i] <= last[i-1] {
			return false
		}
	}
	return true
}

var codeName = map[string]string{
	"blood_glucose": "blood sugar", "blood_pressure": "blood pressure", "weight": "weight",
	"heart_rate": "heart rate", "spo2": "oxygen level", "temperature": "temperature",
}

var treatmentMessages = map[string]map[string]messaging.Text{
	"treatment.adherence": {
		"en": {Subject: "Your medications", Body: "Good morning {{.given_name}}. Have you taken your medications as prescribed since we last asked? Reply YES or NO."},
		"es": {Subject: "Sus medicamentos", Body: "Buenos días {{.given_name}}. ¿Ha tomado sus medicamentos como se le indicó desde la última vez? Responda SI o NO."},
	},
	"treatment.adherence_clarify": {
		"en": {Subject: "Yes or no?", Body: "Sorry, we didn't understand. Have you taken your medications as prescribed? Reply YES or NO."},
		"es": {Subject: "¿Sí o no?", Body: "Perdón, no entendimos. ¿Ha tomado sus medicamentos como se le indicó? Responda SI o NO."},
	},
	"treatment.nudge": {
		"en": {Subject: "Checking in", Body: "We missed you at today's check-in. No problem: we'll ask again next time. Text us if anything has changed."},
		"es": {Subject: "Seguimiento", Body: "No recibimos su respuesta hoy. No pasa nada: le preguntaremos la próxima vez. Escríbanos si algo cambió."},
	},
	"treatment.reading_request": {
		"en": {Subject: "Your reading", Body: "When you can, please take your {{.code}} reading today; your device or clinic will send it to us."},
		"es": {Subject: "Su medición", Body: "Cuando pueda, tome hoy su medición ({{.code}}); su dispositivo o clínica nos la enviará."},
	},
	"treatment.high_reading": {
		"en": {Subject: "About your reading", Body: "Your latest reading is higher than your care plan's target. A nurse will contact you. If you feel unwell, call 911."},
		"es": {Subject: "Sobre su medición", Body: "Su última medición está por encima de la meta de su plan. Una enfermera le contactará. Si se siente mal, llame al 911."},
	},
	"treatment.low_reading": {
		"en": {Subject: "About your reading", Body: "Your latest reading is lower than your care plan's safe range. A nurse will contact you. If you feel unwell, call 911."},
		"es": {Subject: "Sobre su medición", Body: "Su última medición está por debajo del rango seguro de su plan. Una enfermera le contactará. Si se siente mal, llame al 911."},
	},
	"treatment.trend_notice": {
		"en": {Subject: "Your recent readings", Body: "Your recent readings have been going up. Your care team will review them and may suggest a lab test."},
		"es": {Subject: "Sus mediciones recientes", Body: "Sus mediciones recientes han ido subiendo. Su equipo las revisará y puede sugerir un análisis."},
	},
	"treatment.caregiver_trend": {
		"en": {Subject: "About {{.given_name}}", Body: "Hi {{.caregiver_name}}, this is {{.given_name}}'s care team. Their recent readings have been rising; we're reviewing them and will be in touch."},
		"es": {Subject: "Sobre {{.given_name}}", Body: "Hola {{.caregiver_name}}, le saluda el equipo de {{.given_name}}. Sus mediciones recientes han subido; las estamos revisando y le contactaremos."},
	},
	"treatment.program_done": {
		"en": {Subject: "Follow-up complete", Body: "Your follow-up program is complete. Thank you! Your care team is still here whenever you need us."},
		"es": {Subject: "Seguimiento completo", Body: "Su programa de seguimiento terminó. ¡Gracias! Su equipo sigue aquí cuando lo necesite."},
	},
}

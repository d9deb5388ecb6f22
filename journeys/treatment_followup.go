package journeys

import (
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/messaging"
	"github.com/carepath/carepath/workflows"
)

// TreatmentParams are the treatment follow-up's settings: a check-in on a
// local schedule asking about medications, then a request for the reading
// the condition is followed by, checked against a threshold and a trend.
type TreatmentParams struct {
	Code          string             `json:"code" default:"blood_glucose" enum:"blood_glucose|blood_pressure|weight|heart_rate|spo2|temperature" doc:"The observation followed (blood_pressure: systolic)."`
	CheckinEvery  workflows.Duration `json:"checkin_every" default:"168h" min:"24h" max:"720h" doc:"Time between check-ins."`
	CheckinHour   int                `json:"checkin_hour" default:"9" min:"8" max:"20" doc:"Local hour of the check-in."`
	FirstCheckin  string             `json:"first_checkin" default:"scheduled" enum:"scheduled|now" doc:"now: the first check-in at once (e.g. at discharge); scheduled: on the cadence at the local hour."`
	High          int                `json:"high" default:"250" min:"1" max:"1000" doc:"A reading above this raises a high-priority task (mg/dL for glucose)."`
	TrendReadings int                `json:"trend_readings" default:"3" min:"2" max:"10" doc:"Readings rising this many times in a row raise a trend task."`
	ReplyTimeout  workflows.Duration `json:"reply_timeout" default:"24h" min:"1h" max:"168h" doc:"How long to wait for an answer or a reading."`
	Length        workflows.Duration `json:"length" default:"2160h" min:"24h" max:"8760h" doc:"How long the follow-up lasts (90 days by default)."`
}

// Treatment follow-up task reasons.
const (
	ReasonMissedDoses    = "patient reports missed medication doses"
	ReasonMissedCheckins = "patient missed two check-ins in a row: please reach out"
	ReasonHighReading    = "reading above the care plan's threshold"
	ReasonRisingTrend    = "readings rising over the last check-ins: review the care plan (for glucose, consider an HbA1c)"
)

// cyclesPerRun bounds one workflow run. A recorded cycle with an answer, a
// reading and an escalation is 66 history events
// (testdata/histories/treatment_followup_v1_one_cycle_high_reading.json),
// so 52 cycles stay near 3,500: far below 10,000, whatever the server says.
const cyclesPerRun = 52

// treatmentState is what the follow-up carries from run to run.
type treatmentState struct {
	StartedAt time.Time `json:"started_at"`
	Next      time.Time `json:"next"` // the next check-in, on the cadence, at the local hour
	Cycle     int       `json:"cycle"`
	Missed    int       `json:"missed"`  // check-ins missed in a row
	Recent    []float64 `json:"recent"`  // the last readings, oldest first
	Done      int       `json:"done_in"` // cycles done in this run
}

// TreatmentFollowup follows a chronic condition or recovery for months:
// medication check-ins in the patient's local morning, a reading after
// each, threshold and trend rules on the readings, and the care team (and,
// for a trend, the caregivers the patient authorised) told when something
// needs them. It carries its state into a new run before
// its history grows long.
var TreatmentFollowup = &workflows.Journey[TreatmentParams]{
	Name:        "treatment_followup",
	Version:     1,
	Description: "Months-long follow-up: medication check-ins on a local schedule, readings checked against a threshold and a rising trend, missed check-ins nudged then escalated.",
	Messages:    treatmentMessages,
	// A care plan started in the EHR starts one follow-up per plan, with
	// the plan's params.
	Triggers: []workflows.Trigger{{Event: "care_plan.started", KeyField: "care_plan_id", Params: workflows.ParamsFromData("params")}},
	Run:      treatmentFollowup,
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
	// Waits never run into the next check-in, so a silent patient does not
	// push the schedule back.
	wait := min(p.ReplyTimeout.D(), p.CheckinEvery.D()/2)
	for {
		// The program ends when its next check-in would fall outside it.
		if st.Next.Sub(st.StartedAt) >= p.Length.D() {
			j.Step("completed")
			j.Send("treatment.program_done")
			return OutcomeProgramCompleted, nil
		}
		if st.Done >= cyclesPerRun || j.ShouldContinueAsNew() {
			return "", j.ContinueAsNew(st)
		}

		j.Step("waiting_for_checkin")
		j.Sleep(st.Next.Sub(j.Now()))
		due := st.Next
		st.Next = j.NextLocal(due.Add(p.CheckinEvery.D()-time.Hour), p.CheckinHour, 0)

		j.Step("medication_checkin")
		if checkMedications(j, &st, wait).OptedOut() {
			return OutcomeOptedOut, nil
		}

		j.Step("waiting_for_reading")
		j.Send("treatment.reading_request", workflows.Vars{"code": codeName[p.Code]})
		if reading, ok := j.WaitFor(p.Code, max(min(wait, st.Next.Sub(j.Now())-time.Hour), time.Minute)); ok {
			applyRules(j, p, &st, reading)
		}
		st.Cycle++
		st.Done++
	}
}

// checkMedications asks about doses; silence twice in a row reaches the
// care team, the first time only nudges. It returns the answer.
func checkMedications(j *workflows.J, st *treatmentState, wait time.Duration) workflows.Answer {
	a := j.Ask(workflows.Question{Key: "adherence", Template: "treatment.adherence", Choices: yesNo,
		Timeout: wait, ClarifyTemplate: "treatment.adherence_clarify"})
	switch {
	case a.OptedOut(): // the follow-up ends: nothing to count
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

// applyRules checks a reading against the threshold and the trend.
func applyRules(j *workflows.J, p TreatmentParams, st *treatmentState, r workflows.Observation) {
	st.Recent = append(st.Recent, r.Value)
	if len(st.Recent) > p.TrendReadings+1 {
		st.Recent = st.Recent[len(st.Recent)-p.TrendReadings-1:]
	}
	switch {
	case r.Value > float64(p.High):
		j.Escalate(workflows.Task{Priority: carepath.PriorityHigh, Reason: ReasonHighReading})
		j.Send("treatment.high_reading")
	case Rising(st.Recent, p.TrendReadings):
		j.Escalate(workflows.Task{Priority: carepath.PriorityNormal, Reason: ReasonRisingTrend})
		st.Recent = st.Recent[len(st.Recent)-1:] // a new trend must build again
		j.Send("treatment.trend_notice")
		j.NotifyCaregiver("treatment.caregiver_trend")
	}
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

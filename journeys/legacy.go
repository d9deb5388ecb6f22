package journeys

import (
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/workflows"
)

// Treatment follow-up's changes, asked once at the start of its run.
const (
	// changeReadingsOnArrival (issue 12, 2026-11-30): each reading is judged
	// as it arrives (also while asleep) against the plan's low and high
	// bounds (carepath.SafeRangeFor), under the reading's own task key; a
	// check-in reply not understood after one clarification raises a task
	// instead of counting as a missed check-in. Old branch:
	// treatmentCycleBeforeOnArrival.
	changeReadingsOnArrival = "treatment-readings-on-arrival"
	// changeCalendarDays (issue 12, 2026-11-30): the next check-in is whole
	// local days later at the check-in hour, so a daily plan meets every
	// local day (before, spring-forward day was skipped) and a weekly one
	// keeps its weekday. Old branch: in nextCheckin.
	changeCalendarDays = "treatment-calendar-days"
)

// legacyDefaultHigh was treatment follow-up's default high for every code
// before changeReadingsOnArrival: runs enrolled then carry it in their
// params, where for any code but glucose it only meant "unset".
const legacyDefaultHigh = 250

// ReasonHighReading is the task reason of a high reading before
// changeReadingsOnArrival (now carepath.ReasonReadingOutOfRange).
const ReasonHighReading = "reading above the care plan's threshold"

// treatmentCycleBeforeOnArrival is one treatment follow-up cycle before
// changeReadingsOnArrival: sleep until the check-in, ask, request a reading
// and wait for it, then judge only the oldest reading waiting, against the
// high bound only; a reply not understood counts as a missed check-in. It
// reports whether the patient opted out.
func treatmentCycleBeforeOnArrival(j *workflows.J, p TreatmentParams, st *treatmentState, wait time.Duration, calendarDays bool) bool {
	j.Step("waiting_for_checkin")
	j.Sleep(st.Next.Sub(j.Now()))
	due := st.Next
	st.Next = nextCheckin(j, p, due, calendarDays)

	j.Step("medication_checkin")
	if checkMedications(j, st, wait, false).OptedOut() {
		return true
	}

	j.Step("waiting_for_reading")
	j.Send("treatment.reading_request", workflows.Vars{"code": codeName[p.Code]})
	if reading, ok := j.WaitFor(p.Code, max(min(wait, st.Next.Sub(j.Now())-time.Hour), time.Minute)); ok {
		applyRulesBeforeOnArrival(j, p, st, reading)
	}
	st.Cycle++
	st.Done++
	return false
}

// applyRulesBeforeOnArrival checks a reading against the high threshold
// and the trend, as before changeReadingsOnArrival.
func applyRulesBeforeOnArrival(j *workflows.J, p TreatmentParams, st *treatmentState, r workflows.Observation) {
	st.Recent = keepLast(append(st.Recent, r.Value), p.TrendReadings+1)
	high := p.High
	if high == 0 {
		high = legacyDefaultHigh // params normalised after the change
	}
	switch {
	case r.Value > float64(high):
		j.Escalate(workflows.Task{Priority: carepath.PriorityHigh, Reason: ReasonHighReading})
		j.Send("treatment.high_reading")
	case Rising(st.Recent, p.TrendReadings):
		j.Escalate(workflows.Task{Priority: carepath.PriorityNormal, Reason: ReasonRisingTrend})
		st.Recent = st.Recent[len(st.Recent)-1:] // a new trend must build again
		j.Send("treatment.trend_notice")
		j.NotifyCaregiver("treatment.caregiver_trend")
	}
}

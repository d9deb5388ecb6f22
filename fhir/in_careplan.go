package fhir

import (
	"encoding/json"
	"math"
	"slices"
	"time"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"
)

// CarePlanIn is an EHR's CarePlan as carepath reads it: an active plan (or
// order) starts one treatment follow-up keyed by the CarePlan's id; one
// that ends stops it.
type CarePlanIn struct {
	Subject string // the Patient reference
	Status  string
	Intent  string
	// Active: status active with intent plan or order (a proposal or an
	// option is not agreed yet).
	Active bool
	// Ended: status completed, revoked or entered-in-error.
	Ended bool
	// Params are the treatment follow-up params the plan gives (the JSON
	// names of journeys.TreatmentParams), only those it states: the
	// journey's defaults fill the rest. See carePlanParams.
	Params map[string]any
}

// Treatment follow-up param bounds (journeys.TreatmentParams' min and
// max): a plan's schedule or period outside them is clamped, never
// refused, since the EHR's plan is what it is.
const (
	followupMinEvery  = 24 * time.Hour
	followupMaxEvery  = 720 * time.Hour
	followupMinLength = 24 * time.Hour
	followupMaxLength = 8760 * time.Hour
)

var (
	carePlanFollowIntents = []string{"plan", "order"}
	// Request statuses (CarePlan, MedicationRequest) after which a
	// follow-up started for the request has no reason to go on.
	requestEndedStatuses = []string{"completed", "revoked", "entered-in-error", "cancelled", "stopped"}
)

// CarePlanFromFHIR reads a CarePlan; now is the time it arrives (for the
// follow-up's length, to the plan's period.end). Errors name FHIR paths.
func CarePlanFromFHIR(raw json.RawMessage, now time.Time) (CarePlanIn, error) {
	var cp fm.CarePlan
	h, err := clinDecode(raw, "CarePlan", &cp)
	if err != nil {
		return CarePlanIn{}, err
	}
	in := CarePlanIn{Status: *h.Status, Intent: clinStr(h.Intent)}
	if in.Intent == "" {
		return in, invalidRequired("CarePlan.intent")
	}
	if in.Subject, err = clinPatientRef(&cp.Subject, "CarePlan.subject"); err != nil {
		return in, err
	}
	in.Ended = slices.Contains(requestEndedStatuses, in.Status)
	in.Active = in.Status == "active" && slices.Contains(carePlanFollowIntents, in.Intent)
	if !in.Active {
		return in, nil
	}
	if in.Params, err = carePlanParams(cp, now); err != nil {
		return in, err
	}
	if in.Params == nil {
		in.Active = false // its period is over: nothing to follow
	}
	return in, nil
}

// carePlanParams maps what a CarePlan states onto the follow-up's params,
// only where the meaning is unambiguous:
//   - code: the first activity still to do (not completed, cancelled,
//     stopped, entered-in-error or doNotPerform) whose detail.code is a
//     vital-sign LOINC carepath reads (a "monitor blood glucose" activity
//     coded 2339-0); else a diabetes or hypertension code in an activity's
//     detail.reasonCode or the plan's category (loinc.go); else unset (the
//     journey's default, glucose).
//   - checkin_every: that vital activity's scheduledTiming.repeat
//     (frequency per period), in whole days, clamped to 1–30 days.
//   - length: until the plan's period.end, clamped to 1–365 days.
//
// Goals (low and high bounds) are Goal resources the plan references, not
// read: the default safe ranges apply. The medication check-in is part of
// every follow-up; a plan's medication activities change nothing. nil
// params: period.end is already past.
func carePlanParams(cp fm.CarePlan, now time.Time) (map[string]any, error) {
	params := map[string]any{}
	for _, a := range cp.Activity {
		d := a.Detail
		if d == nil || d.DoNotPerform != nil && *d.DoNotPerform || activityStopped(d.Status) {
			continue
		}
		code, ok := clinVitalCode(d.Code)
		if !ok {
			continue
		}
		params["code"] = code
		if every, ok := timingEvery(d.ScheduledTiming); ok {
			params["checkin_every"] = every.String()
		}
		break
	}
	if params["code"] == nil {
		if code, ok := carePlanCondition(cp); ok {
			params["code"] = code
		}
	}
	if cp.Period != nil && cp.Period.End != nil {
		end, err := clinTime(*cp.Period.End, "CarePlan.period.end")
		if err != nil {
			return nil, err
		}
		left := end.Sub(now)
		if left <= 0 {
			return nil, nil
		}
		params["length"] = clampHours(left, followupMinLength, followupMaxLength).String()
	}
	return params, nil
}

func activityStopped(s fm.CarePlanActivityStatus) bool {
	return s == fm.CarePlanActivityStatusCancelled || s == fm.CarePlanActivityStatusStopped || s == fm.CarePlanActivityStatusCompleted ||
		s == fm.CarePlanActivityStatusEnteredInError
}

// carePlanCondition: a follow-up code implied by a condition in an
// activity's reasonCode or the plan's category.
func carePlanCondition(cp fm.CarePlan) (string, bool) {
	for _, a := range cp.Activity {
		if a.Detail == nil {
			continue
		}
		for _, rc := range a.Detail.ReasonCode {
			if code, ok := clinConditionCode(rc); ok {
				return code, true
			}
		}
	}
	for _, c := range cp.Category {
		if code, ok := clinConditionCode(c); ok {
			return code, true
		}
	}
	return "", false
}

// timingEvery is the interval a Timing repeats at (period per frequency),
// in whole days, clamped to the follow-up's 1–30 days: three readings a
// day is a daily check-in. false when the Timing states no period.
func timingEvery(t *fm.Timing) (time.Duration, bool) {
	if t == nil || t.Repeat == nil || t.Repeat.Period == nil || t.Repeat.PeriodUnit == nil {
		return 0, false
	}
	period, err := t.Repeat.Period.Float64()
	unit, known := timingUnits[*t.Repeat.PeriodUnit]
	if err != nil || !known || period <= 0 {
		return 0, false
	}
	freq := 1
	if t.Repeat.Frequency != nil && *t.Repeat.Frequency > 0 {
		freq = *t.Repeat.Frequency
	}
	every := time.Duration(period * float64(unit) / float64(freq))
	days := math.Round(float64(every) / float64(24*time.Hour))
	return clampHours(time.Duration(days)*24*time.Hour, followupMinEvery, followupMaxEvery), true
}

// timingUnits: UCUM units of time a Timing's periodUnit may be.
var timingUnits = map[string]time.Duration{
	"s": time.Second, "min": time.Minute, "h": time.Hour, "d": 24 * time.Hour, "wk": 7 * 24 * time.Hour,
	"mo": 30 * 24 * time.Hour, "a": 365 * 24 * time.Hour,
}

// clampHours rounds d to whole hours within [lo, hi].
func clampHours(d, lo, hi time.Duration) time.Duration {
	return min(max(d.Round(time.Hour), lo), hi)
}

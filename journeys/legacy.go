package journeys

import (
	"fmt"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/workflows"
)

// Replay-only journey steps. Each j.Changed change below keeps the journey
// as it was, so a run that started before the change was deployed goes on
// (and replays) exactly as it began; the journey's own file reads as
// today's care path. Nothing here runs for a journey started after the
// change.
//
// A function can go once every run started before its change was
// deployed has closed (a run that continued as new counts from its own
// start). Check each Temporal namespace with
//
//	temporal workflow list --query 'WorkflowType="<journey>" AND ExecutionStatus="Running" AND StartTime < "<deploy time>"'
//
// then delete the function, its *_before_* test histories, and the
// j.Changed call (keeping the new branch).

// Change IDs, each asked once, at the start of its journey's run.
const (
	// The changes below predate workflows' baseline (workflows/baseline.go):
	// a run that recorded it takes them without asking.
	//
	// changeOnboardingClarify (issue 12, 2026-11-30): onboarding clarifies
	// a reply it does not understand once, then raises a task holding it
	// (before, "Who is this?" ended it no_response); a NO to check-ins is
	// recorded as a program decline beside the consent, and the decliner
	// is no longer handed to outreach re-engagement their consent
	// suppresses. Old branch: onboardingBeforeClarify.
	changeOnboardingClarify = "onboarding-clarify-and-decline-record"
	// changeReengagementClarify (issue 12, 2026-11-30): re-engagement
	// raises a task for a reply it does not understand after clarifying
	// (before, it moved on silently), clarifies the come-back question,
	// and has the after-visit touch for decliners. Old branch:
	// reengagementBeforeClarify.
	changeReengagementClarify = "reengagement-clarify-and-after-visit"
	// changePostVisitClarify (issue 12, 2026-11-30): the call offer and the
	// satisfaction score raise a task for a reply not understood after one
	// clarification (before, dropped), and a program decliner is handed to
	// re-engagement's after-visit touch. Old branch: postVisitBeforeClarify.
	changePostVisitClarify = "post-visit-clarify-and-decliner-touch"
)

// onboardingBeforeClarify is onboarding before changeOnboardingClarify.
func onboardingBeforeClarify(j *workflows.J, p OnboardingParams) (string, error) {
	ask := func(key, template string, choices []workflows.Choice) workflows.Answer {
		return j.Ask(workflows.Question{Key: key, Template: template, Choices: choices, Timeout: p.ReplyTimeout.D()})
	}

	j.Step("welcome")
	j.Send("onboarding.welcome")

	j.Step("confirming_contact")
	contact := j.Ask(workflows.Question{
		Key: "contact", Template: "onboarding.confirm_contact", Choices: contactChoices,
		Timeout: p.ReplyTimeout.D(), Reminders: p.Reminders, ReminderTemplate: "onboarding.confirm_contact",
	})
	switch {
	case contact.OptedOut():
		j.SetOutcomeDetail(workflows.ReasonOptedOut)
		return OutcomeDeclined, nil
	case !contact.Answered():
		return onboardingEnds(j, OutcomeNoResponse, "")
	case contact.Choice == ChoiceNo:
		j.Escalate(workflows.Task{Priority: carepath.PriorityNormal, Reason: ReasonWrongContact, MessageID: contact.MessageID})
	case contact.Choice != ChoiceYes:
		j.SetPreferredChannel(carepath.Channel(contact.Choice))
	}

	j.Step("choosing_language")
	if lang := ask("language", "onboarding.language", languageChoices); lang.Answered() {
		j.SetLocale(lang.Choice)
	}

	j.Step("asking_outreach_consent")
	consent := ask("outreach_consent", "onboarding.outreach_consent", yesNo)
	if !consent.Answered() {
		return onboardingEnds(j, OutcomeNoResponse, "")
	}
	j.RecordConsent(carepath.PurposeOutreach, consent.Choice == ChoiceYes, consent)
	if consent.Choice == ChoiceNo {
		j.Step("asking_why_declined")
		why := ask("decline_reason", "onboarding.why_declined", whyChoices)
		j.Send("onboarding.respect_decline")
		return onboardingEnds(j, OutcomeDeclined, why.Choice)
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
	return OutcomeEngaged, nil
}

// reengagementBeforeClarify is re-engagement before changeReengagementClarify.
func reengagementBeforeClarify(j *workflows.J, p ReengagementParams) (string, error) {
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
			continue
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

// postVisitBeforeClarify is the post-visit check-in before changePostVisitClarify.
func postVisitBeforeClarify(j *workflows.J, p PostVisitParams) (string, error) {
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
		task(carepath.PriorityNormal, ReasonNeedsReview, feeling)
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
		})
		if call.Choice == "call" {
			task(carepath.PriorityHigh, ReasonCallRequested, call)
			j.Send("post_visit.team_will_call")
		}
		return OutcomeAboutSame, nil

	default:
		j.Step("satisfaction_survey")
		j.Send("post_visit.glad")
		score := j.Ask(workflows.Question{
			Key: "satisfaction", Template: "post_visit.satisfaction", Number: &workflows.NumberRange{Min: 0, Max: 10},
			Timeout: p.ReplyTimeout.D(), ClarifyTemplate: "post_visit.satisfaction_clarify",
		})
		if score.Answered() {
			j.RecordFeedback("visit_satisfaction", score.Number)
			j.Send("post_visit.thanks")
		}
		return OutcomeBetter, nil
	}
}

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

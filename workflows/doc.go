// Package workflows is the journey runtime: the small typed API journeys
// are written with, the definition and catalogue of journeys, and the
// contract callers use to reach a running journey (api.go). Concrete
// journeys live in package journeys.
//
// A journey is a Journey[P] value whose Run function reads as the care
// path, step by step, through *J:
//
//	j.Step(name)                          the step shown live through the API
//	j.Send(template, vars...)             a care message
//	j.SendOutreach(template, vars...)     an engagement message (outreach rules)
//	j.Ask(Question) Answer                ask, remind, clarify, wait for the reply
//	j.Escalate(Task)                      a care-team task (Priority: carepath.Priority*)
//	j.NotifyCaregiver(template, vars...)  the caregivers the patient authorised
//	j.RecordConsent(purpose, granted, a)  a consent decision given in answer a
//	j.SetPreferredChannel(ch)             carepath.ChannelSMS or ChannelEmail
//	j.SetLocale(locale)                   "en", "es"
//	j.RecordFeedback(kind, score)         a survey score
//	j.SetOutcomeDetail(detail)            why the journey ends as it does
//	StartJourney(j, d, d.Defaults())      enroll the patient in journey d
//	j.Sleep(d), j.SleepUntilLocal(h, m)   durable timers; the patient's wall clock
//	j.WaitFor(code, timeout)              an observation (a reading)
//	j.Now(), j.NextLocal(after, h, m)     the deterministic clock
//	j.Carried(&st), j.ShouldContinueAsNew(), j.ContinueAsNew(st)
//	                                      months-long journeys, run after run
//	j.Changed(changeID)                   new steps for runs that reach a change
//	                                      after its deploy (workflow.GetVersion)
//
// An Answer has one Status: Answered(), TimedOut(), Unrecognised(),
// Undelivered() or OptedOut() (a STOP is an answer journeys respect).
//
// Steps return no errors. A step that fails (an activity out of retries,
// the journey cancelled) ends the journey there, as t.Fatal ends a test:
// the enrollment is recorded failed or cancelled with that error. Run
// returns the outcome the enrollment ends with, or ContinueAsNew's error.
//
// Changing a running journey's steps changes its history: put the change
// behind j.Changed in the journey (the runtime's own changes use
// workflow.GetVersion, their old branches kept in legacy.go, which says
// for each when it can go).
package workflows

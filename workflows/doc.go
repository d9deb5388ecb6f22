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
//	j.RecordProgramDeclined(program, why, a)  the patient declined a program
//	                                      (not a consent change);
//	                                      ProgramDeclined() reads it and
//	                                      RecordProgramReturn(touch) records
//	                                      the touch that won them back
//	j.SetOutcomeDetail(detail)            why the journey ends as it does
//	StartJourney(j, d, d.Defaults())      enroll the patient in journey d
//	j.Sleep(d), j.SleepUntilLocal(h, m)   durable timers; the patient's wall clock
//	j.WaitFor(code, timeout)              an observation (a reading)
//	j.OnObservation(func(Observation))    each observation handled on arrival
//	                                      (also while an Ask waits)
//	j.Watch(d, done)                      wait, handing observations to it
//	a := j.FollowAppointment(id, start)   an appointment the EHR may move or
//	                                      end (SignalAppointment, appointment.go):
//	                                      a.SleepUntil(t) wakes early on a change,
//	                                      a.Ask(q) is Interrupted() by one,
//	                                      a.Update(), a.Ended(), a.Vars()
//	j.Now(), j.NextLocal(after, h, m)     the deterministic clock
//	j.AddLocalDays(from, days, h, m)      whole local days later at h:m (DST-safe)
//	j.Carried(&st), j.ShouldContinueAsNew(), j.ContinueAsNew(st)
//	                                      months-long journeys, run after run
//	j.Changed(changeID)                   new steps for runs that reach a change
//	                                      after its deploy (workflow.GetVersion)
//
// An Answer has one Status: Answered(), TimedOut(), Unrecognised(),
// Undelivered() or OptedOut() (a STOP is an answer journeys respect), and
// for an appointment's Ask, Interrupted() (the EHR changed it meanwhile).
// Answer.RedFlag says the reply had a red flag: the engine has already sent
// the safety message and raised an urgent task holding it, so Ask does not
// clarify it and a journey raises no review task of its own for it.
//
// Sends go on one of two lanes: the bulk lane (carepath-sends) and the
// priority lane (carepath-sends-priority), which the pacer serves first.
// The runtime puts a journey's first send after the patient answered (a
// conversation reply) on the priority lane, with safety messages, pages and
// STOP/HELP confirmations; the rest goes on the bulk lane.
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

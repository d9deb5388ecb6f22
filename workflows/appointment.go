package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/carepath/carepath/activities"
)

// FHIR AppointmentStatus codes a journey following an appointment acts on.
const (
	AppointmentBooked         = "booked"
	AppointmentCancelled      = "cancelled"
	AppointmentNoShow         = "noshow"
	AppointmentFulfilled      = "fulfilled"
	AppointmentEnteredInError = "entered-in-error"
	AppointmentArrived        = "arrived"
	AppointmentCheckedIn      = "checked-in"
)

// StatusInterrupted: the appointment the question was asked about
// changed while the journey waited for the reply (Appointment.Ask).
const StatusInterrupted AnswerStatus = "interrupted"

// Interrupted reports whether the wait ended because the followed
// appointment changed.
func (a Answer) Interrupted() bool { return a.Status == StatusInterrupted }

// errInterrupted ends an Ask's wait: the followed appointment changed.
var errInterrupted = errors.New("appointment changed")

// Appointment is an appointment a journey follows. The EHR's changes
// arrive as SignalAppointment updates, buffered until the journey next
// waits or looks: the newest Version wins and an older one arriving late
// is ignored. Only signals are involved (no timer, activity or marker is
// recorded by following), so it adds nothing to a history by itself.
type Appointment struct {
	j       *J
	ch      workflow.ReceiveChannel
	current AppointmentUpdate
	// changed: an update moved or ended the appointment since Update last
	// reported it.
	changed bool
}

// FollowAppointment follows the appointment with carepath ID id, booked to
// start at start, as the journey was enrolled for it.
func (j *J) FollowAppointment(id string, start time.Time) *Appointment {
	return &Appointment{j: j, ch: workflow.GetSignalChannel(j.ctx, SignalAppointment),
		current: AppointmentUpdate{AppointmentID: id, Status: AppointmentBooked, Start: start}}
}

// Update returns the appointment as the newest update has it, and whether
// it moved or changed status since the last call (or since following it).
func (a *Appointment) Update() (AppointmentUpdate, bool) {
	a.drain()
	changed := a.changed
	a.changed = false
	return a.current, changed
}

// Current returns the appointment as the journey last took it in (Update,
// SleepUntil, Ask), without looking for new updates.
func (a *Appointment) Current() AppointmentUpdate { return a.current }

// Ended reports whether there is nothing left to remind of: the
// appointment was cancelled, entered in error, missed (noshow), or is
// under way or done (arrived, checked-in, fulfilled).
func (a *Appointment) Ended() bool { return ended(a.current.Status) }

func ended(status string) bool {
	switch status {
	case AppointmentCancelled, AppointmentNoShow, AppointmentFulfilled, AppointmentEnteredInError,
		AppointmentArrived, AppointmentCheckedIn:
		return true
	}
	return false
}

// SleepUntil waits until t, or until an update moves or ends the
// appointment (one already buffered included); it reports whether an
// update did. With t already past it only looks at what is buffered.
func (a *Appointment) SleepUntil(t time.Time) bool {
	a.drain()
	if a.changed {
		return true
	}
	d := t.Sub(workflow.Now(a.j.ctx))
	if d <= 0 {
		return false
	}
	changed, err := a.j.await(d, "appointment timer", func() bool { return a.changed }, a.signal(nil))
	a.j.must(err)
	return changed
}

// Ask asks q about the appointment. An update that moves or ends it while
// the reply is awaited ends the wait: the question is closed and the
// answer is Interrupted (unless a reply had already been routed to it,
// which is then the answer). An update already buffered returns
// Interrupted without asking.
func (a *Appointment) Ask(q Question) Answer {
	a.drain()
	if a.changed {
		return Answer{Status: StatusInterrupted}
	}
	ans, err := a.j.ask(q, a.signal(errInterrupted))
	a.j.must(err)
	return ans
}

// signal watches the appointment's updates in a wait; an update that
// moves or ends it ends the wait with onChange (nil: the wait's done
// function sees a.changed instead).
func (a *Appointment) signal(onChange error) signal {
	return signal{a.ch, func(c workflow.ReceiveChannel) error {
		var u AppointmentUpdate
		c.Receive(a.j.ctx, &u)
		if a.take(u) {
			return onChange
		}
		return nil
	}}
}

// drain takes every update already delivered, without waiting.
func (a *Appointment) drain() {
	var u AppointmentUpdate
	for a.ch.ReceiveAsync(&u) {
		a.take(u)
	}
}

// take applies u if it is newer than what the journey has, and reports
// whether it moved or ended the appointment. An update for another
// appointment (not sent by the engine, which signals by journey key) and
// one older than the newest seen are ignored; a newer one that neither
// moves nor ends it (the same start, booked or pending) is taken in
// without waking the journey.
func (a *Appointment) take(u AppointmentUpdate) bool {
	if u.AppointmentID != a.current.AppointmentID || u.Version <= a.current.Version {
		a.j.log.Info("appointment update ignored", "version", u.Version, "known_version", a.current.Version)
		return false
	}
	if u.Start.IsZero() { // a cancellation may come without a start
		u.Start = a.current.Start
	}
	material := !u.Start.Equal(a.current.Start) || (ended(u.Status) && !ended(a.current.Status))
	a.current = u
	if material {
		a.changed = true
	}
	return material
}

// Vars are the template variables naming the appointment's start on the
// patient's wall clock, in their language: {{.appointment_date}}
// ("Tuesday, January 6" / "martes 6 de enero") and {{.appointment_time}}
// ("3:30 PM" / "3:30 p. m."). The zone and language are read when called.
// The start enters the history as the params already did; no name does.
func (a *Appointment) Vars() Vars {
	loc, locale, err := a.j.patientContext()
	a.j.must(err)
	date, clock := LocalDateTime(a.current.Start, loc, locale)
	return Vars{"appointment_date": date, "appointment_time": clock}
}

// Local is the appointment's start in the patient's zone (read when
// called).
func (a *Appointment) Local() time.Time {
	loc, _, err := a.j.patientContext()
	a.j.must(err)
	return a.current.Start.In(loc)
}

// patientContext reads the patient's zone and language (PatientContext).
func (j *J) patientContext() (*time.Location, string, error) {
	var pc activities.PatientContextResult
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(j.ctx, recordOptions), acts.PatientContext,
		activities.PatientContextRequest{PatientID: j.in.PatientID}).Get(j.ctx, &pc)
	if err != nil {
		return nil, "", fmt.Errorf("patient context: %w", err)
	}
	loc, err := time.LoadLocation(pc.Timezone)
	if err != nil {
		return nil, "", fmt.Errorf("patient context: zone: %w", err)
	}
	return loc, pc.Locale, nil
}

var (
	weekdaysES = [...]string{"domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"}
	monthsES   = [...]string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
		"septiembre", "octubre", "noviembre", "diciembre"}
)

// LocalDateTime writes t's date and time of day in loc for a patient
// reading locale ("es": "martes 6 de enero", "3:30 p. m."; otherwise
// English: "Tuesday, January 6", "3:30 PM").
func LocalDateTime(t time.Time, loc *time.Location, locale string) (date, clock string) {
	l := t.In(loc)
	if locale == "es" {
		suffix := "a. m."
		if l.Hour() >= 12 {
			suffix = "p. m."
		}
		return fmt.Sprintf("%s %d de %s", weekdaysES[l.Weekday()], l.Day(), monthsES[l.Month()-1]),
			fmt.Sprintf("%s %s", l.Format("3:04"), suffix)
	}
	return l.Format("Monday, January 2"), l.Format("3:04 PM")
}

// Appointment responses the patient's reply records (Respond).
const (
	AppointmentConfirmed           = activities.AppointmentConfirmed
	AppointmentCancelledByPatient  = activities.AppointmentCancelled
	AppointmentRescheduleRequested = activities.AppointmentRescheduleRequested
)

// Respond records the patient's answer a to a reminder on the appointment
// (AppointmentConfirmed, AppointmentCancelledByPatient or
// AppointmentRescheduleRequested): the EHR is told through the pusher. A
// cancellation also ends the appointment here, so Ended reports it.
func (a *Appointment) Respond(response string, ans Answer) {
	req := activities.AppointmentRespondRequest{AppointmentID: a.current.AppointmentID, PatientID: a.j.in.PatientID,
		EnrollmentID: a.j.in.EnrollmentID, Response: response, MessageID: ans.MessageID, RespondedAt: workflow.Now(a.j.ctx)}
	var res activities.AppointmentRespondResult
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(a.j.ctx, recordOptions), acts.AppointmentRespond, req).Get(a.j.ctx, &res); err != nil {
		a.j.must(fmt.Errorf("appointment respond: %w", err))
	}
	if response == AppointmentCancelledByPatient {
		a.current.Status = AppointmentCancelled
	}
}

// Reminded records that n reminders of the appointment have been sent
// (the journey counts them, so a retry records the same number).
func (a *Appointment) Reminded(n int) {
	req := activities.AppointmentRemindedRequest{AppointmentID: a.current.AppointmentID, PatientID: a.j.in.PatientID,
		EnrollmentID: a.j.in.EnrollmentID, Reminders: n}
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(a.j.ctx, recordOptions), acts.AppointmentReminded, req).Get(a.j.ctx, nil); err != nil {
		a.j.must(fmt.Errorf("appointment reminded: %w", err))
	}
}

package journeys_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/activities"
	"github.com/carepath/carepath/journeys"
	"github.com/carepath/carepath/workflows"
	"github.com/carepath/carepath/workflows/journeytest"
)

// The harness starts Monday 2026-01-05 00:00 UTC: Sunday 19:00 in New
// York (UTC-5), the patient's default zone.
const apptID = "33333333-3333-4333-8333-333333333333"

// apptHarness is the journeytest harness plus recorders for the
// appointment activities.
type apptHarness struct {
	*journeytest.Harness
	mu        sync.Mutex
	responses []activities.AppointmentRespondRequest
	reminded  []int
}

func newApptHarness(t *testing.T) *apptHarness {
	h := &apptHarness{Harness: journeytest.New(t, journeys.AppointmentReminders)}
	var a *activities.Activities
	h.Env.OnActivity(a.AppointmentRespond, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req activities.AppointmentRespondRequest) (activities.AppointmentRespondResult, error) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.responses = append(h.responses, req)
			return activities.AppointmentRespondResult{Found: true, Status: "booked", Version: 2}, nil
		})
	h.Env.OnActivity(a.AppointmentReminded, mock.Anything, mock.Anything).Return(
		func(_ context.Context, req activities.AppointmentRemindedRequest) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.reminded = append(h.reminded, req.Reminders)
			return nil
		})
	return h
}

// at is a UTC instant as an offset from the harness's start.
func at(y int, m time.Month, d, hh, mm int, zone string) time.Duration {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		panic(err)
	}
	return time.Date(y, m, d, hh, mm, 0, 0, loc).Sub(time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC))
}

const ny = "America/New_York"

// params for an appointment at offset after the start.
func apptParams(start time.Duration, extra string) string {
	s := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC).Add(start).Format(time.RFC3339)
	return fmt.Sprintf(`{"appointment_id":%q,"start":%q%s}`, apptID, s, extra)
}

func (h *apptHarness) updateAt(offset time.Duration, u workflows.AppointmentUpdate) {
	h.Env.RegisterDelayedCallback(func() { h.Env.SignalWorkflow(workflows.SignalAppointment, u) }, offset)
}

func (h *apptHarness) responded() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, r := range h.responses {
		out = append(out, r.Response)
	}
	return out
}

func wantSentAt(t *testing.T, h *apptHarness, want ...time.Duration) {
	t.Helper()
	sent := h.Sent()
	if len(sent) != len(want) {
		t.Fatalf("sent %d messages (%v), want %d", len(sent), h.Templates(), len(want))
	}
	for i, s := range sent {
		if s.At != want[i] {
			t.Errorf("message %d (%s) at %v, want %v", i, s.Template, s.At, want[i])
		}
	}
}

const reminder = "appointment_reminders.reminder"

// Friday 2026-01-09 15:30 in New York: reminders Tuesday and Thursday at
// 15:30 local, no reply, the journey ends when the appointment starts.
func TestAppointmentRemindersAtOffsetsLocalTime(t *testing.T) {
	h := newApptHarness(t)
	start := at(2026, 1, 9, 15, 30, ny)
	var before, waiting string
	h.StepAt(10*time.Hour, &before)
	h.StepAt(start-time.Hour, &waiting)
	if out := run(t, h.Harness, apptParams(start, "")); out != journeys.OutcomeNoResponse {
		t.Fatalf("outcome %q", out)
	}
	wantTemplates(t, h.Harness, reminder, reminder)
	wantSentAt(t, h, at(2026, 1, 6, 15, 30, ny), at(2026, 1, 8, 15, 30, ny))
	// The last reminder waits for a reply until the appointment.
	if before != "waiting_to_remind" || waiting != "reminding" {
		t.Fatalf("steps %q, then %q before the appointment", before, waiting)
	}
	if h.reminded[len(h.reminded)-1] != 2 {
		t.Fatalf("reminders recorded %v, want ending at 2", h.reminded)
	}
	if len(h.responses) != 0 || len(h.Tasks()) != 0 {
		t.Fatalf("responses %v tasks %v", h.responses, h.Tasks())
	}
}

// The patient's zone decides the wall clock: the same instant in Los
// Angeles is reminded at 12:30 there.
func TestAppointmentRemindersFollowPatientZone(t *testing.T) {
	h := newApptHarness(t)
	h.Timezone = "America/Los_Angeles"
	start := at(2026, 1, 9, 12, 30, h.Timezone)
	run(t, h.Harness, apptParams(start, ""))
	wantSentAt(t, h, at(2026, 1, 6, 12, 30, h.Timezone), at(2026, 1, 8, 12, 30, h.Timezone))
}

// A reminder due in quiet hours goes when sending opens (09:00 local)
// when that is at least an hour before the appointment.
func TestAppointmentReminderInQuietHoursMovesLater(t *testing.T) {
	h := newApptHarness(t)
	start := at(2026, 1, 9, 8, 30, ny) // reminders due 08:30 local
	run(t, h.Harness, apptParams(start, ""))
	wantSentAt(t, h, at(2026, 1, 6, 9, 0, ny), at(2026, 1, 8, 9, 0, ny))
}

// When the later slot would be too close to (or after) the appointment,
// the reminder moves earlier: 19:30 the evening before.
func TestAppointmentReminderInQuietHoursMovesEarlier(t *testing.T) {
	h := newApptHarness(t)
	start := at(2026, 1, 6, 9, 30, ny) // Tuesday 09:30: the 2h reminder is due 07:30
	run(t, h.Harness, apptParams(start, `,"offsets":["24h","2h"]`))
	wantSentAt(t, h, at(2026, 1, 5, 9, 30, ny), at(2026, 1, 5, 19, 30, ny))
}

// Booked 30 hours ahead (less than the first offset, 72h): one prompt
// reminder at once, not the 24-hour one.
func TestAppointmentBookedLateGetsOnePromptReminder(t *testing.T) {
	h := newApptHarness(t)
	run(t, h.Harness, apptParams(30*time.Hour, ""))
	wantTemplates(t, h.Harness, reminder)
	wantSentAt(t, h, 0)
}

// Booked late at night: the prompt reminder waits for the morning.
func TestAppointmentPromptReminderWaitsOutQuietHours(t *testing.T) {
	h := newApptHarness(t)
	h.Timezone = "Asia/Kolkata" // 05:30 Monday there
	run(t, h.Harness, apptParams(30*time.Hour, ""))
	wantSentAt(t, h, at(2026, 1, 5, 9, 0, h.Timezone))
}

// An appointment that has already started gets no reminder.
func TestAppointmentAlreadyStartedGetsNone(t *testing.T) {
	h := newApptHarness(t)
	if out := run(t, h.Harness, apptParams(-time.Hour, "")); out != journeys.OutcomeNotReminded {
		t.Fatalf("outcome %q", out)
	}
	wantTemplates(t, h.Harness)
}

// Replies to the first reminder, in English and Spanish: confirm, ask to
// reschedule, cancel. Each is recorded on the appointment and answered;
// no later reminder follows.
func TestAppointmentReplies(t *testing.T) {
	start := at(2026, 1, 9, 15, 30, ny)
	first := at(2026, 1, 6, 15, 30, ny)
	for _, c := range []struct {
		reply, response, outcome, answer string
		task                             bool
	}{
		{"C", workflows.AppointmentConfirmed, journeys.OutcomeConfirmed, "appointment_reminders.confirmed", false},
		{"Sí, confirmo", workflows.AppointmentConfirmed, journeys.OutcomeConfirmed, "appointment_reminders.confirmed", false},
		{"R", workflows.AppointmentRescheduleRequested, journeys.OutcomeRescheduleRequested, "appointment_reminders.will_call", true},
		{"cambiar", workflows.AppointmentRescheduleRequested, journeys.OutcomeRescheduleRequested, "appointment_reminders.will_call", true},
		{"x", workflows.AppointmentCancelledByPatient, journeys.OutcomeCancelled, "appointment_reminders.cancelled", false},
		{"Cancelar la cita", workflows.AppointmentCancelledByPatient, journeys.OutcomeCancelled, "appointment_reminders.cancelled", false},
	} {
		t.Run(c.reply, func(t *testing.T) {
			h := newApptHarness(t)
			h.ReplyAt(first+time.Hour, c.reply)
			if out := run(t, h.Harness, apptParams(start, "")); out != c.outcome {
				t.Fatalf("outcome %q, want %q", out, c.outcome)
			}
			wantTemplates(t, h.Harness, reminder, c.answer)
			if got := h.responded(); len(got) != 1 || got[0] != c.response {
				t.Fatalf("responses %v, want %s", got, c.response)
			}
			if r := h.responses[0]; r.AppointmentID != apptID || r.MessageID == "" || r.RespondedAt.IsZero() {
				t.Fatalf("response request %+v", r)
			}
			if c.task {
				tasks := wantTasks(t, h.Harness, string(carepath.PriorityNormal)+": "+journeys.ReasonAppointmentReschedule)
				if tasks[0].MessageID != h.responses[0].MessageID {
					t.Fatalf("task does not carry the reply's message ID")
				}
			} else {
				wantTasks(t, h.Harness)
			}
		})
	}
}

// A reply not understood is clarified once; still not understood, a
// review task holds it and no more reminders go.
func TestAppointmentUnrecognisedThenReview(t *testing.T) {
	h := newApptHarness(t)
	start := at(2026, 1, 9, 15, 30, ny)
	first := at(2026, 1, 6, 15, 30, ny)
	h.ReplyAt(first+time.Hour, "what time was it?")
	h.ReplyAt(first+2*time.Hour, "hmm")
	if out := run(t, h.Harness, apptParams(start, "")); out != journeys.OutcomeNeedsReview {
		t.Fatalf("outcome %q", out)
	}
	wantTemplates(t, h.Harness, reminder, "appointment_reminders.clarify")
	wantTasks(t, h.Harness, string(carepath.PriorityNormal)+": "+journeys.ReasonAppointmentUnclear)
}

// Unrecognised, then clarified with C: confirmed.
func TestAppointmentClarifiedThenConfirmed(t *testing.T) {
	h := newApptHarness(t)
	start := at(2026, 1, 9, 15, 30, ny)
	first := at(2026, 1, 6, 15, 30, ny)
	h.ReplyAt(first+time.Hour, "ok?")
	h.ReplyAt(first+2*time.Hour, "C")
	if out := run(t, h.Harness, apptParams(start, "")); out != journeys.OutcomeConfirmed {
		t.Fatalf("outcome %q", out)
	}
	wantTemplates(t, h.Harness, reminder, "appointment_reminders.clarify", "appointment_reminders.confirmed")
}

// STOP while a reminder waits ends the journey.
func TestAppointmentStopEndsIt(t *testing.T) {
	h := newApptHarness(t)
	first := at(2026, 1, 6, 15, 30, ny)
	h.OptOutAt(first+time.Hour, carepath.ChannelSMS)
	if out := run(t, h.Harness, apptParams(at(2026, 1, 9, 15, 30, ny), "")); out != journeys.OutcomeOptedOut {
		t.Fatalf("outcome %q", out)
	}
	wantTemplates(t, h.Harness, reminder)
}

// The EHR cancels before the first reminder: nothing is sent.
func TestAppointmentCancelledInEHRBeforeReminding(t *testing.T) {
	h := newApptHarness(t)
	start := at(2026, 1, 9, 15, 30, ny)
	h.updateAt(10*time.Hour, workflows.AppointmentUpdate{AppointmentID: apptID, Status: "cancelled", Version: 3})
	if out := run(t, h.Harness, apptParams(start, "")); out != journeys.OutcomeAppointmentCancelled {
		t.Fatalf("outcome %q", out)
	}
	wantTemplates(t, h.Harness)
	if f := h.Finished(); f.Detail != "appointment cancelled in the EHR" {
		t.Fatalf("detail %q", f.Detail)
	}
}

// The EHR cancels while the first reminder waits for a reply: the wait
// ends and the second reminder never goes.
func TestAppointmentCancelledInEHRWhileWaiting(t *testing.T) {
	h := newApptHarness(t)
	start := at(2026, 1, 9, 15, 30, ny)
	first := at(2026, 1, 6, 15, 30, ny)
	h.updateAt(first+5*time.Hour, workflows.AppointmentUpdate{AppointmentID: apptID, Status: "cancelled", Start: time.Time{}, Version: 3})
	if out := run(t, h.Harness, apptParams(start, "")); out != journeys.OutcomeAppointmentCancelled {
		t.Fatalf("outcome %q", out)
	}
	wantTemplates(t, h.Harness, reminder)
	if h.Env.Now().Sub(h.Start()) > first+6*time.Hour {
		t.Fatalf("journey ran on to %v after the cancellation", h.Env.Now().Sub(h.Start()))
	}
}

// The EHR moves the appointment two days later: the same journey reminds
// at the offsets before the new time; an older update arriving late (the
// original time) is ignored.
func TestAppointmentMovedInEHRMovesReminders(t *testing.T) {
	h := newApptHarness(t)
	start := at(2026, 1, 9, 15, 30, ny)
	moved := time.Date(2026, 1, 11, 15, 30, 0, 0, mustZone(ny))
	h.updateAt(10*time.Hour, workflows.AppointmentUpdate{AppointmentID: apptID, Status: "booked", Start: moved, Version: 4})
	h.updateAt(11*time.Hour, workflows.AppointmentUpdate{AppointmentID: apptID, Status: "booked",
		Start: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC).Add(start), Version: 3})
	if out := run(t, h.Harness, apptParams(start, "")); out != journeys.OutcomeNoResponse {
		t.Fatalf("outcome %q", out)
	}
	wantSentAt(t, h, at(2026, 1, 8, 15, 30, ny), at(2026, 1, 10, 15, 30, ny))
	if h.Env.Now().Sub(h.Start()) != at(2026, 1, 11, 15, 30, ny) {
		t.Fatalf("journey ended at %v, want the new start", h.Env.Now().Sub(h.Start()))
	}
	if len(h.Started()) != 0 {
		t.Fatalf("a move started journeys %v: it must move this one's reminders", h.Started())
	}
}

// Moved while the first reminder waits: the wait ends, the question is
// closed, and reminders follow the new time.
func TestAppointmentMovedInEHRWhileWaiting(t *testing.T) {
	h := newApptHarness(t)
	start := at(2026, 1, 9, 15, 30, ny)
	first := at(2026, 1, 6, 15, 30, ny)
	moved := time.Date(2026, 1, 13, 10, 0, 0, 0, mustZone(ny))
	h.updateAt(first+time.Hour, workflows.AppointmentUpdate{AppointmentID: apptID, Status: "booked", Start: moved, Version: 2})
	run(t, h.Harness, apptParams(start, ""))
	wantSentAt(t, h, first, at(2026, 1, 10, 10, 0, ny), at(2026, 1, 12, 10, 0, ny))
	if h.reminded[len(h.reminded)-1] != 3 {
		t.Fatalf("reminders recorded %v", h.reminded)
	}
}

// A confirmed appointment the EHR marks fulfilled ends confirmed.
func TestAppointmentConfirmedThenFulfilled(t *testing.T) {
	h := newApptHarness(t)
	start := at(2026, 1, 9, 15, 30, ny)
	h.ReplyAt(at(2026, 1, 6, 16, 0, ny), "confirm")
	h.updateAt(at(2026, 1, 9, 15, 0, ny), workflows.AppointmentUpdate{AppointmentID: apptID, Status: "fulfilled", Version: 5})
	if out := run(t, h.Harness, apptParams(start, "")); out != journeys.OutcomeConfirmed {
		t.Fatalf("outcome %q", out)
	}
	wantTemplates(t, h.Harness, reminder, "appointment_reminders.confirmed")
}

// Params: appointment_id and start are required whenever params are
// given; offsets take a list or a comma-separated string.
func TestAppointmentParams(t *testing.T) {
	d := journeys.AppointmentReminders
	if _, err := d.NormalizeParams([]byte(`{"start":"2026-01-09T15:30:00-05:00"}`)); errField(err) != "params.appointment_id" {
		t.Fatalf("missing appointment_id: %v", err)
	}
	if _, err := d.NormalizeParams([]byte(`{"appointment_id":"` + apptID + `"}`)); errField(err) != "params.start" {
		t.Fatalf("missing start: %v", err)
	}
	if _, err := d.NormalizeParams([]byte(`{"appointment_id":"` + apptID + `","start":"tomorrow"}`)); errField(err) != "params.start" {
		t.Fatalf("bad start: %v", err)
	}
	got, err := d.NormalizeParams([]byte(`{"appointment_id":"` + apptID + `","start":"2026-01-09T15:30:00-05:00","offsets":"24h, 72h"}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := `"offsets":["72h0m0s","24h0m0s"]`; !strings.Contains(string(got), want) {
		t.Fatalf("normalised %s, want %s", got, want)
	}
	if _, err := d.NormalizeParams([]byte(`{"appointment_id":"` + apptID + `","start":"2026-01-09T15:30:00-05:00","offsets":["30m"]}`)); errField(err) != "params.offsets" {
		t.Fatalf("offset under its minimum: %v", err)
	}
	// The booking event's data becomes the params.
	raw := d.Triggers[0].Params(map[string]any{"appointment_id": apptID, "start": "2026-01-09T15:30:00-05:00"})
	if _, err := d.NormalizeParams(raw); err != nil {
		t.Fatalf("params from the event %s: %v", raw, err)
	}
}

// The wording, rendered with a long Spanish date, fits two SMS segments.
func TestAppointmentWordingFits(t *testing.T) {
	reg, err := journeys.Registry()
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"given_name": "Maximiliano"}
	for _, loc := range []string{"en", "es"} {
		date, clock := workflows.LocalDateTime(time.Date(2026, 9, 30, 12, 30, 0, 0, time.UTC), time.UTC, loc)
		if loc == "es" {
			date, clock = workflows.LocalDateTime(time.Date(2026, 9, 26, 12, 30, 0, 0, time.UTC), time.UTC, loc) // sábado: UCS-2
		}
		vars["appointment_date"], vars["appointment_time"] = date, clock
		for _, key := range reg.Templates().Keys() {
			if !strings.Contains(key, "appointment_reminders.") {
				continue
			}
			_, body, _, err := reg.Templates().Render(key, loc, vars)
			if err != nil {
				t.Fatal(err)
			}
			if n, _ := smsSegments(body); n > 2 {
				t.Errorf("%s/%s: %d segments: %s", key, loc, n, body)
			}
		}
	}
}

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// errField is the field a carepath.Error names ("" for any other error).
func errField(err error) string {
	var e *carepath.Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// An update that neither moves nor ends the appointment (pending, the
// same start) changes nothing: the reminders go as planned and the
// reply wait is not cut short. Arrived ends the journey.
func TestAppointmentOtherStatusesKeepThePlan(t *testing.T) {
	h := newApptHarness(t)
	start := at(2026, 1, 9, 15, 30, ny)
	first := at(2026, 1, 6, 15, 30, ny)
	startAt := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC).Add(start)
	h.updateAt(10*time.Hour, workflows.AppointmentUpdate{AppointmentID: apptID, Status: "pending", Start: startAt, Version: 2})
	h.updateAt(first+time.Hour, workflows.AppointmentUpdate{AppointmentID: apptID, Status: "booked", Start: startAt, Version: 3})
	h.ReplyAt(first+2*time.Hour, "C")
	h.updateAt(start-10*time.Minute, workflows.AppointmentUpdate{AppointmentID: apptID, Status: "arrived", Start: startAt, Version: 4})
	if out := run(t, h.Harness, apptParams(start, "")); out != journeys.OutcomeConfirmed {
		t.Fatalf("outcome %q", out)
	}
	wantTemplates(t, h.Harness, reminder, "appointment_reminders.confirmed")
	if h.Env.Now().Sub(h.Start()) != start-10*time.Minute {
		t.Fatalf("ended at %v, want on arrival", h.Env.Now().Sub(h.Start()))
	}
	if f := h.Finished(); f.Detail != "appointment arrived in the EHR" {
		t.Fatalf("detail %q", f.Detail)
	}
}

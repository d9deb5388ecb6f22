package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/activities"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/store"
	"github.com/carepath/carepath/workflows"
)

// TestAppointmentRemindersEndToEnd runs the reminders as production wires
// them (worker, send lanes, the fake Twilio through twilio-go): a booking
// event 30 hours ahead enrolls the patient and one prompt reminder with
// the local date and time goes out; replying C confirms the appointment
// (the row the EHR pusher reads: response, patient_response, version).
// A second appointment cancelled in the EHR while its reminder waits ends
// that journey.
func TestAppointmentRemindersEndToEnd(t *testing.T) {
	testenv.SkipShort(t)
	ctx := context.Background()
	testenv.Pool(t) // migrations
	h := startE2E(t, testenv.Get(t).DatabaseURL, 10, func(a *activities.Activities) { a.Policy = activities.DefaultPolicy })
	e, st, tw := h.e, h.st, h.tw

	book := func() (carepath.Patient, store.Appointment, []string) {
		t.Helper()
		p, err := e.CreatePatient(ctx, testActor, carepath.NewPatient{GivenName: "Appt", FamilyName: "Keeper", BirthDate: "1958-05-06",
			Locale: "en", PreferredChannel: carepath.ChannelSMS, Phone: fmt.Sprintf("+1338%07d", phoneSeq.Add(1)%10_000_000),
			Timezone: testenv.ZoneAt(12)})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now().Add(30 * time.Hour).UTC().Truncate(time.Second)
		a, err := st.AppointmentInsertFHIR(ctx, store.Appointment{ID: uuid.NewString(), PatientID: p.ID,
			FHIRID: "e2e-" + uuid.NewString()[:8], Status: "booked", Start: &start})
		if err != nil {
			t.Fatal(err)
		}
		data, err := json.Marshal(map[string]any{"appointment_id": a.ID, "start": start.Format(time.RFC3339)})
		if err != nil {
			t.Fatal(err)
		}
		_, _, enrolled, err := e.RecordEvent(ctx, testActor, carepath.NewEvent{ID: "booked-" + a.ID, Type: "appointment.booked",
			PatientID: p.ID, OccurredAt: time.Now().UTC().Format(time.RFC3339), Data: data})
		if err != nil || len(enrolled) != 1 {
			t.Fatalf("booking event: %v enrollments, %v", enrolled, err)
		}
		return p, a, enrolled
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within 30 s", what)
			}
		}
	}
	openQuestion := func(p carepath.Patient) func() bool {
		return func() bool {
			var open int
			if err := testenv.Pool(t).QueryRow(ctx, `SELECT count(*) FROM questions WHERE patient_id = $1 AND status = 'open'`, p.ID).Scan(&open); err != nil {
				t.Fatal(err)
			}
			return open == 1
		}
	}

	// Confirmed by SMS.
	p, appt, _ := book()
	waitFor("the prompt reminder", func() bool { return len(tw.To(p.Phone)) == 1 })
	body := tw.To(p.Phone)[0].Body
	loc, err := time.LoadLocation(p.Timezone)
	if err != nil {
		t.Fatal(err)
	}
	date, clock := workflows.LocalDateTime(*appt.Start, loc, "en")
	if !strings.Contains(body, date+" at "+clock) || !strings.Contains(body, "Reply C to confirm") {
		t.Fatalf("reminder %q does not give the appointment's local date and time (%s %s)", body, date, clock)
	}
	waitFor("the reminder's question", openQuestion(p))
	if err := e.ReceiveMessage(ctx, sms(p.Phone, "C")); err != nil {
		t.Fatal(err)
	}
	if err := e.RouteDue(ctx); err != nil { // the reply router, as the webhook wakes it
		t.Fatal(err)
	}
	var got store.Appointment
	waitFor("the confirmation on the appointment", func() bool {
		var found bool
		if got, found, err = st.AppointmentByFHIRIDLock(ctx, appt.FHIRID); err != nil || !found {
			t.Fatalf("appointment: %v %v", found, err)
		}
		return got.Response == store.AppointmentConfirmed
	})
	if got.PatientResponse != "accepted" || got.Status != "booked" || got.Version != appt.Version+1 || got.RemindersSent != 1 {
		t.Fatalf("confirmed appointment %+v", got)
	}
	waitFor("the thanks", func() bool { return len(tw.To(p.Phone)) == 2 })
	fmt.Printf("appointment reminders: booked 30 h ahead, 1 prompt reminder, C confirmed it (version %d -> %d)\n", appt.Version, got.Version)

	// Cancelled in the EHR while the reminder waits: the journey ends.
	p2, appt2, enrolled := book()
	waitFor("the second prompt reminder", func() bool { return len(tw.To(p2.Phone)) == 1 })
	if err := h.tc.SignalWorkflow(ctx, workflows.WorkflowID(enrolled[0]), "", workflows.SignalAppointment,
		workflows.AppointmentUpdate{AppointmentID: appt2.ID, Status: "cancelled", Version: appt2.Version + 1}); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var res workflows.Result
	if err := h.tc.GetWorkflow(wctx, workflows.WorkflowID(enrolled[0]), "").Get(wctx, &res); err != nil {
		t.Fatal(err)
	}
	if res.Outcome != "appointment_cancelled" || len(tw.To(p2.Phone)) != 1 {
		t.Fatalf("after the EHR cancelled: outcome %q, %d SMS", res.Outcome, len(tw.To(p2.Phone)))
	}
}

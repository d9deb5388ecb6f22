package engine

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/activities"
	"github.com/carepath/carepath/answers"
	"github.com/carepath/carepath/journeys"
	"github.com/carepath/carepath/store"
	"github.com/carepath/carepath/workflows/journeytest"
)

// onboardingQuestions runs the real onboarding journey (on the journey
// test harness) and returns what its contact and language questions
// accept, as the send activity stores them for the router.
func onboardingQuestions(t *testing.T) map[string]answers.Spec {
	t.Helper()
	var mu sync.Mutex
	specs := map[string]answers.Spec{}
	h := journeytest.New(t, journeys.Onboarding, journeys.All()...)
	h.SendResult = func(req activities.SendMessageRequest) activities.SendMessageResult {
		if req.Question != nil {
			mu.Lock()
			specs[req.Question.Key] = req.Question.Accepts
			mu.Unlock()
		}
		return activities.SendMessageResult{Outcome: activities.OutcomeSent, Channel: carepath.ChannelSMS}
	}
	h.ReplyAt(time.Minute, "yes")
	h.ReplyAt(2*time.Minute, "1")
	if _, err := h.Run(`{"reply_timeout":"1h","reminders":0}`); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(specs["contact"].Choices) == 0 || len(specs["language"].Choices) == 0 {
		t.Fatalf("onboarding asked %v", specs)
	}
	return specs
}

// newEmailPatient is a patient with a phone and an email, so a change to
// email can take effect.
func newEmailPatient(t *testing.T, e *Engine) string {
	t.Helper()
	id := uuid.NewString()
	_, err := e.Store.PatientInsert(context.Background(), id, carepath.NewPatient{GivenName: "Ans", FamilyName: "Werfirst",
		BirthDate: "1970-01-01", Phone: fmt.Sprintf("+1334%07d", phoneSeq.Add(1)%10_000_000), Email: id[:8] + "@example.org",
		Timezone: "UTC", PreferredChannel: "sms", Locale: "en"})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// A preference phrase that also answers the open question answers it
// (issue 12, item 6; review 1.10): with onboarding's real questions
// waiting, "By email" answers "is this the best way to reach you? …EMAIL
// or TEXT" and "en español" answers "which language?", and neither is
// taken as a preference change (onboarding makes the change itself, from
// the answer). With no question open, the same replies are preference
// changes: the phrases are preference phrases, so the order is what
// decides.
func TestPreferencePhraseThatFitsTheQuestionAnswersIt(t *testing.T) {
	ctx := context.Background()
	up := newTestEngine(t, true)
	specs := onboardingQuestions(t)
	for _, c := range []struct {
		key, reply string
		changed    func(store.PatientRecord) bool
	}{
		{"contact", "By email", func(p store.PatientRecord) bool { return p.PreferredChannel == carepath.ChannelEmail }},
		{"language", "en español", func(p store.PatientRecord) bool { return p.Locale == "es" }},
	} {
		t.Run(c.key, func(t *testing.T) {
			pid := newEmailPatient(t, up)
			_, qs := waitingJourney(t, up, pid, store.Question{Key: c.key, Accepts: specs[c.key]})
			if err := up.ReceiveMessage(ctx, sms(patientPhone(t, up, pid), c.reply)); err != nil {
				t.Fatal(err)
			}
			msgID := inboundMessages(t, up, pid)[0].ID
			answered, ok, err := up.Store.QuestionAnsweredBy(ctx, msgID)
			if err != nil || !ok || answered.ID != qs[0].ID {
				t.Fatalf("%q did not answer onboarding's %s question: %v %v %v", c.reply, c.key, answered.ID, ok, err)
			}
			p, err := up.Store.PatientGet(ctx, pid)
			if err != nil {
				t.Fatal(err)
			}
			if c.changed(p) {
				t.Fatalf("%q changed preferences although it answered the question", c.reply)
			}

			// The control: no question open, the same reply is a preference.
			other := newEmailPatient(t, up)
			if err := up.ReceiveMessage(ctx, sms(patientPhone(t, up, other), c.reply)); err != nil {
				t.Fatal(err)
			}
			if p, err = up.Store.PatientGet(ctx, other); err != nil {
				t.Fatal(err)
			}
			if !c.changed(p) {
				t.Fatalf("%q with no question open is not a preference change: the test would prove nothing", c.reply)
			}
		})
	}
}

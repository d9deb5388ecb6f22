package activities

import (
	"context"
	"testing"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/internal/fakesendgrid"
	"github.com/carepath/carepath/messaging"
	"github.com/carepath/carepath/store"
)

// withSendGrid sends email with the real sendgrid-go client to a fake
// SendGrid whose first send is accepted and answered 500. events says
// whether SendGrid's event webhook is configured.
func (f *fixture) withSendGrid(events bool) *fakesendgrid.Server {
	f.t.Helper()
	sg := fakesendgrid.New()
	f.t.Cleanup(sg.Close)
	first := true
	sg.Chaos = func(fakesendgrid.Mail) fakesendgrid.Plan {
		if first {
			first = false
			return fakesendgrid.Plan{Fault: fakesendgrid.FaultAcceptThenError}
		}
		return fakesendgrid.Plan{}
	}
	email, err := messaging.NewSendGrid(messaging.SendGridConfig{APIKey: "SG.test", From: "care@example.org",
		APIURL: sg.URL, Timeout: testClientTimeout})
	if err != nil {
		f.t.Fatal(err)
	}
	f.acts.Email, f.acts.EmailEvents = email, events
	return sg
}

func (f *fixture) emailRequest(p store.PatientRecord) SendMessageRequest {
	req := f.request(p, "t.msg", 1)
	req.Channel, req.NoFallback = carepath.ChannelEmail, true
	return req
}

// Without an event webhook nothing can prove whether SendGrid took an
// email whose send answered 500: it is held (status, reason, care-team
// task, typed outcome), never resent. Before the fix the 500 requeued it.
func TestEmailUnknownOutcomeWithoutEventsIsHeld(t *testing.T) {
	f := newFixture(t)
	sg := f.withSendGrid(false)
	p := f.patient(12, true)
	req := f.emailRequest(p)
	for range 2 { // a retry finds it held
		res, err := f.acts.SendMessage(context.Background(), req)
		if err != nil || res.Outcome != OutcomeHeld || res.Reason != ReasonOutcomeUnknown || res.Channel != carepath.ChannelEmail {
			t.Fatalf("email after accept-then-500: %+v %v", res, err)
		}
	}
	if n := len(sg.To(p.Email)); n != 1 {
		t.Fatalf("%d emails at SendGrid, want 1", n)
	}
	msgs, err := f.store.MessagesByPatient(context.Background(), p.ID, 10)
	if err != nil || len(msgs) != 1 || msgs[0].Status != carepath.MessageHeld || msgs[0].StatusReason != ReasonOutcomeUnknown {
		t.Fatalf("timeline: %+v %v", msgs, err)
	}
	held := 0
	for _, tk := range f.tasks(p.ID) {
		if tk.Reason == HeldTaskReason {
			held++
		}
	}
	if held != 1 {
		t.Fatalf("%d care-team tasks for the held message, want 1", held)
	}
}

// With the event webhook, SendGrid's "processed" event (carrying the
// carepath message ID) settles the unknown outcome: sent, once.
func TestEmailUnknownOutcomeSettledByProcessedEvent(t *testing.T) {
	f := newFixture(t)
	sg := f.withSendGrid(true)
	p := f.patient(12, true)
	req := f.emailRequest(p)
	if _, err := f.acts.SendMessage(context.Background(), req); err == nil {
		t.Fatal("an unknown outcome reported as an outcome before the event")
	}
	mails := sg.To(p.Email)
	if len(mails) != 1 || mails[0].CarepathID != req.MessageID {
		t.Fatalf("SendGrid holds %+v", mails)
	}
	// What the event webhook does with "processed".
	if err := f.store.MessageMarkSent(context.Background(), req.MessageID, messaging.ProviderSendGrid, mails[0].ID); err != nil {
		t.Fatal(err)
	}
	if res, _ := f.run(req); res.Outcome != OutcomeSent || len(sg.To(p.Email)) != 1 {
		t.Fatalf("after the processed event: %+v, %d emails", res, len(sg.To(p.Email)))
	}
}

// With the event webhook but no event within the hold wait: held.
func TestEmailUnknownOutcomeWithoutAnEventInTimeIsHeld(t *testing.T) {
	f := newFixture(t)
	sg := f.withSendGrid(true)
	p := f.patient(12, true)
	res, attempts := f.run(f.emailRequest(p))
	if res.Outcome != OutcomeHeld || attempts < 2 || len(sg.To(p.Email)) != 1 {
		t.Fatalf("no event: %+v after %d attempts, %d emails", res, attempts, len(sg.To(p.Email)))
	}
}

package activities

import (
	"context"
	"testing"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/internal/fakesendgrid"
	"github.com/carepath/carepath/messaging"
)

// With its slot free, SendNow sends at once, once; asked again with the
// same ID it returns the recorded outcome and sends nothing.
func TestSendNowSendsWhenTheSlotIsFree(t *testing.T) {
	f, p, held, req := slotHeld(t)
	held.Return()
	ctx := context.Background()
	for range 2 {
		res, err := f.acts.SendNow(ctx, req)
		if err != nil || res.Outcome != OutcomeSent {
			t.Fatalf("send now: %+v %v", res, err)
		}
	}
	if n, st := len(f.twilio.To(p.Phone)), f.status(req.MessageID); n != 1 || st != carepath.MessageSent {
		t.Fatalf("%d sent, row %q; want one, sent", n, st)
	}
}

// While the number's slot is held elsewhere SendNow neither waits nor
// sends: the row is left queued and the lane's SendMessage, with the same
// ID, sends it once when the slot comes.
func TestSendNowQueuesWhileTheSlotIsHeld(t *testing.T) {
	f, p, held, req := slotHeld(t)
	ctx := context.Background()
	res, err := f.acts.SendNow(ctx, req)
	if err != nil || res.Outcome != OutcomeQueued {
		t.Fatalf("send now with the slot held: %+v %v; want queued", res, err)
	}
	if n, st := len(f.twilio.To(p.Phone)), f.status(req.MessageID); n != 0 || st != carepath.MessageQueued {
		t.Fatalf("%d sent, row %q; want none, queued", n, st)
	}
	held.Return()
	if res, err := f.acts.SendMessage(ctx, req); err != nil || res.Outcome != OutcomeSent {
		t.Fatalf("lane send: %+v %v", res, err)
	}
	if n := len(f.twilio.To(p.Phone)); n != 1 {
		t.Fatalf("%d sent, want one", n)
	}
}

// A message whose provider call has an unknown outcome (accepted, then a
// 500) is not reconciled by SendNow, which would wait out the lease: it is
// queued for the lane, which reconciles it and sends nothing twice.
func TestSendNowLeavesAnUnknownOutcomeToTheLane(t *testing.T) {
	f := newFixture(t)
	p := f.patient(12, false)
	f.faults.first(acceptThen500)
	req := f.request(p, "t.msg", 1)
	ctx := context.Background()
	if _, err := f.acts.SendNow(ctx, req); err == nil {
		t.Fatal("accepted-then-500 reported as an outcome")
	}
	if st := f.status(req.MessageID); st != carepath.MessageSending {
		t.Fatalf("row %q after an unknown outcome, want %q", st, carepath.MessageSending)
	}
	res, err := f.acts.SendNow(ctx, req)
	if err != nil || res.Outcome != OutcomeQueued {
		t.Fatalf("send now on a pending row: %+v %v; want queued", res, err)
	}
	if calls := f.faults.calls(); len(calls) != 1 {
		t.Fatalf("provider calls %v: SendNow reconciled", calls)
	}
	if res, _ := f.run(req); res.Outcome != OutcomeSent {
		t.Fatalf("lane send: %+v", res)
	}
	if n := len(f.twilio.To(p.Phone)); n != 1 {
		t.Fatalf("the patient got %d messages, want exactly 1", n)
	}
}

// Behind a limiter that can never tell a slot is free (the fleet's shared
// one; here a stand-in without ReadyFor), a message likely to go by SMS is
// queued before any transaction: no outbox row, nothing sent. One likely
// to go by email (no limiter) goes at once.
func TestSendNowQueuesAtOnceBehindALimiterThatCannotTell(t *testing.T) {
	f := newFixture(t)
	f.acts.SMS = newGate(f.acts.SMS)
	sg := fakesendgrid.New()
	t.Cleanup(sg.Close)
	email, err := messaging.NewSendGrid(messaging.SendGridConfig{APIKey: "SG.test", From: "care@example.org", APIURL: sg.URL, Timeout: testClientTimeout})
	if err != nil {
		t.Fatal(err)
	}
	f.acts.Email = email
	p := f.patient(12, true)
	req := f.request(p, "t.msg", 1)
	req.Likely = carepath.ChannelSMS
	res, err := f.acts.SendNow(context.Background(), req)
	if err != nil || res.Outcome != OutcomeQueued {
		t.Fatalf("send now: %+v %v; want queued", res, err)
	}
	if st, n := f.status(req.MessageID), len(f.twilio.To(p.Phone)); st != "" || n != 0 {
		t.Fatalf("row %q, %d sent; want no row, none", st, n)
	}
	mail := f.emailRequest(p)
	mail.Likely = carepath.ChannelEmail
	if res, err := f.acts.SendNow(context.Background(), mail); err != nil || res.Outcome != OutcomeSent || res.Channel != carepath.ChannelEmail {
		t.Fatalf("email send now: %+v %v; want sent by email", res, err)
	}
}

// racedPacer says its slot is free but never hands one out: another send
// took the slot between the look and the claim.
type racedPacer struct{ messaging.Sender }

func (r racedPacer) Acquire(ctx context.Context) (*messaging.Slot, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}
func (r racedPacer) AcquireUrgent(ctx context.Context) (*messaging.Slot, error) {
	return r.Acquire(ctx)
}
func (r racedPacer) Direct() messaging.Sender { return r.Sender }
func (r racedPacer) ReadyFor(string) bool     { return true }

// A SendNow that claimed a slot which looked free, and lost it, does not
// wait on in its workflow task: it gives the claim back (the row is queued
// again, nothing sent) and leaves the message to its lane.
func TestSendNowGivesBackASlotItLost(t *testing.T) {
	f := newFixture(t)
	direct := f.acts.SMS
	f.acts.SMS = racedPacer{direct}
	p := f.patient(12, false)
	req := f.request(p, "t.msg", 1)
	req.Likely = carepath.ChannelSMS
	res, err := f.acts.SendNow(context.Background(), req)
	if err != nil || res.Outcome != OutcomeQueued {
		t.Fatalf("send now after losing the slot: %+v %v; want queued", res, err)
	}
	if st, n := f.status(req.MessageID), len(f.twilio.To(p.Phone)); st != carepath.MessageQueued || n != 0 {
		t.Fatalf("row %q, %d sent; want queued, none", st, n)
	}
	f.acts.SMS = direct
	if res, err := f.acts.SendMessage(context.Background(), req); err != nil || res.Outcome != OutcomeSent || len(f.twilio.To(p.Phone)) != 1 {
		t.Fatalf("lane send: %+v %v, %d sent; want sent once", res, err, len(f.twilio.To(p.Phone)))
	}
}

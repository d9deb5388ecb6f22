package activities

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/messaging"
	"github.com/carepath/carepath/store"
)

// slotHeld is newFixture with the SMS behind a one-per-second pacer whose
// only slot the test holds, a patient at midday and a care message for them.
func slotHeld(t *testing.T) (*fixture, store.PatientRecord, *messaging.Slot, SendMessageRequest) {
	t.Helper()
	f := newFixture(t)
	g := messaging.NewPaced(f.acts.SMS, 1).(messaging.Gated)
	f.acts.SMS = g
	held, err := g.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	p := f.patient(12, false)
	req := SendMessageRequest{MessageID: uuid.NewString(), PatientID: p.ID, Template: "t.msg", Purpose: carepath.PurposeCare,
		Vars: map[string]string{"n": "1"}}
	return f, p, held, req
}

// status reads the outbox row's status ("" before it is written).
func (f *fixture) status(id string) string {
	f.t.Helper()
	m, err := f.store.MessageGet(context.Background(), id)
	if carepath.ErrorCode(err) == carepath.ENOTFOUND {
		return ""
	}
	if err != nil {
		f.t.Fatal(err)
	}
	return m.Status
}

// On the priority lane a message is decided and claimed in one transaction
// and the slot taken after: while the number's slot is held elsewhere the
// row is already "sending"; once the slot comes back it goes, once.
func TestPriorityLaneClaimsBeforeTheSlot(t *testing.T) {
	f, p, held, req := slotHeld(t)
	done := make(chan error, 1)
	go func() {
		res, err := f.acts.SendMessage(PriorityLane(context.Background()), req)
		if err == nil && res.Outcome != OutcomeSent {
			t.Errorf("outcome %+v", res)
		}
		done <- err
	}()
	for deadline := time.Now().Add(10 * time.Second); f.status(req.MessageID) != carepath.MessageSending; {
		if time.Now().After(deadline) {
			t.Fatalf("row %q while the send waits for its slot, want %q (claimed first)", f.status(req.MessageID), carepath.MessageSending)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := len(f.twilio.To(p.Phone)); n != 0 {
		t.Fatalf("%d sent while the slot was held", n)
	}
	held.Return()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := len(f.twilio.To(p.Phone)); n != 1 || f.status(req.MessageID) != carepath.MessageSent {
		t.Fatalf("%d sent, row %q; want one, sent", n, f.status(req.MessageID))
	}
}

// A claim whose slot never came (the activity ended waiting) is given back:
// the row is queued again, nothing was sent, and the retry sends once.
func TestPriorityLaneClaimGivenBackWhenTheSlotNeverCame(t *testing.T) {
	f, p, held, req := slotHeld(t)
	ctx, cancel := context.WithTimeout(PriorityLane(context.Background()), 300*time.Millisecond)
	defer cancel()
	if _, err := f.acts.SendMessage(ctx, req); err == nil {
		t.Fatal("a send whose slot never came reported success")
	}
	if st := f.status(req.MessageID); st != carepath.MessageQueued || len(f.twilio.To(p.Phone)) != 0 {
		t.Fatalf("row %q, %d sent; want queued, none", st, len(f.twilio.To(p.Phone)))
	}
	held.Return()
	res, err := f.acts.SendMessage(PriorityLane(context.Background()), req)
	if err != nil || res.Outcome != OutcomeSent || len(f.twilio.To(p.Phone)) != 1 {
		t.Fatalf("retry: %+v %v, %d sent", res, err, len(f.twilio.To(p.Phone)))
	}
}

// On a bulk lane a message is claimed in its first transaction only when
// its slot would come at once; while the number's slot is held elsewhere
// the slot comes first (the row stays queued through the wait), so the
// rules are applied again after a wait that can be long.
func TestBulkLaneClaimsAtOnceOnlyWhenTheSlotIsFree(t *testing.T) {
	f, p, held, req := slotHeld(t)
	ctx := context.Background()
	job := &patientJob{a: f.acts, req: req}
	s, err := f.acts.outboxStep(ctx, job, claimAtOnce(ctx))
	if err != nil {
		t.Fatal(err)
	}
	if s.claimed != nil || f.status(req.MessageID) != carepath.MessageQueued {
		t.Fatalf("claimed %v, row %q while the slot is held; want no claim, queued", s.claimed != nil, f.status(req.MessageID))
	}
	held.Return()
	s, err = f.acts.outboxStep(ctx, job, claimAtOnce(ctx))
	if err != nil {
		t.Fatal(err)
	}
	if s.claimed == nil || f.status(req.MessageID) != carepath.MessageSending {
		t.Fatalf("claimed %v, row %q with the slot free; want a claim, sending", s.claimed != nil, f.status(req.MessageID))
	}
	if err := f.acts.giveBack(ctx, req.MessageID, *s.claimed); err != nil {
		t.Fatal(err)
	}
	res, err := f.acts.SendMessage(ctx, req)
	if err != nil || res.Outcome != OutcomeSent || len(f.twilio.To(p.Phone)) != 1 {
		t.Fatalf("send: %+v %v, %d sent; want sent once", res, err, len(f.twilio.To(p.Phone)))
	}
}

package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/store"
)

// The outbox enforces one provider call per message at a time: a claimed
// message cannot be claimed again, and only the attempt that owns the row
// can record its outcome.
func TestOutboxFencesAttempts(t *testing.T) {
	ctx := context.Background()
	q := store.NewQueries(testenv.Tx(t))
	p := newPatient(t, q, "+15550007001")
	id := uuid.NewString()
	if err := q.MessageOutboxInsert(ctx, store.OutboxMessage{ID: id, PatientID: p.ID, Channel: "sms", Template: "t",
		Body: "hi", Status: carepath.MessageQueued, Purpose: "care"}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	first := store.Attempt{Token: uuid.NewString(), Channel: "sms", To: p.Phone, Provider: "twilio", Body: "hi",
		At: now, LeaseUntil: now.Add(time.Minute)}
	second := first
	second.Token = uuid.NewString()
	if ok, err := q.OutboxClaim(ctx, id, first); err != nil || !ok {
		t.Fatalf("first claim: %v %v", ok, err)
	}
	if ok, err := q.OutboxClaim(ctx, id, second); err != nil || ok {
		t.Fatalf("a second claim of a message being sent: %v %v", ok, err)
	}
	if ok, err := q.OutboxAttemptSent(ctx, id, second.Token, "twilio", "SM2"); err != nil || ok {
		t.Fatalf("an attempt that does not own the row recorded a send: %v %v", ok, err)
	}
	row, err := q.OutboxLock(ctx, id)
	if err != nil || row.Status != carepath.MessageSending || row.AttemptToken != first.Token ||
		row.LeaseUntil == nil || !row.LeaseUntil.Equal(first.LeaseUntil.Truncate(time.Microsecond)) {
		t.Fatalf("claimed row: %+v %v", row, err)
	}
	if ok, err := q.OutboxAttemptSettle(ctx, id, first.Token, carepath.MessageQueued, "not accepted"); err != nil || !ok {
		t.Fatalf("requeue: %v %v", ok, err)
	}
	// The resend is a new attempt; the old token is spent.
	if ok, err := q.OutboxClaim(ctx, id, second); err != nil || !ok {
		t.Fatalf("claim after requeue: %v %v", ok, err)
	}
	if ok, err := q.OutboxAttemptSettle(ctx, id, first.Token, carepath.MessageFailed, "late"); err != nil || ok {
		t.Fatalf("a spent attempt settled the row: %v %v", ok, err)
	}
	if ok, err := q.OutboxAttemptSent(ctx, id, second.Token, "twilio", "SM2"); err != nil || !ok {
		t.Fatalf("the owning attempt's send: %v %v", ok, err)
	}
	// A provider message belongs to one row.
	taken, err := q.OutboxProviderIDsTaken(ctx, "twilio", []string{"SM2", "SM3"})
	if err != nil || !taken["SM2"] || taken["SM3"] {
		t.Fatalf("taken: %v %v", taken, err)
	}
}

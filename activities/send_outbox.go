package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/messaging"
	"github.com/carepath/carepath/store"
)

// sendPlan is a decision to send now.
type sendPlan struct {
	channel        carepath.Channel
	to             string
	subject, body  string
	sender         messaging.Sender
	conversational bool
}

// verdict is what the rules concluded for a queued or deferred message.
type verdict struct {
	result *SendMessageResult // not now (deferred) or never (suppressed)
	plan   sendPlan
}

// step is what one outbox transaction found.
type step struct {
	result  *SendMessageResult // settled, deferred or suppressed: nothing to call
	pending *store.OutboxRow   // a provider call's outcome is unknown
	plan    sendPlan           // may go now
	claimed *store.Attempt     // this transaction claimed an attempt
}

// claimFor asks outboxStep to claim an attempt: a pacer slot for channel
// is held, and the attempt's lease lasts this long. With any set, the
// attempt is claimed on whichever channel the rules pick, its lease the
// sender's, and the slot is taken after the claim (attemptClaimed);
// ifReady does the same only when that sender's slot would come at once
// (slotReady).
type claimFor struct {
	channel carepath.Channel
	lease   time.Duration
	any     bool
	ifReady bool
}

// wants reports whether the claim takes plan.
func (c *claimFor) wants(p sendPlan) bool {
	switch {
	case c == nil:
		return false
	case c.any:
		return true
	case c.ifReady:
		return slotReady(p.sender, p.to)
	}
	return p.channel == c.channel
}

// outboxStep runs one outbox transaction for job: the row is written or
// locked, and a queued or deferred one is evaluated. With claim set, a
// message that may go on the claim's channel is claimed for one provider
// call with a fresh token and lease.
func (a *Activities) outboxStep(ctx context.Context, job outboxJob, claim *claimFor) (step, error) {
	k := job.key()
	var s step
	err := a.Store.Tx(ctx, func(q *store.Queries) error {
		if err := q.PatientLock(ctx, k.recipient.PatientID); err != nil {
			return err
		}
		if err := job.insert(ctx, q); err != nil {
			return err
		}
		row, err := q.OutboxLock(ctx, k.messageID)
		if err != nil {
			return err
		}
		if res := settledResult(row); res != nil {
			s.result = res
			return nil
		}
		if row.Status == carepath.MessageSending {
			s.pending = &row
			return nil
		}
		v, err := job.evaluate(ctx, q)
		if err != nil || v.result != nil {
			s.result = v.result
			return err
		}
		s.plan = v.plan
		if !claim.wants(v.plan) {
			return nil
		}
		lease := claim.lease
		if claim.any || claim.ifReady {
			lease = a.lease(v.plan.sender)
		}
		now := a.now()
		at := store.Attempt{Token: uuid.NewString(), Channel: v.plan.channel, To: v.plan.to,
			Provider: v.plan.sender.Provider(), Body: v.plan.body, At: now, LeaseUntil: now.Add(lease),
			Conversational: v.plan.conversational}
		ok, err := q.OutboxClaim(ctx, k.messageID, at)
		if err != nil || !ok {
			return err // !ok cannot happen under the row lock for a queued row; nothing claimed
		}
		s.claimed = &at
		return job.claimed(ctx, q)
	})
	if err != nil {
		return step{}, fmt.Errorf("send message: outbox: %w", notFoundIsFinal(err, "patient"))
	}
	return s, nil
}

// settledResult is the recorded outcome of a row no provider call is
// pending for, or nil.
func settledResult(row store.OutboxRow) *SendMessageResult {
	switch row.Status {
	case carepath.MessageSent, carepath.MessageDelivered, carepath.MessageUndelivered:
		return &SendMessageResult{Outcome: OutcomeSent, Channel: row.Channel}
	case carepath.MessageSuppressed:
		return &SendMessageResult{Outcome: OutcomeSuppressed, Reason: row.StatusReason, Channel: row.Channel}
	case carepath.MessageFailed:
		return &SendMessageResult{Outcome: OutcomeFailed, Reason: row.StatusReason, Channel: row.Channel}
	case carepath.MessageHeld:
		return &SendMessageResult{Outcome: OutcomeHeld, Reason: row.StatusReason, Channel: row.Channel}
	}
	return nil
}

// settle ends an attempt without a provider message; a row that moved on
// meanwhile (a callback or event settled it) is left as it is.
func (a *Activities) settle(ctx context.Context, q *store.Queries, id, token, status, reason string) error {
	ok, err := q.OutboxAttemptSettle(ctx, id, token, status, reason)
	if err != nil {
		return err
	}
	if !ok {
		a.Log.Info("attempt outcome not recorded: the message was settled meanwhile", "message_id", id, "status", status)
	}
	return nil
}

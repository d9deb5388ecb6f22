package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/messaging"
	"github.com/carepath/carepath/store"
)

// ErrTypeSendConfig marks a send that can never succeed as configured (for
// example an unknown template): retrying would not help.
const ErrTypeSendConfig = "SendConfigError"

// sendHooks let tests crash a send at chosen points.
type sendHooks struct {
	beforeProvider func(messageID string) error
	afterProvider  func(messageID string) error
}

// SendMessage sends one message, exactly once per MessageID, under the
// deployment's rules. It is the only way a journey reaches a patient:
//
//  1. Decide (send_outbox.go): in one transaction, with the patient's row
//     locked (so concurrent journeys see each other's sends), the outbox
//     row is written or found under the workflow-derived ID. A settled row
//     returns its recorded outcome; a row whose last provider call has an
//     unknown outcome is reconciled first (send_reconcile.go); otherwise the
//     rules (send_policy.go) defer it, suppress it, or let it go.
//  2. Attempt (send_attempt.go): a pacer slot is taken, then the attempt is
//     claimed in a new transaction that applies the rules again (a STOP or
//     the window closing during the wait stops it) and stamps a fencing
//     token and a lease on the row. Only then is the provider called.
//  3. The answer is recorded for that attempt only. A refusal (429)
//     requeues; a 5xx, timeout or broken connection leaves the attempt
//     "sending" for reconciliation; a contact failure goes through
//     store.ContactFailed and the message is decided again
//     (send_failures.go).
func (a *Activities) SendMessage(ctx context.Context, req SendMessageRequest) (SendMessageResult, error) {
	if req.Purpose == "" {
		req.Purpose = carepath.PurposeCare
	}
	res, err := a.deliver(ctx, &patientJob{a: a, req: req})
	if err == nil && res.Outcome != OutcomeQueued {
		a.Metrics.Message(ctx, res.Channel, res.Outcome)
	}
	return res, err
}

// SendReply is SendMessage on the priority lane, for a journey's reply to
// the patient's answer run as a local activity by the journey's own worker
// (workflows/send.go): its slot is the urgent one, as on the priority
// lane's queue, and nothing waits on the server before it.
func (a *Activities) SendReply(ctx context.Context, req SendMessageRequest) (SendMessageResult, error) {
	return a.SendMessage(PriorityLane(ctx), req)
}

// SendNow is SendMessage for a journey's send run as a local activity by
// the journey's own worker (workflows/send.go), in the workflow task that
// decided to send: it sends only if the message can go at once. Its bulk
// slot must be free now with nobody waiting for it (slotReady), so it
// never takes a slot an urgent or earlier send is queued for, and it
// never queues for one, so the workflow task is not held through a
// rate-limited wait (a send that loses that free slot to another waits
// at most nowSlotWait for the next, then gives its claim back). Otherwise, or when the row holds a provider call
// whose outcome is unknown, it returns OutcomeQueued and the journey
// sends it on its lane with SendMessage and the same MessageID. A message
// likely to go through a limiter that can never tell (the fleet's shared
// one) is queued before any transaction.
func (a *Activities) SendNow(ctx context.Context, req SendMessageRequest) (SendMessageResult, error) {
	if req.Likely != "" && messaging.NeverReady(a.senderFor(req.Likely)) {
		return SendMessageResult{Outcome: OutcomeQueued}, nil
	}
	return a.SendMessage(context.WithValue(ctx, nowKey{}, true), req)
}

// nowKey marks SendNow's context.
type nowKey struct{}

// onlyNow reports whether ctx is SendNow's.
func onlyNow(ctx context.Context) bool {
	now, _ := ctx.Value(nowKey{}).(bool)
	return now
}

// maxPasses bounds the decisions one activity attempt makes: each pass
// after the first follows a contact failure that made a channel unusable,
// a resend proven safe, or a claim that found the rules changed.
const maxPasses = 4

// deliver takes one message through the outbox until it has an outcome.
func (a *Activities) deliver(ctx context.Context, job outboxJob) (SendMessageResult, error) {
	for pass := range maxPasses {
		// The first pass may claim at once (claimAtOnce); a pass
		// after a stall, a contact failure or changed rules takes its slot
		// first, so a long wait for it cannot stall a claim again.
		// SendNow claims at once on every pass, or not at all.
		var first *claimFor
		now := onlyNow(ctx)
		if pass == 0 || now {
			first = claimAtOnce(ctx)
		}
		claiming := time.Now() // monotonic: an attempt claimed here has its lease from now
		s, err := a.outboxStep(ctx, job, first)
		if err != nil {
			return SendMessageResult{}, err
		}
		switch {
		case s.result != nil:
			return *s.result, nil
		case s.pending != nil && now:
			return SendMessageResult{Outcome: OutcomeQueued}, nil // reconciling may wait: the lane's
		case s.pending != nil:
			res, resend, err := a.reconcile(ctx, job, *s.pending)
			if err != nil || !resend {
				return res, err
			}
			continue // requeued: decided again, so consent, window and caps apply to the resend
		}
		var res SendMessageResult
		var again bool
		switch {
		case s.claimed != nil:
			res, again, err = a.attemptClaimed(ctx, job, s, claiming)
		case now:
			return SendMessageResult{Outcome: OutcomeQueued}, nil // no slot free at once
		default:
			res, again, err = a.attempt(ctx, job, s.plan)
		}
		if !again {
			return res, err
		}
	}
	// Not an outcome: the activity's retry decides again from the row.
	return SendMessageResult{}, fmt.Errorf("send message %s: no outcome after %d decisions", job.key().messageID, maxPasses)
}

// claimAtOnce is the first transaction's claim: on the priority lane (a
// conversation reply, a safety message, a confirmation: someone is
// waiting) the message is decided and claimed in one transaction, and the
// urgent slot taken after. On the bulk lanes it is claimed at once only if
// its sender would hand it a slot without a wait (no limiter, or an
// in-process one with a slot free and nobody queued): otherwise the slot
// comes first, because its wait can be long and the rules must be applied
// after it (attempt).
func claimAtOnce(ctx context.Context) *claimFor {
	if OnPriorityLane(ctx) {
		return &claimFor{any: true}
	}
	return &claimFor{ifReady: true}
}

// slotReady reports whether a bulk send through s to to would get its slot
// at once: s has no limiter, or its limiter says so without a round trip.
// The fleet's shared limiter cannot tell without asking PostgreSQL, so its
// bulk sends take the slot first.
func slotReady(s messaging.Sender, to string) bool {
	if _, gated := s.(messaging.Gated); !gated {
		return true
	}
	r, ok := s.(messaging.Ready)
	return ok && r.ReadyFor(to)
}

// jobKey names a message and whom it is for.
type jobKey struct {
	messageID    string
	enrollmentID string
	recipient    store.Recipient
}

// outboxJob is one message through the outbox: to the patient
// (SendMessage) or to one of the patient's caregivers (NotifyCaregivers).
// Its methods run inside outbox transactions, with the patient locked.
type outboxJob interface {
	key() jobKey
	// insert loads what the rules need and writes the row if it is missing.
	insert(ctx context.Context, q *store.Queries) error
	// evaluate applies the rules to a queued or deferred message. A verdict
	// with a result (deferred, suppressed) has been recorded on the row.
	evaluate(ctx context.Context, q *store.Queries) (verdict, error)
	// claimed runs in the transaction that claims an attempt.
	claimed(ctx context.Context, q *store.Queries) error
	// fallback reports whether a contact failure lets the message be
	// decided again (another channel); otherwise it fails with the reason.
	fallback() bool
}

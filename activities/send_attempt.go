package activities

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/internal/config"
	"github.com/carepath/carepath/messaging"
	"github.com/carepath/carepath/store"
)

// attempt makes one provider call for a message the rules let go: take a
// pacer slot, claim the attempt (the rules are applied again: the wait may
// have been long), call the provider, record the answer. again=true asks
// deliver to decide once more (a contact failure, or the rules now choose
// another channel).
func (a *Activities) attempt(ctx context.Context, job outboxJob, plan sendPlan) (res SendMessageResult, again bool, err error) {
	id := job.key().messageID
	slot, direct, err := takeSlot(ctx, plan.sender, plan.to)
	if err != nil {
		// Nothing was claimed or sent: a retry decides afresh.
		return SendMessageResult{}, false, fmt.Errorf("send message: wait for the provider: %w", err)
	}
	claiming := time.Now() // monotonic: the lease starts inside this claim
	s, err := a.outboxStep(ctx, job, &claimFor{channel: plan.channel, lease: a.lease(direct)})
	if err != nil || s.claimed == nil {
		slot.Return()
		switch {
		case err != nil:
			return SendMessageResult{}, false, err
		case s.result != nil:
			return *s.result, false, nil
		case s.pending != nil:
			// Another attempt claimed it while this one waited for a slot.
			return SendMessageResult{}, false, a.outcomePending(id, s.pending)
		}
		return SendMessageResult{}, true, nil // the rules now pick another channel
	}
	return a.call(ctx, job, s, claiming, slot, direct)
}

// attemptClaimed is attempt for a message whose first transaction already
// claimed it (the priority lane: decided and claimed at once, one
// transaction fewer between a patient's answer and the reply). The slot
// is taken after the claim, so its wait counts against the lease: call's
// stall check gives the attempt back if it was long. Urgent slots come
// ahead of every bulk send, so it rarely is.
//
// SendNow claims only when its slot looked free, but another send may take
// that slot first: it waits at most nowSlotWait for the next one, then
// gives the attempt back and leaves the message to its lane, so a workflow
// task is never held through a rate-limited wait.
func (a *Activities) attemptClaimed(ctx context.Context, job outboxJob, s step, claiming time.Time) (SendMessageResult, bool, error) {
	slotCtx := ctx
	if onlyNow(ctx) {
		var cancel context.CancelFunc
		slotCtx, cancel = context.WithTimeout(ctx, nowSlotWait)
		defer cancel()
	}
	slot, direct, err := takeSlot(slotCtx, s.plan.sender, s.plan.to)
	if err != nil {
		if rerr := a.giveBack(ctx, job.key().messageID, *s.claimed); rerr != nil {
			return SendMessageResult{}, false, rerr
		}
		if onlyNow(ctx) && ctx.Err() == nil {
			return SendMessageResult{Outcome: OutcomeQueued}, false, nil
		}
		return SendMessageResult{}, false, fmt.Errorf("send message: wait for the provider: %w", err)
	}
	return a.call(ctx, job, s, claiming, slot, direct)
}

// nowSlotWait bounds SendNow's wait for a slot it lost to another send:
// the next one comes within a pacing interval at any limit above 4 per
// second; a slower number's sends wait on their lane.
const nowSlotWait = 250 * time.Millisecond

// giveBack returns a claimed attempt no provider call was made for to the
// queue, so the next attempt decides afresh.
func (a *Activities) giveBack(ctx context.Context, id string, at store.Attempt) error {
	release, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	err := a.Store.Tx(release, func(q *store.Queries) error {
		return a.settle(release, q, id, at.Token, carepath.MessageQueued, "retrying: attempt stalled before the provider call")
	})
	if err != nil {
		return fmt.Errorf("send message: release stalled attempt: %w", err)
	}
	return nil
}

// call makes the provider call of a claimed attempt while holding its
// slot, and records the answer.
func (a *Activities) call(ctx context.Context, job outboxJob, s step, claiming time.Time, slot *messaging.Slot, direct messaging.Sender) (res SendMessageResult, again bool, err error) {
	id := job.key().messageID
	at := *s.claimed
	if a.hooks != nil && a.hooks.beforeProvider != nil {
		if err := a.hooks.beforeProvider(id); err != nil {
			slot.Return()
			return SendMessageResult{}, false, err
		}
	}
	// A process stalled between claim and call must not call late (the
	// lease, not this process, decides when another attempt may start),
	// and an activity already cancelled must not start a call it cannot
	// see the end of. Nothing was sent: the attempt is given back.
	if ctx.Err() != nil || time.Since(claiming) > a.timing().LeaseMargin/2 {
		slot.Return()
		if err := a.giveBack(ctx, id, at); err != nil {
			return SendMessageResult{}, false, err
		}
		if ctx.Err() != nil {
			return SendMessageResult{}, false, fmt.Errorf("send message: cancelled before the provider call: %w", ctx.Err())
		}
		return SendMessageResult{}, true, nil
	}
	out := messaging.Outbound{MessageID: id, To: at.To, Subject: s.plan.subject, Text: at.Body,
		StatusCallback: a.statusCallback(id, at.Channel)}
	receipt, sendErr := direct.Send(ctx, out)
	slot.Release()
	// The answer is recorded even if the activity's context ended during
	// the call: that spares a reconciliation.
	rec, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if sendErr != nil {
		return a.sendFailed(rec, job, at, sendErr)
	}
	if a.hooks != nil && a.hooks.afterProvider != nil {
		if err := a.hooks.afterProvider(id); err != nil {
			return SendMessageResult{}, false, err
		}
	}
	ok, err := a.Store.OutboxAttemptSent(rec, id, at.Token, receipt.Provider, receipt.ProviderMessageID)
	if err != nil {
		// The provider has it; the retry finds the row "sending" and
		// reconciles instead of sending again.
		return SendMessageResult{}, false, fmt.Errorf("send message: record acceptance: %w", err)
	}
	if !ok {
		a.Log.Info("acceptance already recorded (callback or event first)", "message_id", id)
	}
	// A delivery callback that beat this record was kept: apply it now (the
	// api's reply router sweeps up any this misses).
	if err := a.Store.Tx(rec, func(q *store.Queries) error {
		return q.ApplyPendingDeliveryReports(rec, receipt.Provider, receipt.ProviderMessageID)
	}); err != nil {
		a.Log.Warn("kept delivery reports not applied yet", "message_id", id, "error", err)
	}
	return SendMessageResult{Outcome: OutcomeSent, Channel: at.Channel}, false, nil
}

// takeSlot waits for the sender's pacer, if it has one, and returns the
// sender to call while holding the slot. A nil slot is a no-op. On the
// priority lane the wait is AcquireUrgent's: ahead of every bulk send
// waiting for the number, within the same per-number limit. With several
// sending numbers the slot (and the sender) is to's number's.
func takeSlot(ctx context.Context, s messaging.Sender, to string) (*messaging.Slot, messaging.Sender, error) {
	if r, ok := s.(messaging.Routed); ok {
		return r.AcquireFor(ctx, to, OnPriorityLane(ctx))
	}
	g, ok := s.(messaging.Gated)
	if !ok {
		return nil, s, nil
	}
	acquire := g.Acquire
	if OnPriorityLane(ctx) {
		acquire = g.AcquireUrgent
	}
	slot, err := acquire(ctx)
	return slot, g.Direct(), err
}

// laneKey marks the priority lane's activity contexts.
type laneKey struct{}

// PriorityLane marks ctx as the priority lane's: the priority send
// worker's background activity context, so every send it runs (whatever
// the activity and its request) takes its pacer slot with AcquireUrgent.
// The lane is where the task was dispatched from, not a request field: a
// send cannot claim the urgent slot while queued behind bulk traffic on
// the server, nor sit behind bulk sends in the pacer after jumping the
// server's queue.
func PriorityLane(ctx context.Context) context.Context {
	return context.WithValue(ctx, laneKey{}, true)
}

// OnPriorityLane reports whether ctx is the priority lane's.
func OnPriorityLane(ctx context.Context) bool {
	urgent, _ := ctx.Value(laneKey{}).(bool)
	return urgent
}

// lease is how long an attempt owns its message: the sender's client
// timeout (after which its request can no longer reach the provider from
// carepath's side) plus the margin.
func (a *Activities) lease(direct messaging.Sender) time.Duration {
	t := a.timing()
	timeout := t.ProviderTimeout
	if g, gated := direct.(messaging.Gated); gated {
		if _, timed := direct.(messaging.Timed); !timed {
			direct = g.Direct() // the pacer's own sender makes the call
		}
	}
	if tm, ok := direct.(messaging.Timed); ok {
		timeout = tm.CallTimeout()
	}
	return timeout + t.LeaseMargin
}

// timing is the configured outbox timing; unset, the production defaults.
func (a *Activities) timing() config.SendTiming {
	t, d := a.Timing, config.DefaultSendTiming
	if t == (config.SendTiming{}) {
		return d
	}
	if t.ProviderTimeout <= 0 {
		t.ProviderTimeout = d.ProviderTimeout
	}
	if t.LeaseMargin <= 0 {
		t.LeaseMargin = d.LeaseMargin
	}
	if t.SettleDelay < 0 {
		t.SettleDelay = 0
	}
	if t.HoldWait < 0 {
		t.HoldWait = 0
	}
	return t
}

// statusCallback is the per-message delivery callback: the carepath
// message ID in the URL ties every report (and an early one, before the
// send is recorded) to its row without relying on the provider's ID.
func (a *Activities) statusCallback(id string, channel carepath.Channel) string {
	if channel != carepath.ChannelSMS || a.StatusCallbackURL == "" {
		return ""
	}
	return a.StatusCallbackURL + "?" + url.Values{"message_id": {id}}.Encode()
}

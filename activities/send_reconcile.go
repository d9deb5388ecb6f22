package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/messaging"
	"github.com/carepath/carepath/store"
)

// ErrTypeOutcomePending marks a send whose last provider call may still
// reach the provider, or whose outcome is not settled yet: the activity is
// retried (after NextRetryDelay) and reconciles then. It never resends.
const ErrTypeOutcomePending = "SendOutcomePending"

// lookupSkew widens a lookup's window for the clocks of carepath and the
// provider (whose creation times have whole seconds).
const lookupSkew = 10 * time.Second

// reconcile settles a message whose last provider call has an unknown
// outcome, without calling the provider to send:
//
//   - while the attempt's lease runs, the call may still reach the
//     provider: nothing happens (retry later);
//   - a row found "sent" was settled by a callback or event (B) first;
//   - with a lookup (Twilio), the message is found among the provider's
//     messages to the same address in the attempt's window (see choose);
//     "not found" is trusted only once the lease has run out and the
//     settle delay has passed, and then the row is requeued (resend=true):
//     the resend is decided again, so consent, window and caps apply;
//   - without a lookup (SendGrid), the "processed" event settles it; when
//     none comes within the hold wait, or no event webhook is configured,
//     the message is held for the care team, never resent.
func (a *Activities) reconcile(ctx context.Context, job outboxJob, row store.OutboxRow) (SendMessageResult, bool, error) {
	id := job.key().messageID
	sender := a.senderFor(row.Channel)
	if sender == nil {
		return SendMessageResult{}, false, temporal.NewNonRetryableApplicationError("no sender for "+string(row.Channel), ErrTypeSendConfig, nil)
	}
	start, lease := a.attemptWindow(row)
	now := a.now()
	if now.Before(lease) {
		return SendMessageResult{}, false, a.outcomePending(id, &row)
	}
	looker, ok := sender.(messaging.Looker)
	if !ok {
		if a.EmailEvents && now.Before(lease.Add(a.timing().HoldWait)) {
			return SendMessageResult{}, false, a.outcomeUnknown(id, lease.Add(a.timing().HoldWait), nil)
		}
		return a.hold(ctx, job, row.AttemptToken, row.Channel, ReasonOutcomeUnknown)
	}
	since, until := start.Add(-lookupSkew), lease.Add(lookupSkew)
	found, err := looker.Lookup(ctx, messaging.LookupQuery{To: row.To, Since: since, Until: until})
	if err != nil {
		return SendMessageResult{}, false, fmt.Errorf("send message: reconcile: %w", err)
	}
	providerID, contested, err := a.choose(ctx, id, sender.Provider(), row, found, since, until)
	if err != nil {
		return SendMessageResult{}, false, fmt.Errorf("send message: reconcile: %w", err)
	}
	settled := lease.Add(a.timing().SettleDelay)
	if providerID != "" && contested && now.Before(settled) {
		// Another message to this address is unsettled too: give the
		// status callbacks, which name the message exactly, time first.
		return SendMessageResult{}, false, a.outcomeUnknown(id, settled, nil)
	}
	if providerID != "" {
		// The unique provider ID index settles a race with another
		// message's reconciliation for the same provider message.
		if err := a.Store.MessageMarkSent(ctx, id, sender.Provider(), providerID); err != nil {
			return SendMessageResult{}, false, fmt.Errorf("send message: record reconciled: %w", err)
		}
		a.Log.Info("unknown send outcome reconciled: the provider had it", "message_id", id)
		return SendMessageResult{Outcome: OutcomeSent, Channel: row.Channel}, false, nil
	}
	if now.Before(settled) {
		return SendMessageResult{}, false, a.outcomeUnknown(id, settled, nil)
	}
	err = a.Store.Tx(ctx, func(q *store.Queries) error {
		return a.settle(ctx, q, id, row.AttemptToken, carepath.MessageQueued, "resending: the provider has no record of the last attempt")
	})
	if err != nil {
		return SendMessageResult{}, false, fmt.Errorf("send message: requeue after reconcile: %w", err)
	}
	a.Log.Warn("unknown send outcome reconciled: the provider does not have it; deciding again", "message_id", id)
	return SendMessageResult{}, true, nil
}

// attemptWindow is when the row's attempt started and when its lease ends
// (rows claimed before leases existed get one from their start).
func (a *Activities) attemptWindow(row store.OutboxRow) (start, lease time.Time) {
	if row.SendingAt != nil {
		start = *row.SendingAt
	}
	if row.LeaseUntil != nil {
		return start, *row.LeaseUntil
	}
	return start, start.Add(a.timing().ProviderTimeout + a.timing().LeaseMargin)
}

// choose picks, among the provider's messages to the row's address in the
// attempt's window, the one that is this message's, or "".
//
// Correlation does not rest on the body alone: a provider message whose ID
// another outbox row already owns is never taken (an identical body to a
// shared family phone belongs to the message that recorded it), and among
// the rest an exact body wins, then a body the provider altered that is at
// least as close to ours as to any other message to that address whose
// outcome is also unknown. With no such other message, any unowned message
// from carepath's number to that address in the window is this one.
//
// contested says another message to the address is unsettled in the same
// window: the pick may then be that message's, and the caller waits for
// the callbacks first.
func (a *Activities) choose(ctx context.Context, id, provider string, row store.OutboxRow, found []messaging.Accepted, since, until time.Time) (providerID string, contested bool, err error) {
	if len(found) == 0 {
		return "", false, nil
	}
	ids := make([]string, len(found))
	for i, f := range found {
		ids[i] = f.ProviderMessageID
	}
	taken, err := a.Store.OutboxProviderIDsTaken(ctx, provider, ids)
	if err != nil {
		return "", false, err
	}
	var free []messaging.Accepted
	for _, f := range found {
		if !taken[f.ProviderMessageID] {
			free = append(free, f)
		}
	}
	if len(free) == 0 {
		return "", false, nil
	}
	rivals, err := a.Store.OutboxUnknownTo(ctx, row.To, id, since, until)
	if err != nil {
		return "", false, err
	}
	return pick(free, row.Body, rivals), len(rivals) > 0, nil
}

// pick is choose's rule over unowned candidates, oldest first.
func pick(free []messaging.Accepted, body string, rivals []store.UnknownOutcome) string {
	oldestFirst := func(yield func(messaging.Accepted) bool) {
		for i := len(free) - 1; i >= 0; i-- { // providers list newest first
			if !yield(free[i]) {
				return
			}
		}
	}
	for f := range oldestFirst {
		if f.Body == body {
			return f.ProviderMessageID
		}
	}
	for f := range oldestFirst {
		ours := likeness(f.Body, body)
		mine := true
		for _, r := range rivals {
			if r.Body == f.Body || likeness(f.Body, r.Body) > ours {
				mine = false
				break
			}
		}
		if mine {
			return f.ProviderMessageID
		}
	}
	return ""
}

// likeness is how much of two bodies agrees: their common prefix and
// suffix (a provider that alters a body typically adds or trims at an end).
func likeness(a, b string) int {
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		p++
	}
	s := 0
	for s < len(a)-p && s < len(b)-p && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	return p + s
}

// hold settles a message whose outcome cannot be known (email without an
// event) as held, with a care-team task: never a silent success, never a
// resend. The journey gets OutcomeHeld.
func (a *Activities) hold(ctx context.Context, job outboxJob, token string, channel carepath.Channel, reason string) (SendMessageResult, bool, error) {
	k := job.key()
	held := false
	err := a.Store.Tx(ctx, func(q *store.Queries) error {
		ok, err := q.OutboxAttemptSettle(ctx, k.messageID, token, carepath.MessageHeld, reason)
		if err != nil || !ok {
			return err // !ok: settled meanwhile (an event arrived)
		}
		held = true
		_, err = q.TaskInsert(ctx, store.NewTask{ID: uuid.NewString(), PatientID: k.recipient.PatientID,
			EnrollmentID: k.enrollmentID, MessageID: k.messageID, Priority: carepath.PriorityNormal,
			Reason: HeldTaskReason, DedupeKey: carepath.TaskKeyHeld(k.messageID), Swept: true})
		return err
	})
	if err != nil {
		return SendMessageResult{}, false, fmt.Errorf("send message: hold: %w", err)
	}
	if !held {
		return SendMessageResult{}, true, nil // decided again: the row's outcome
	}
	a.Log.Warn("message held: provider outcome unknown and not provable", "message_id", k.messageID, "channel", channel)
	return SendMessageResult{Outcome: OutcomeHeld, Reason: reason, Channel: channel}, false, nil
}

// HeldTaskReason is the care-team task a held message raises.
const HeldTaskReason = "message held: the provider may or may not have sent it; check with the recipient before sending it again"

// outcomePending is the error for a message an attempt may still be
// calling the provider for: retried once its lease has run out.
func (a *Activities) outcomePending(id string, row *store.OutboxRow) error {
	_, lease := a.attemptWindow(*row)
	return a.outcomeUnknown(id, lease, nil)
}

// outcomeUnknown is a retryable error asking to reconcile at (or after) t.
func (a *Activities) outcomeUnknown(id string, t time.Time, cause error) error {
	delay := max(t.Sub(a.now()), time.Second)
	msg := fmt.Sprintf("send message %s: outcome of the last provider call unknown; reconciling, never resending blindly", id)
	return temporal.NewApplicationErrorWithOptions(msg, ErrTypeOutcomePending,
		temporal.ApplicationErrorOptions{NextRetryDelay: delay, Cause: cause})
}

// reconcilable reports whether an unknown outcome on channel can ever be
// settled: the provider has a lookup, or its events are configured.
func (a *Activities) reconcilable(channel carepath.Channel) bool {
	if _, ok := a.senderFor(channel).(messaging.Looker); ok {
		return true
	}
	return channel == carepath.ChannelEmail && a.EmailEvents
}

package activities

import (
	"context"
	"errors"
	"fmt"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/messaging"
	"github.com/carepath/carepath/store"
)

// sendFailed records a failed provider call and turns it into a retry, a
// reconciliation, a typed outcome, or a new decision (again=true: the
// contact point just became unusable, another channel may do).
func (a *Activities) sendFailed(ctx context.Context, job outboxJob, at store.Attempt, sendErr error) (SendMessageResult, bool, error) {
	id := job.key().messageID
	var perr *messaging.Error
	if !errors.As(sendErr, &perr) {
		// Unclassified: the request may have left. The row stays "sending".
		return SendMessageResult{}, false, fmt.Errorf("send message: outcome unknown, reconciling before any resend: %w", sendErr)
	}
	a.Log.Warn("provider call failed", "message_id", id, "provider", perr.Provider, "code", perr.Code,
		"http_status", perr.HTTPStatus, "kind", string(perr.Kind))
	evidence := fmt.Sprintf("%s:%d", perr.Provider, perr.Code)
	if perr.Code == 0 {
		evidence = fmt.Sprintf("%s:http %d", perr.Provider, perr.HTTPStatus)
	}
	var res SendMessageResult
	var again bool
	err := a.Store.Tx(ctx, func(q *store.Queries) error {
		switch perr.Kind {
		case messaging.KindRateLimited:
			// Surely not accepted: the retry decides and sends afresh.
			return a.settle(ctx, q, id, at.Token, carepath.MessageQueued, "retrying: provider refused ("+evidence+")")

		case messaging.KindUnknown:
			return nil // stays "sending": reconciled below

		case messaging.KindInvalidContact, messaging.KindOptedOut, messaging.KindTransientUnreachable:
			f := ContactFailureOf(perr.Kind)
			if err := q.ContactFailed(ctx, job.key().recipient, at.Channel, at.To, f, evidence); err != nil {
				return err
			}
			reason := string(f)
			if perr.Kind != messaging.KindTransientUnreachable && job.fallback() {
				// Decided again: the rules now skip this contact point and
				// fall back, or suppress the message with the reason.
				again = true
				return a.settle(ctx, q, id, at.Token, carepath.MessageQueued, fmt.Sprintf("%s (%s) on %s", reason, evidence, at.Channel))
			}
			res = SendMessageResult{Outcome: OutcomeFailed, Reason: reason, Channel: at.Channel}
			return a.settle(ctx, q, id, at.Token, carepath.MessageFailed, fmt.Sprintf("%s (%s)", reason, evidence))
		}
		res = SendMessageResult{Outcome: OutcomeFailed, Reason: ReasonProvider, Channel: at.Channel}
		return a.settle(ctx, q, id, at.Token, carepath.MessageFailed, fmt.Sprintf("%s (%s)", ReasonProvider, evidence))
	})
	switch {
	case err != nil:
		return SendMessageResult{}, false, fmt.Errorf("send message: record %s failure: %w", perr.Kind, err)
	case perr.Kind == messaging.KindRateLimited:
		return SendMessageResult{}, false, fmt.Errorf("send message: %w", perr)
	case perr.Kind == messaging.KindUnknown:
		return a.unknownOutcome(ctx, job, at, perr)
	}
	return res, again, nil
}

// unknownOutcome handles a call that may or may not have reached the
// provider. With a lookup or an event webhook it is reconciled once the
// attempt's lease has run out (the activity's retry does it); with neither,
// nothing can ever settle it, so it is held for the care team at once.
func (a *Activities) unknownOutcome(ctx context.Context, job outboxJob, at store.Attempt, perr *messaging.Error) (SendMessageResult, bool, error) {
	if a.reconcilable(at.Channel) {
		return SendMessageResult{}, false, a.outcomeUnknown(job.key().messageID, at.LeaseUntil, perr)
	}
	return a.hold(ctx, job, at.Token, at.Channel, ReasonOutcomeUnknown)
}

// ContactFailureOf is what a provider error kind says about the recipient's
// contact point ("" for nothing): the send path and the delivery webhooks
// classify through it, then apply the provider-failure rule
// (store.ContactFailed) in their transaction.
func ContactFailureOf(k messaging.ErrorKind) store.ContactFailure {
	switch k {
	case messaging.KindOptedOut:
		return store.FailureOptedOut
	case messaging.KindInvalidContact:
		return store.FailureInvalid
	case messaging.KindTransientUnreachable:
		return store.FailureUnreachable
	}
	return ""
}

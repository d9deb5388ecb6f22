package engine

import (
	"context"
	"fmt"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/activities"
	"github.com/carepath/carepath/messaging"
	"github.com/carepath/carepath/store"
)

// DeliveryReport is a provider's word on an outbound message.
type DeliveryReport struct {
	Provider          string
	ProviderMessageID string
	// MessageID is carepath's own ID, from the per-message callback URL;
	// "" for callbacks registered before it carried one.
	MessageID string
	Status    string // the provider's status word
	ErrorCode int
	EventKey  string // identifies this report for deduplication
	RequestID string
}

// RecordDelivery applies a delivery report once. The message is found by
// carepath's ID when the callback URL carries it, else by the provider's ID.
// A report for a send still "sending" settles it as sent (the provider has
// it: no resend). A report whose message is not yet recorded as sent is
// kept and applied when it is, never dropped; the event key is consumed in
// the same transaction that applies or keeps the report.
func (e *Engine) RecordDelivery(ctx context.Context, r DeliveryReport) error {
	status, ok := deliveryStatus(r.Status)
	if !ok {
		return carepath.Invalid("MessageStatus", "unknown status")
	}
	if r.MessageID != "" && validID(r.MessageID, "message") != nil {
		return carepath.Invalid("message_id", "must be a carepath message ID")
	}
	rep := store.DeliveryReport{Provider: r.Provider, ProviderMessageID: r.ProviderMessageID, EventKey: r.EventKey,
		Status: status, ErrorCode: r.ErrorCode, RequestID: r.RequestID}
	if status == carepath.MessageUndelivered || status == carepath.MessageFailed {
		rep.Reason = fmt.Sprintf("%s code %d", r.Provider, r.ErrorCode)
		rep.Failure = twilioFailure(r.ErrorCode)
	}
	err := e.Store.Tx(ctx, func(q *store.Queries) error { return e.applyReport(ctx, q, r.MessageID, rep) })
	if err != nil {
		return e.unavailable(fmt.Errorf("record delivery: %w", err), r.RequestID)
	}
	return nil
}

// applyReport applies a delivery report or email event once (its event
// key is consumed in the same transaction): to its message if that is
// recorded as sent, else kept until it is. messageID is carepath's own,
// when the provider carried it back ("" if not).
func (e *Engine) applyReport(ctx context.Context, q *store.Queries, messageID string, rep store.DeliveryReport) error {
	first, err := q.ProviderEventFirst(ctx, rep.Provider, rep.EventKey)
	if err != nil || !first {
		return err
	}
	m, found, err := e.reportedMessage(ctx, q, messageID, rep.Provider, rep.ProviderMessageID)
	switch {
	case err != nil:
		return err
	case found:
		return q.DeliveryApply(ctx, m, rep)
	case rep.ProviderMessageID == "":
		return nil // nothing to match it by later: not one of ours
	}
	return q.DeliveryKeep(ctx, rep)
}

// reportedMessage finds and locks the message a report is about, settling
// a send whose outcome was unknown. found=false means the report must be
// kept: no message is recorded as sent with that provider ID yet.
func (e *Engine) reportedMessage(ctx context.Context, q *store.Queries, messageID, provider, providerID string) (store.DeliveredMessage, bool, error) {
	if messageID == "" {
		return q.DeliveryMessageByProviderID(ctx, provider, providerID)
	}
	m, found, err := q.DeliveryMessageByID(ctx, messageID)
	switch {
	case err != nil:
		return m, false, err
	case !found:
		// Not one of ours by ID; the provider ID may still match.
		return q.DeliveryMessageByProviderID(ctx, provider, providerID)
	case providerID == "" || (m.ProviderMessageID == providerID && m.Provider == provider):
		return m, true, nil // an event naming only carepath's ID is about this row
	case m.ProviderMessageID != "":
		// Another provider message for this row (an earlier attempt the
		// provider also accepted): it says nothing about the recorded one.
		e.Log.Warn("delivery report for another provider message of a sent message", "message_id", m.ID, "provider", provider)
		return m, false, nil
	case m.Status != carepath.MessageSending:
		return m, false, nil // not handed to the provider as far as we know: keep it
	}
	// The provider has the message though the send's outcome was unknown:
	// record it as sent (this is reconciliation), with any reports kept for it.
	if err := q.MessageMarkSent(ctx, m.ID, provider, providerID); err != nil {
		return m, false, err
	}
	if err := q.ApplyPendingDeliveryReports(ctx, provider, providerID); err != nil {
		return m, false, err
	}
	return q.DeliveryMessageByID(ctx, m.ID)
}

// twilioFailure says what a Twilio delivery error code means for the
// recipient's contact point, classified as the send path classifies the
// same code from the API.
func twilioFailure(code int) store.ContactFailure {
	return activities.ContactFailureOf(messaging.ClassifyTwilio(400, code))
}

// deliveryStatus is carepath's status for a provider's status word.
func deliveryStatus(s string) (string, bool) {
	switch s {
	case "queued", "accepted", "scheduled", "sending", "sent", "processed":
		return carepath.MessageSent, true
	case "delivered", "read":
		return carepath.MessageDelivered, true
	case "undelivered", "bounce", "dropped":
		return carepath.MessageUndelivered, true
	case "failed", "canceled":
		return carepath.MessageFailed, true
	}
	return "", false
}

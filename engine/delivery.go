package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/messaging"
	"github.com/carepath/carepath/store"
)

// DeliveryReport is a provider's word on an outbound message.
type DeliveryReport struct {
	Provider          string
	ProviderMessageID string
	Status            string // the provider's status word
	ErrorCode         int
	EventKey          string // identifies this report for deduplication
	RequestID         string
}

// UnreachableLimit is how many consecutive "unreachable" reports mark a
// phone invalid.
const UnreachableLimit = 3

// final statuses are never overwritten by a late, earlier-stage report.
var final = map[string]bool{carepath.MessageDelivered: true, carepath.MessageUndelivered: true, carepath.MessageFailed: true}

// RecordDelivery applies a delivery report once: delivered confirms the
// contact point; undelivered and failed record the code and, by its class,
// mark the contact point invalid (with one hygiene task) or revoke consent.
func (e *Engine) RecordDelivery(ctx context.Context, r DeliveryReport) error {
	status, ok := deliveryStatus(r.Status)
	if !ok {
		return carepath.Invalid("MessageStatus", "unknown status")
	}
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		first, err := q.ProviderEventFirst(ctx, r.Provider, r.EventKey)
		if err != nil || !first {
			return err
		}
		m, found, err := q.MessageByProviderIDForUpdate(ctx, r.Provider, r.ProviderMessageID)
		if err != nil || !found {
			return err // a message carepath never sent: nothing to update
		}
		if final[m.Status] || status == carepath.MessageSent {
			return nil
		}
		reason := ""
		if status != carepath.MessageDelivered {
			reason = fmt.Sprintf("%s code %d", r.Provider, r.ErrorCode)
		}
		if err := q.MessageDelivery(ctx, m.ID, status, reason, r.ErrorCode); err != nil {
			return err
		}
		actor := carepath.Actor{Kind: carepath.ActorWebhook, ID: r.Provider, RequestID: r.RequestID}
		if err := audit(ctx, q, actor, "message.delivery", m.PatientID, "message/"+m.ID); err != nil {
			return err
		}
		if m.PatientID == "" {
			return nil
		}
		if status == carepath.MessageDelivered {
			return q.ContactDelivered(ctx, m.PatientID, m.Channel, m.To)
		}
		return e.deliveryFailed(ctx, q, m, r)
	})
	if err != nil {
		return fmt.Errorf("record delivery: %w", err)
	}
	return nil
}

func (e *Engine) deliveryFailed(ctx context.Context, q *store.Queries, m store.DeliveredMessage, r DeliveryReport) error {
	kind := messaging.ClassifyTwilio(400, r.ErrorCode)
	if r.Provider == messaging.ProviderSendGrid {
		kind = messaging.KindInvalidContact // bounce, dropped
	}
	switch kind {
	case messaging.KindOptedOut:
		return q.ConsentRecord(ctx, m.PatientID, m.Channel, store.PurposeAll, false, fmt.Sprintf("%s:%d", r.Provider, r.ErrorCode))
	case messaging.KindInvalidContact:
		return q.ContactUnreachable(ctx, m.PatientID, m.Channel, m.To)
	case messaging.KindTransientUnreachable:
		n, err := q.PhoneUnreachable(ctx, m.PatientID, m.To)
		if err != nil || n < UnreachableLimit {
			return err
		}
		return q.ContactUnreachable(ctx, m.PatientID, m.Channel, m.To)
	}
	return nil
}

// HygieneReason is the task a contact point that stops working raises.
const HygieneReason = store.HygieneReason

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

// ContactHygiene lists patients whose contact points are invalid or not yet
// confirmed: the care team's regular CRM clean-up.
func (e *Engine) ContactHygiene(ctx context.Context, a carepath.Actor, limit int) ([]store.HygieneRow, error) {
	var out []store.HygieneRow
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		var err error
		if out, err = q.ContactHygieneReport(ctx, limit); err != nil {
			return err
		}
		return audit(ctx, q, a, "report.contact_hygiene", "", "reports/contact-hygiene")
	})
	return out, err
}

// EngagementReport summarises enrollments started between from and to.
func (e *Engine) EngagementReport(ctx context.Context, a carepath.Actor, from, to time.Time) ([]store.JourneyEngagement, error) {
	if !to.After(from) {
		return nil, carepath.Invalid("to", "must be after from")
	}
	if to.Sub(from) > 366*24*time.Hour {
		return nil, carepath.Invalid("to", "the range may span at most a year")
	}
	var out []store.JourneyEngagement
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		var err error
		if out, err = q.EngagementReport(ctx, from, to); err != nil {
			return err
		}
		return audit(ctx, q, a, "report.engagement", "", "reports/engagement")
	})
	return out, err
}

package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/messaging"
	"github.com/carepath/carepath/store"
)

// EmailEvent is one SendGrid Event Webhook event.
type EmailEvent struct {
	Event       string `json:"event"`
	SGEventID   string `json:"sg_event_id"`
	SGMessageID string `json:"sg_message_id"`
	// MessageID is carepath's own, sent as a custom argument.
	MessageID string `json:"carepath_message_id"`
}

// RecordEmailEvents applies SendGrid events. SendGrid re-posts events,
// sometimes with a new sg_event_id, so an event counts once per message
// and event type. "processed" settles a send whose outcome was unknown;
// delivered confirms the address; bounce and dropped mark it invalid;
// unsubscribes and spam reports revoke email consent.
func (e *Engine) RecordEmailEvents(ctx context.Context, events []EmailEvent, requestID string) error {
	for _, ev := range events {
		if ev.MessageID == "" || validID(ev.MessageID, "message") != nil {
			continue // not one of carepath's messages
		}
		if err := e.recordEmailEvent(ctx, ev, requestID); err != nil {
			return err
		}
	}
	return nil
}

func (e *Engine) recordEmailEvent(ctx context.Context, ev EmailEvent, requestID string) error {
	return e.Store.Tx(ctx, func(q *store.Queries) error {
		first, err := q.ProviderEventFirst(ctx, messaging.ProviderSendGrid, ev.MessageID+"/"+ev.Event)
		if err != nil || !first {
			return err
		}
		m, found, err := q.MessageOutboundForUpdate(ctx, ev.MessageID)
		if err != nil || !found || m.PatientID == "" {
			return err
		}
		actor := carepath.Actor{Kind: carepath.ActorWebhook, ID: messaging.ProviderSendGrid, RequestID: requestID}
		switch ev.Event {
		case "processed":
			if m.Status == carepath.MessageSending {
				// The send's outcome was unknown; SendGrid has it.
				providerID, _, _ := strings.Cut(ev.SGMessageID, ".")
				return q.MessageMarkSent(ctx, m.ID, messaging.ProviderSendGrid, providerID)
			}
			return nil
		case "delivered":
			if final[m.Status] {
				return nil
			}
			if err := q.MessageDelivery(ctx, m.ID, carepath.MessageDelivered, "", 0); err != nil {
				return err
			}
			return q.ContactDelivered(ctx, m.PatientID, carepath.ChannelEmail, m.To)
		case "bounce", "dropped":
			if err := q.MessageDelivery(ctx, m.ID, carepath.MessageUndelivered, "sendgrid "+ev.Event, 0); err != nil {
				return err
			}
			if err := audit(ctx, q, actor, "message.delivery", m.PatientID, "message/"+m.ID); err != nil {
				return err
			}
			return q.ContactUnreachable(ctx, m.PatientID, carepath.ChannelEmail, m.To)
		case "unsubscribe", "group_unsubscribe", "spamreport":
			if err := q.ConsentRecord(ctx, m.PatientID, carepath.ChannelEmail, store.PurposeAll, false, "sendgrid:"+ev.Event); err != nil {
				return err
			}
			e.Log.Info("email consent revoked by provider event", "message_id", m.ID, "event", ev.Event)
			return audit(ctx, q, actor, "consent.revoke", m.PatientID, "message/"+m.ID)
		}
		return nil // deferred, open, click: nothing to record
	})
}

// ReplyText keeps the part of an email reply the patient wrote: the text
// above the quoted original ("On … wrote:", "> …", or a forwarded header).
func ReplyText(body string) string {
	lines := strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n")
	var out []string
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, ">") || (strings.HasPrefix(t, "On ") && strings.HasSuffix(t, "wrote:")) ||
			(strings.HasPrefix(t, "El ") && strings.HasSuffix(t, "escribió:")) ||
			strings.HasPrefix(t, "-----Original Message-----") || strings.HasPrefix(t, "From: ") {
			break
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// patientsFor finds the patients a message came from, by phone or email.
func patientsFor(ctx context.Context, q *store.Queries, m InboundMessage) ([]string, error) {
	if m.Channel == carepath.ChannelEmail {
		return q.PatientIDsByEmail(ctx, m.From)
	}
	ids, err := q.PatientIDsByPhone(ctx, m.From)
	if err != nil {
		return nil, fmt.Errorf("find patients by phone: %w", err)
	}
	return ids, nil
}

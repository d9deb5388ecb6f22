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
// and event type. Any event about a send whose outcome was unknown settles
// it as sent; delivered confirms the address; bounce and dropped mark it
// invalid; unsubscribes and spam reports revoke email consent. All of them
// apply to whoever the message went to: a caregiver's are the caregiver's.
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
	providerID, _, _ := strings.Cut(ev.SGMessageID, ".")
	rep := store.DeliveryReport{Provider: messaging.ProviderSendGrid, ProviderMessageID: providerID,
		EventKey: ev.MessageID + "/" + ev.Event, RequestID: requestID}
	switch ev.Event {
	case "delivered":
		rep.Status = carepath.MessageDelivered
	case "bounce", "dropped":
		rep.Status, rep.Reason, rep.Failure = carepath.MessageUndelivered, "sendgrid "+ev.Event, store.FailureInvalid
	case "unsubscribe", "group_unsubscribe", "spamreport":
		rep.Failure = store.FailureOptedOut
	}
	err := e.Store.Tx(ctx, func(q *store.Queries) error { return e.applyReport(ctx, q, ev.MessageID, rep) })
	if err != nil {
		return e.unavailable(fmt.Errorf("record email event: %w", err), requestID)
	}
	if rep.Failure == store.FailureOptedOut {
		e.Log.Info("email consent revoked by provider event", "message_id", ev.MessageID, "event", ev.Event)
	}
	return nil
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

package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
)

// InboundMessage is a message a provider's webhook delivered.
type InboundMessage struct {
	Channel           carepath.Channel // sms or email
	Provider          string
	ProviderMessageID string
	From, To          string
	Subject           string // an email's subject ("" for SMS)
	Body              string
	RequestID         string
	// Review, when set, is why the message goes to the care team rather
	// than to any journey (a sender that failed authentication, text that
	// could not be read); it is stored all the same.
	Review string
}

// Bounds on storing a reply, so that with PostgreSQL down the webhook
// answers 503 at once and the provider's fallback URL applies.
const (
	receiveAcquireWait = time.Second     // to get a connection
	receiveTimeout     = 5 * time.Second // for the whole transaction
)

// receipt is what ReceiveMessage's transaction did with a message: the
// decision the steps after the transaction follow.
type receipt int

const (
	// receiptDuplicate: a provider's re-delivery. The first delivery
	// stored the message and its route; nothing changes.
	receiptDuplicate receipt = iota + 1
	// receiptInbox: a care-team task holds the message, raised in the
	// transaction; there is nothing for Temporal to do.
	receiptInbox
	// receiptHandled: the transaction did all there was to do (a staff
	// member's acknowledgement of a page).
	receiptHandled
	// receiptRouted: stored with its route (an answer for a journey, a
	// compliance reply to start, opt-outs to signal) for the reply router.
	receiptRouted
)

// ReceiveMessage stores an inbound message exactly once, and with it, in
// the same transaction, where it goes (decide): the open question it
// answers, a compliance answer to start, opt-outs to signal, or a task in
// the care team's inbox. Consent changes (STOP, START) and preference
// changes are made in that transaction too. What must reach Temporal is
// stored as the message's route and carried out by the reply router, which
// the webhook wakes. Once it returns nil the reply is durable and carepath,
// not the provider, finishes routing it; a provider's re-delivery changes
// nothing.
func (e *Engine) ReceiveMessage(ctx context.Context, m InboundMessage) error {
	ctx, cancel := context.WithTimeout(ctx, receiveTimeout)
	defer cancel()
	receive := func(q *store.Queries) (receipt, error) { return e.receive(ctx, q, m) }
	start := time.Now()
	rc, err := store.TxWithinResult(ctx, e.Store, receiveAcquireWait, receive)
	if store.Unavailable(err) && time.Since(start) < receiveAcquireWait/2 {
		// Once more, if that failed fast: after a database restart the pool
		// may hand out a connection that died with it. (Idempotent: the
		// provider's message ID stores the reply once.)
		rc, err = store.TxWithinResult(ctx, e.Store, receiveAcquireWait, receive)
	}
	if err != nil {
		return e.unavailable(fmt.Errorf("receive message: %w", err), m.RequestID)
	}
	switch rc {
	case receiptDuplicate, receiptInbox, receiptHandled:
		// Nothing to hand on: the first delivery did, or the inbox holds it.
	case receiptRouted:
		e.dispatchSender(store.RouteSender(m.Channel, m.From))
	}
	return nil
}

// unavailable turns an error that means "the database cannot be reached"
// into EUNAVAILABLE (503: the provider retries or uses its fallback),
// logging the cause; other errors pass unchanged.
func (e *Engine) unavailable(err error, requestID string) error {
	if !store.Unavailable(err) {
		return err
	}
	e.Log.Warn("webhook not stored: database unavailable", "request_id", requestID, "error", err)
	return carepath.Errorf(carepath.EUNAVAILABLE, "the database is unavailable: try again")
}

// receive is ReceiveMessage's transaction: store the message once, decide
// where it goes, and record that decision with it. The receipt is audited
// last: the audit trail's append serialises writers until they commit, so
// it comes just before the commit rather than holding up the decision.
func (e *Engine) receive(ctx context.Context, q *store.Queries, m InboundMessage) (receipt, error) {
	in, inserted, err := storeInbound(ctx, q, m)
	if err != nil {
		return 0, err
	}
	if !inserted {
		return receiptDuplicate, nil
	}
	rc, err := e.decideAndRecord(ctx, q, in)
	if err != nil {
		return 0, err
	}
	actor := carepath.Actor{Kind: carepath.ActorWebhook, ID: m.Provider, RequestID: m.RequestID}
	if err := audit(ctx, q, actor, "message.receive", in.patientID, "message/"+in.id); err != nil {
		return 0, err
	}
	return rc, nil
}

// decideAndRecord decides where a newly stored message goes and records
// it: handled, in the inbox, or a route for the reply router.
func (e *Engine) decideAndRecord(ctx context.Context, q *store.Queries, in inbound) (receipt, error) {
	r, err := e.decide(ctx, q, in)
	if err != nil {
		return 0, err
	}
	switch {
	case r == (route{}):
		return receiptHandled, q.MessageRouted(ctx, in.id, "")
	case r.Inbox != nil && r.Safety == nil:
		if err := routeToInbox(ctx, q, in.id, *r.Inbox); err != nil {
			return 0, err
		}
		return receiptInbox, nil
	}
	b, err := json.Marshal(r)
	if err != nil {
		return 0, fmt.Errorf("encode route: %w", err)
	}
	if err := q.RouteInsert(ctx, in.id, store.RouteSender(in.Channel, in.From), b); err != nil {
		return 0, err
	}
	return receiptRouted, nil
}

// storeInbound stores the message (once per provider message ID) under the
// patient it is from, when that is known. inserted=false is a re-delivery.
func storeInbound(ctx context.Context, q *store.Queries, m InboundMessage) (in inbound, inserted bool, err error) {
	patients, err := patientsFor(ctx, q, m)
	if err != nil {
		return inbound{}, false, err
	}
	questions, err := q.QuestionsOpen(ctx, patients)
	if err != nil {
		return inbound{}, false, err
	}
	in = inbound{InboundMessage: m, patients: patients}
	if open, ok := pickQuestion(questions, m.Body); ok {
		in.open, in.patientID = &open, open.PatientID
	} else if len(patients) == 1 {
		in.patientID = patients[0]
	}
	in.id, _, inserted, err = q.MessageInboundInsert(ctx, store.InboundMessage{ID: uuid.NewString(),
		PatientID: in.patientID, Channel: m.Channel, Body: m.Body, To: m.To, From: m.From,
		Provider: m.Provider, ProviderMessageID: m.ProviderMessageID})
	return in, inserted && err == nil, err
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

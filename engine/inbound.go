package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/messaging"
	"github.com/carepath/carepath/store"
	"github.com/carepath/carepath/workflows"
)

// InboundMessage is a message a provider's webhook delivered.
type InboundMessage struct {
	Channel           carepath.Channel // sms or email
	Provider          string
	ProviderMessageID string
	From, To          string
	Body              string
	RequestID         string
	// Review, when set, is why the message goes to the care team rather
	// than to any journey (a sender that failed authentication, text that
	// could not be read); it is stored all the same.
	Review string
}

// Reasons for tasks raised by replies no journey is waiting for.
const (
	ReasonUnknownSender = "message from an unknown number or address: please review"
	ReasonSharedSender  = "message from a contact point several patients share: please review"
	ReasonUnmatched     = "patient reply needs review (it answered no open question)"
	// ReasonUnverifiedEmail: SendGrid's SPF and DKIM checks did not pass for
	// the sender's domain, so anyone could have written it.
	ReasonUnverifiedEmail = "email reply whose sender could not be verified (SPF/DKIM): please review"
	// ReasonUnreadableEmail: the text was not valid in its declared
	// character set (or too long) and was stored as best it could be.
	ReasonUnreadableEmail = "email reply that could not be read as text: please review"
)

// Bounds on storing a reply, so that with PostgreSQL down the webhook
// answers 503 at once and the provider's fallback URL applies.
const (
	receiveAcquireWait = time.Second     // to get a connection
	receiveTimeout     = 5 * time.Second // for the whole transaction
)

// ReceiveMessage stores an inbound message exactly once, and with it, in
// the same transaction, where it goes: the open question it answers (the
// journey hears of it from the reply router), a compliance answer to start,
// opt-outs to signal, or a task in the care team's inbox. Consent changes
// (STOP, START) and preference changes are made in that transaction too.
// Once it returns nil the reply is durable and carepath, not the provider,
// finishes routing it; a provider's re-delivery changes nothing.
func (e *Engine) ReceiveMessage(ctx context.Context, m InboundMessage) error {
	ctx, cancel := context.WithTimeout(ctx, receiveTimeout)
	defer cancel()
	receive := func(q *store.Queries) error { return e.receive(ctx, q, m) }
	start := time.Now()
	err := e.Store.TxWithin(ctx, receiveAcquireWait, receive)
	if store.Unavailable(err) && time.Since(start) < receiveAcquireWait/2 {
		// Once more, if that failed fast: after a database restart the pool
		// may hand out a connection that died with it. (Idempotent: the
		// provider's message ID stores the reply once.)
		err = e.Store.TxWithin(ctx, receiveAcquireWait, receive)
	}
	if err != nil {
		return e.unavailable(fmt.Errorf("receive message: %w", err), m.RequestID)
	}
	e.wakeRouter()
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

// receive is ReceiveMessage's transaction.
func (e *Engine) receive(ctx context.Context, q *store.Queries, m InboundMessage) error {
	patients, err := patientsFor(ctx, q, m)
	if err != nil {
		return err
	}
	questions, err := q.QuestionsOpen(ctx, patients)
	if err != nil {
		return err
	}
	open, hasOpen := pickQuestion(questions, m.Body)
	patientID := ""
	switch {
	case hasOpen:
		patientID = open.PatientID
	case len(patients) == 1:
		patientID = patients[0]
	}
	id, _, inserted, err := q.MessageInboundInsert(ctx, store.InboundMessage{ID: uuid.NewString(),
		PatientID: patientID, Channel: m.Channel, Body: m.Body, To: m.To, From: m.From,
		Provider: m.Provider, ProviderMessageID: m.ProviderMessageID})
	if err != nil || !inserted {
		return err // a re-delivery: its route was stored with it
	}
	actor := carepath.Actor{Kind: carepath.ActorWebhook, ID: m.Provider, RequestID: m.RequestID}
	if err := audit(ctx, q, actor, "message.receive", patientID, "message/"+id); err != nil {
		return err
	}
	in := inbound{InboundMessage: m, id: id, patients: patients, patientID: patientID}
	if hasOpen {
		in.open = &open
	}
	r, err := e.decide(ctx, q, in)
	if err != nil {
		return err
	}
	if r.Inbox != nil {
		// Nothing for Temporal to do: the inbox has it now.
		return routeToInbox(ctx, q, id, *r.Inbox)
	}
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode route: %w", err)
	}
	return q.RouteInsert(ctx, id, store.RouteSender(m.Channel, m.From), b)
}

// inbound is a reply being received: the message, its stored ID and who
// may have sent it.
type inbound struct {
	InboundMessage
	id        string
	patients  []string        // every patient using the sender's phone or address
	patientID string          // the one it is filed under ("" if unknown or shared)
	open      *store.Question // the open question it would answer, if any
}

// decide chooses, in the webhook's transaction, where a reply goes. A
// message flagged for review goes to the inbox. Compliance keywords come first: they are never an answer. Then a reply
// that fits the open question answers it, so "by email" answers "text or
// email?" rather than changing preferences. Then requests to change how
// we reach the patient; then the open question (whose journey clarifies a
// reply it does not understand); else the inbox.
func (e *Engine) decide(ctx context.Context, q *store.Queries, in inbound) (route, error) {
	if in.Review != "" {
		return route{Inbox: &inboxRoute{PatientID: in.patientID, Reason: in.Review}}, nil
	}
	if r, handled, err := e.keyword(ctx, q, in); err != nil || handled {
		return r, err
	}
	fits := in.open != nil && fitsQuestion(*in.open, in.Body)
	if !fits {
		pref, err := e.preferences(ctx, q, in.InboundMessage, in.id, in.patientID, true)
		if err != nil || pref != nil {
			return route{Compliance: pref}, err
		}
	}
	if in.open != nil {
		if err := q.QuestionAnswer(ctx, in.open.ID, in.id); err != nil {
			return route{}, err
		}
		return route{Reply: &replyRoute{QuestionID: in.open.ID, WorkflowID: in.open.WorkflowID,
			EnrollmentID: in.open.EnrollmentID, PatientID: in.open.PatientID}}, nil
	}
	reason := ReasonUnmatched
	switch {
	case len(in.patients) == 0:
		reason = ReasonUnknownSender
	case len(in.patients) > 1:
		reason = ReasonSharedSender
	}
	return route{Inbox: &inboxRoute{PatientID: in.patientID, Reason: reason}}, nil
}

// fitsQuestion reports whether a reply is one of the question's answers
// (free-text questions take anything, so nothing "fits" them).
func fitsQuestion(qu store.Question, body string) bool {
	if len(qu.Accepts.Choices) == 0 && qu.Accepts.Number == nil {
		return false
	}
	_, ok := qu.Accepts.Parse(body)
	return ok
}

// pickQuestion chooses the open question a reply answers: the newest one
// whose choices (or number range) the reply fits, so with two journeys
// waiting "3" goes to the 1-2-3 question and "8" to the 0-10 one; if none
// fits, the newest, whose journey will ask for clarification.
func pickQuestion(open []store.Question, body string) (store.Question, bool) {
	if len(open) == 0 {
		return store.Question{}, false
	}
	for _, q := range open {
		if fitsQuestion(q, body) { // free text fits anything: a last resort, not a match
			return q, true
		}
	}
	return open[0], true
}

// preferences applies a reply such as "email me instead", "text in
// Spanish" or "less often" to the patient's record (every journey honours
// it from the next message) and says to acknowledge it. It returns nil for
// any other reply, or when the sender is not one known patient.
func (e *Engine) preferences(ctx context.Context, q *store.Queries, m InboundMessage, msgID, patientID string, first bool) (*workflows.ComplianceReplyInput, error) {
	change := messaging.ParsePreference(m.Body)
	if !change.Any() || patientID == "" {
		return nil, nil
	}
	if first {
		if change.Channel != "" || change.Locale != "" {
			if err := q.PatientPreferences(ctx, patientID, change.Locale, change.Channel); err != nil {
				return nil, err
			}
		}
		if change.LessOften {
			if err := q.PatientLessOften(ctx, patientID); err != nil {
				return nil, err
			}
		}
		actor := carepath.Actor{Kind: carepath.ActorWebhook, ID: m.Provider, RequestID: m.RequestID}
		if err := audit(ctx, q, actor, "patient.preferences", patientID, "message/"+msgID); err != nil {
			return nil, err
		}
	}
	return &workflows.ComplianceReplyInput{PatientID: patientID, InboundMessageID: msgID, Template: workflows.TemplatePreferences,
		Channel: m.Channel}, nil
}

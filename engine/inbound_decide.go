package engine

import (
	"context"

	"github.com/carepath/carepath/store"
)

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
// message flagged for review goes to the inbox. Compliance keywords come
// first: they are never an answer. Then a reply that fits the open question
// answers it, so "by email" answers "text or email?" rather than changing
// preferences. Then requests to change how we reach the patient; then the
// open question (whose journey clarifies a reply it does not understand);
// else the inbox.
func (e *Engine) decide(ctx context.Context, q *store.Queries, in inbound) (route, error) {
	if in.Review != "" {
		return route{Inbox: &inboxRoute{PatientID: in.patientID, Reason: in.Review}}, nil
	}
	if r, handled, err := e.keyword(ctx, q, in); err != nil || handled {
		return r, err
	}
	fits := in.open != nil && fitsQuestion(*in.open, in.Body)
	if !fits {
		pref, err := e.preferences(ctx, q, in)
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
	switch {
	case len(in.patients) == 0:
		return route{Inbox: &inboxRoute{Reason: ReasonUnknownSender}}, nil
	case len(in.patients) > 1:
		return route{Inbox: &inboxRoute{Reason: ReasonSharedSender}}, nil
	}
	inbox := unmatchedReply(in.patientID, "")
	return route{Inbox: &inbox}, nil
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

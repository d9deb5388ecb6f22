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

// decide chooses, in the webhook's transaction, where a reply goes.
//
//  1. A staff member's message (acknowledging a page: "ACK 4821") is never
//     a patient's reply. A number both a patient and a staff member use is
//     read as staff only for an acknowledgement.
//  2. Red flags are screened for in everything else, first and always
//     (screen): the urgent task is raised here, the page and the safety
//     message follow from the route; routing then goes on as usual.
//  3. A message flagged for review goes to the inbox.
//  4. Compliance keywords and opt-outs in the patient's own words: never an
//     answer.
//  5. A reply that fits the open question answers it, so "by email"
//     answers "text or email?" rather than changing preferences.
//  6. A reading sent by text ("BG 182") is recorded and acknowledged.
//  7. Requests to change how we reach the patient.
//  8. The open question (whose journey clarifies a reply it does not
//     understand); else the inbox.
func (e *Engine) decide(ctx context.Context, q *store.Queries, in inbound) (route, error) {
	if _, isAck := ParseAck(in.Body); in.Review == "" && (len(in.patients) == 0 || isAck) {
		handled, err := e.AcknowledgeByReply(ctx, q, in.Channel, in.From, in.Body, in.id)
		if err != nil || handled {
			return route{}, err
		}
	}
	caregivers, err := caregiversFor(ctx, q, in.InboundMessage)
	if err != nil {
		return route{}, err
	}
	sr, err := e.screen(ctx, q, in, caregivers)
	if err != nil {
		return route{}, err
	}
	r, err := e.decideRoute(ctx, q, in, caregivers)
	if err != nil || sr == nil {
		return r, err
	}
	r.Safety = sr
	if r.Reply != nil {
		r.Reply.RedFlag = true
	}
	if r.Inbox != nil && r.Inbox.Reason == unmatchedReply("", "").Reason {
		r.Inbox = nil // the urgent task holds the reply: one task, not two
	}
	return r, nil
}

// decideRoute is decide's steps 3 to 8.
func (e *Engine) decideRoute(ctx context.Context, q *store.Queries, in inbound, caregivers []store.Caregiver) (route, error) {
	if in.Review != "" {
		return route{Inbox: &inboxRoute{PatientID: in.patientID, Reason: in.Review}}, nil
	}
	if r, handled, err := e.keyword(ctx, q, in, caregivers); err != nil || handled {
		return r, err
	}
	fits := in.open != nil && fitsQuestion(*in.open, in.Body)
	if !fits {
		if r, handled, err := e.textReading(ctx, q, in); err != nil || handled {
			return r, err
		}
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

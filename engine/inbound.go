package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
	"github.com/carepath/carepath/workflows"
)

// InboundMessage is a message a provider's webhook delivered.
type InboundMessage struct {
	Channel           string // sms or email
	Provider          string
	ProviderMessageID string
	From, To          string
	Body              string
	RequestID         string
}

// Reasons for tasks raised by replies no journey is waiting for.
const (
	ReasonUnknownSender = "message from an unknown number or address: please review"
	ReasonSharedSender  = "message from a contact point several patients share: please review"
	ReasonUnmatched     = "patient reply needs review (it answered no open question)"
)

// ReceiveMessage stores an inbound message exactly once and hands it on:
// to the journey whose open question it answers, or else to the care
// team's inbox as a task. It is safe to call again with the same provider
// message ID (providers re-deliver): a message already handed on is not
// handed on twice, and one stored but not yet handed on is finished.
func (e *Engine) ReceiveMessage(ctx context.Context, m InboundMessage) error {
	var (
		msgID     string
		target    store.Question
		toJourney bool
		done      bool
	)
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		patients, err := q.PatientIDsByPhone(ctx, m.From)
		if err != nil {
			return err
		}
		open, hasOpen, err := q.QuestionLatestOpen(ctx, patients)
		if err != nil {
			return err
		}
		patientID := ""
		switch {
		case hasOpen:
			patientID = open.PatientID
		case len(patients) == 1:
			patientID = patients[0]
		}
		id, status, inserted, err := q.MessageInboundInsert(ctx, store.InboundMessage{ID: uuid.NewString(),
			PatientID: patientID, Channel: m.Channel, Body: m.Body, To: m.To, From: m.From,
			Provider: m.Provider, ProviderMessageID: m.ProviderMessageID})
		if err != nil {
			return err
		}
		msgID = id
		if inserted {
			// The webhook changed state: record it with the change.
			actor := carepath.Actor{Kind: carepath.ActorWebhook, ID: m.Provider, RequestID: m.RequestID}
			if err := audit(ctx, q, actor, "message.receive", patientID, "message/"+id); err != nil {
				return err
			}
		}
		if status == carepath.MessageRouted {
			done = true // a re-delivery of a message already handed on
			return nil
		}
		if !inserted {
			// Stored by an earlier delivery that did not finish: it may
			// already have taken a question.
			if target, toJourney, err = q.QuestionAnsweredBy(ctx, id); err != nil {
				return err
			}
		}
		if !toJourney && hasOpen {
			if err := q.QuestionAnswer(ctx, open.ID, id); err != nil {
				return err
			}
			target, toJourney = open, true
		}
		if toJourney {
			return nil
		}
		reason := ReasonUnmatched
		switch {
		case len(patients) == 0:
			reason = ReasonUnknownSender
		case len(patients) > 1:
			reason = ReasonSharedSender
		}
		if _, err := q.TaskInsert(ctx, store.NewTask{ID: uuid.NewString(), PatientID: patientID, MessageID: id,
			Priority: carepath.PriorityNormal, Reason: reason, DedupeKey: "reply/" + id}); err != nil {
			return err
		}
		return q.MessageRouted(ctx, id, "")
	})
	if err != nil {
		return fmt.Errorf("receive message: %w", err)
	}
	if done || !toJourney {
		return nil
	}
	reply := workflows.Reply{QuestionID: target.ID, MessageID: msgID, Channel: m.Channel, Body: m.Body, ReceivedAt: time.Now().UTC()}
	if err := e.Temporal.SignalWorkflow(ctx, target.WorkflowID, "", workflows.SignalReply, reply); err != nil {
		if !errNotFound(err) {
			// Left "received": the provider's retry finishes the job.
			return fmt.Errorf("receive message: signal journey: %w", err)
		}
		// The journey ended under us: the reply goes to the inbox instead.
		if _, err := e.Store.TaskInsert(ctx, store.NewTask{ID: uuid.NewString(), PatientID: target.PatientID,
			EnrollmentID: target.EnrollmentID, MessageID: msgID, Priority: carepath.PriorityNormal,
			Reason: ReasonUnmatched, DedupeKey: "reply/" + msgID}); err != nil {
			return fmt.Errorf("receive message: raise task: %w", err)
		}
	}
	if err := e.Store.MessageRouted(ctx, msgID, target.EnrollmentID); err != nil {
		return fmt.Errorf("receive message: %w", err)
	}
	e.Log.Info("reply routed to journey", "message_id", msgID, "enrollment_id", target.EnrollmentID)
	return nil
}

package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/messaging"
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
		msgID        string
		target       store.Question
		toJourney    bool
		done         bool
		keywordReply *workflows.ComplianceReplyInput
		optedOut     []string // patients whose journeys hear of a STOP
	)
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
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
		// Compliance keywords come first: they are never an answer; then
		// requests to change how we reach the patient.
		if keywordReply, err = e.keyword(ctx, q, m, id, patients, inserted); err != nil || keywordReply != nil {
			optedOut = patients
			return err
		}
		if keywordReply, err = e.preferences(ctx, q, m, id, patientID, inserted); err != nil || keywordReply != nil {
			return err
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
			Priority: carepath.PriorityNormal, Reason: reason, DedupeKey: "reply/" + id, Swept: true}); err != nil {
			return err
		}
		return q.MessageRouted(ctx, id, "")
	})
	if err != nil {
		return fmt.Errorf("receive message: %w", err)
	}
	if keywordReply != nil {
		if keywordReply.Template == workflows.TemplateStopConfirm {
			if err := e.signalOptOut(ctx, optedOut, m.Channel); err != nil {
				return err
			}
		}
		return e.complianceReply(ctx, msgID, *keywordReply)
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
			Reason: ReasonUnmatched, DedupeKey: "reply/" + msgID, Swept: true}); err != nil {
			return fmt.Errorf("receive message: raise task: %w", err)
		}
	}
	if err := e.Store.MessageRouted(ctx, msgID, target.EnrollmentID); err != nil {
		return fmt.Errorf("receive message: %w", err)
	}
	e.Log.Info("reply routed to journey", "message_id", msgID, "enrollment_id", target.EnrollmentID)
	return nil
}

// complianceReply starts the one answer to a keyword (keyed by the inbound
// message, so a re-delivered webhook cannot send a second), then marks the
// message handled.
func (e *Engine) complianceReply(ctx context.Context, msgID string, in workflows.ComplianceReplyInput) error {
	_, err := e.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: workflows.ComplianceWorkflowID(msgID), TaskQueue: workflows.TaskQueue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, workflows.ComplianceReplyWorkflow, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.As(err, &started) {
		return fmt.Errorf("receive message: start keyword reply: %w", err) // left "received": the retry finishes
	}
	if err := e.Store.MessageRouted(ctx, msgID, ""); err != nil {
		return fmt.Errorf("receive message: %w", err)
	}
	return nil
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
		if len(q.Accepts.Choices) == 0 && q.Accepts.Number == nil {
			continue // free text fits anything: a last resort, not a match
		}
		if _, ok := q.Accepts.Parse(body); ok {
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

// signalOptOut tells the patients' running journeys they opted out of a
// channel, so a journey waiting for an answer there stops at once.
func (e *Engine) signalOptOut(ctx context.Context, patients []string, channel string) error {
	for _, pid := range patients {
		wfs, err := e.Store.EnrollmentWorkflowsActive(ctx, pid)
		if err != nil {
			return fmt.Errorf("signal opt-out: %w", err)
		}
		for _, wf := range wfs {
			if err := e.Temporal.SignalWorkflow(ctx, wf, "", workflows.SignalOptOut, workflows.OptOut{Channel: channel}); err != nil && !errNotFound(err) {
				return fmt.Errorf("signal opt-out: %w", err)
			}
		}
	}
	return nil
}

package activities

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/messaging"
	"github.com/carepath/carepath/store"
)

// ErrTypeSendConfig marks a send that can never succeed as configured (for
// example an unknown template): retrying would not help.
const ErrTypeSendConfig = "SendConfigError"

// SendMessage sends one message through the outbox, exactly once per
// MessageID:
//
//  1. the row is written (status queued) under the workflow-derived ID, or
//     found if a previous attempt wrote it;
//  2. a row already sent, failed or suppressed returns its recorded outcome
//     without calling the provider again;
//  3. otherwise the row is marked sending (and its question opened) in the
//     same transaction, the provider is called, and the result recorded.
//
// A provider answer of "try later" puts the row back to queued before the
// activity retries, so the retry is safe. A call whose outcome is unknown
// (the connection broke after the request left) leaves the row in sending;
// see docs/messaging.md for how that case is handled.
func (a *Activities) SendMessage(ctx context.Context, req SendMessageRequest) (SendMessageResult, error) {
	p, err := a.Store.PatientGet(ctx, req.PatientID)
	if err != nil {
		return SendMessageResult{}, fmt.Errorf("send message: %w", err)
	}
	channel, to, reason := chooseChannel(p)
	// The patient's own details are added here, never passed through
	// workflow history.
	vars := map[string]string{"given_name": p.GivenName}
	for k, v := range req.Vars {
		vars[k] = v
	}
	subject, body, fellBack, err := a.Templates.Render(req.Template, p.Locale, vars)
	if err != nil {
		return SendMessageResult{}, temporal.NewNonRetryableApplicationError("render failed", ErrTypeSendConfig, err)
	}
	if fellBack {
		a.Log.Warn("template has no text in the patient's locale; sent in English",
			"template", req.Template, "locale", p.Locale, "patient_id", p.ID)
	}
	sender := a.SMS
	if channel == carepath.ChannelEmail {
		sender = a.Email
	}
	row := store.OutboxMessage{ID: req.MessageID, PatientID: p.ID, EnrollmentID: req.EnrollmentID, Channel: channel,
		Template: req.Template, Body: body, To: to, Status: carepath.MessageQueued}
	if reason != "" {
		row.Status, row.StatusReason = carepath.MessageSuppressed, reason
	}
	if sender != nil {
		row.Provider = sender.Provider()
	}

	var state store.OutboxState
	err = a.Store.Tx(ctx, func(q *store.Queries) error {
		if err := q.MessageOutboxInsert(ctx, row); err != nil {
			return err
		}
		if state, err = q.MessageOutboxLock(ctx, req.MessageID); err != nil {
			return err
		}
		if state.Status != carepath.MessageQueued && state.Status != carepath.MessageSending {
			return nil
		}
		if req.Question != nil {
			if err := q.QuestionOpen(ctx, store.Question{ID: req.Question.ID, EnrollmentID: req.EnrollmentID,
				PatientID: p.ID, WorkflowID: req.Question.WorkflowID, Key: req.Question.Key, Choices: req.Question.Choices}); err != nil {
				return err
			}
		}
		return q.MessageMarkSending(ctx, req.MessageID)
	})
	if err != nil {
		return SendMessageResult{}, fmt.Errorf("send message: outbox: %w", err)
	}
	switch state.Status {
	case carepath.MessageSent, carepath.MessageDelivered:
		return SendMessageResult{Outcome: OutcomeSent, Channel: state.Channel}, nil
	case carepath.MessageSuppressed:
		return SendMessageResult{Outcome: OutcomeSuppressed, Reason: state.StatusReason, Channel: state.Channel}, nil
	case carepath.MessageFailed:
		return SendMessageResult{Outcome: OutcomeFailed, Reason: state.StatusReason, Channel: state.Channel}, nil
	}
	if sender == nil {
		return SendMessageResult{}, temporal.NewNonRetryableApplicationError("no sender configured for "+channel, ErrTypeSendConfig, nil)
	}
	activity.RecordHeartbeat(ctx, "calling provider")
	receipt, err := sender.Send(ctx, messaging.Outbound{MessageID: req.MessageID, To: to, Subject: subject, Text: body})
	if err == nil {
		if err := a.Store.MessageMarkSent(ctx, req.MessageID, receipt.Provider, receipt.ProviderMessageID); err != nil {
			// The provider has it; the retry will find the row in "sending"
			// and must not resend blindly. Surface the error to retry the write.
			return SendMessageResult{}, fmt.Errorf("send message: record acceptance: %w", err)
		}
		return SendMessageResult{Outcome: OutcomeSent, Channel: channel}, nil
	}
	return a.sendFailed(ctx, req.MessageID, channel, err)
}

// sendFailed records a provider failure and decides between retry and a
// typed outcome.
func (a *Activities) sendFailed(ctx context.Context, messageID, channel string, sendErr error) (SendMessageResult, error) {
	var perr *messaging.Error
	if !errors.As(sendErr, &perr) {
		return SendMessageResult{}, fmt.Errorf("send message: %w", sendErr)
	}
	if perr.Retryable() {
		if perr.HTTPStatus != 0 {
			// The provider answered "not now": nothing was accepted, so
			// the retry may send again.
			if err := a.Store.MessageMarkFailed(ctx, messageID, carepath.MessageQueued, "retrying: "+string(perr.Kind)); err != nil {
				return SendMessageResult{}, fmt.Errorf("send message: requeue: %w", err)
			}
		}
		return SendMessageResult{}, fmt.Errorf("send message: %w", perr)
	}
	reason := ReasonProvider
	switch perr.Kind {
	case messaging.KindInvalidContact, messaging.KindTransientUnreachable:
		reason = ReasonInvalidContact
	case messaging.KindOptedOut:
		reason = ReasonOptedOut
	}
	if err := a.Store.MessageMarkFailed(ctx, messageID, carepath.MessageFailed, fmt.Sprintf("%s (%s code %d)", reason, perr.Provider, perr.Code)); err != nil {
		return SendMessageResult{}, fmt.Errorf("send message: record failure: %w", err)
	}
	a.Log.Warn("message not delivered", "message_id", messageID, "provider", perr.Provider, "code", perr.Code, "kind", string(perr.Kind))
	return SendMessageResult{Outcome: OutcomeFailed, Reason: reason, Channel: channel}, nil
}

// chooseChannel picks the patient's preferred channel, falling back to the
// other one when the preferred contact point is missing or known invalid.
// It returns a suppression reason when no channel can be used.
func chooseChannel(p store.PatientRecord) (channel, to, reason string) {
	smsOK := p.Phone != "" && p.PhoneStatus != "invalid"
	emailOK := p.Email != "" && p.EmailStatus != "invalid"
	order := []string{carepath.ChannelSMS, carepath.ChannelEmail}
	if p.PreferredChannel == carepath.ChannelEmail {
		order = []string{carepath.ChannelEmail, carepath.ChannelSMS}
	}
	for _, ch := range order {
		if ch == carepath.ChannelSMS && smsOK {
			return ch, p.Phone, ""
		}
		if ch == carepath.ChannelEmail && emailOK {
			return ch, p.Email, ""
		}
	}
	if p.Phone == "" && p.Email == "" {
		return p.PreferredChannel, "", ReasonNoContact
	}
	return p.PreferredChannel, "", ReasonInvalidContact
}

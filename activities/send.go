package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/messaging"
	"github.com/carepath/carepath/store"
)

// ErrTypeSendConfig marks a send that can never succeed as configured (for
// example an unknown template): retrying would not help.
const ErrTypeSendConfig = "SendConfigError"

// Reconciliation waits: a "not found" from a provider lookup is trusted
// only once the lost call is this old; without a lookup, only after the
// provider's events have had time to arrive.
const (
	reconcileWithLookup    = time.Minute
	reconcileWithoutLookup = 10 * time.Minute
)

// sendHooks let tests crash a send at chosen points.
type sendHooks struct {
	beforeProvider func(messageID string) error
	afterProvider  func(messageID string) error
}

// SendMessage sends one message, exactly once per MessageID, under the
// deployment's rules. It is the only way a journey reaches a patient:
//
//  1. In one transaction, with the patient's row locked (so concurrent
//     journeys see each other's sends), the outbox row is written or found
//     under the workflow-derived ID. A row already decided returns its
//     recorded outcome without calling a provider again.
//  2. Otherwise the rules decide: a channel the patient has consented to
//     and whose contact point is not known to be invalid (preferred first,
//     then the other unless NoFallback); no automated message outside the
//     send window in the patient's zone; outreach within the frequency caps.
//     Replies within a conversation the patient just wrote in are exempt
//     from the window and the caps; compliance replies (STOP/HELP) from all
//     rules but contact validity.
//  3. A message that may not go now is deferred (the workflow sleeps until
//     DeferredUntil and calls again) or suppressed, with its reason on the
//     row. One that may go is marked sending, its question opened, and the
//     provider called.
//
// A row found in "sending" is a call whose outcome is unknown: it is
// reconciled with the provider before anything is sent again.
func (a *Activities) SendMessage(ctx context.Context, req SendMessageRequest) (SendMessageResult, error) {
	res, err := a.sendMessage(ctx, req)
	if err == nil {
		a.Metrics.Message(ctx, res.Channel, res.Outcome)
	}
	return res, err
}

func (a *Activities) sendMessage(ctx context.Context, req SendMessageRequest) (SendMessageResult, error) {
	if req.Purpose == "" {
		req.Purpose = PurposeCare
	}
	for pass := 0; ; pass++ {
		d, err := a.decide(ctx, req)
		if err != nil {
			return SendMessageResult{}, err
		}
		if d.result != nil {
			return *d.result, nil
		}
		if d.reconcile {
			res, resend, err := a.reconcile(ctx, req.MessageID, d)
			if err != nil || !resend {
				return res, err
			}
		}
		res, again, err := a.callProvider(ctx, req, d)
		if again && pass == 0 {
			continue // the contact point turned out invalid or opted out: decide again (fallback)
		}
		return res, err
	}
}

// decision is what decide concluded.
type decision struct {
	result    *SendMessageResult // final (sent, deferred, suppressed, failed): nothing to call
	reconcile bool               // a previous call's outcome is unknown
	patientID string
	channel   string
	to        string
	subject   string
	body      string
	sender    messaging.Sender
	sendingAt time.Time
	// caregiver marks a message to a caregiver: its failures say nothing
	// about the patient's own contact points or consent.
	caregiver bool
}

func (a *Activities) decide(ctx context.Context, req SendMessageRequest) (decision, error) {
	var d decision
	err := a.Store.Tx(ctx, func(q *store.Queries) error {
		if err := q.PatientLock(ctx, req.PatientID); err != nil {
			return err
		}
		p, err := q.PatientGet(ctx, req.PatientID)
		if err != nil {
			return err
		}
		d.patientID = p.ID
		subject, body, err := a.render(req, p)
		if err != nil {
			return err
		}
		d.subject, d.body = subject, body
		if err := q.MessageOutboxInsert(ctx, store.OutboxMessage{ID: req.MessageID, PatientID: p.ID,
			EnrollmentID: req.EnrollmentID, Channel: a.preferred(req, p), Template: req.Template, Body: body,
			Status: carepath.MessageQueued, Purpose: req.Purpose}); err != nil {
			return err
		}
		st, err := q.MessageOutboxLock(ctx, req.MessageID)
		if err != nil {
			return err
		}
		switch st.Status {
		case carepath.MessageSent, carepath.MessageDelivered, carepath.MessageUndelivered:
			d.result = &SendMessageResult{Outcome: OutcomeSent, Channel: st.Channel}
			return nil
		case carepath.MessageSuppressed:
			d.result = &SendMessageResult{Outcome: OutcomeSuppressed, Reason: st.StatusReason, Channel: st.Channel}
			return nil
		case carepath.MessageFailed:
			d.result = &SendMessageResult{Outcome: OutcomeFailed, Reason: st.StatusReason, Channel: st.Channel}
			return nil
		case carepath.MessageSending:
			d.reconcile, d.channel, d.to, d.body = true, st.Channel, st.To, st.Body
			d.sender = a.senderFor(st.Channel)
			if st.SendingAt != nil {
				d.sendingAt = *st.SendingAt
			}
			return nil
		}
		return a.evaluate(ctx, q, req, p, &d)
	})
	if err != nil {
		var ae *carepath.Error
		if errors.As(err, &ae) && ae.Code == carepath.ENOTFOUND {
			return d, temporal.NewNonRetryableApplicationError("patient not found", ErrTypeSendConfig, nil)
		}
		return d, fmt.Errorf("send message: decide: %w", err)
	}
	return d, nil
}

// evaluate applies consent, channel, window and caps to a queued or
// deferred message, inside decide's transaction.
func (a *Activities) evaluate(ctx context.Context, q *store.Queries, req SendMessageRequest, p store.PatientRecord, d *decision) error {
	now := a.now()
	loc, err := time.LoadLocation(p.Timezone)
	if err != nil {
		return temporal.NewNonRetryableApplicationError("patient time zone unknown", ErrTypeSendConfig, err)
	}
	ch, to, reason, err := a.chooseChannel(ctx, q, req, p)
	if err != nil {
		return err
	}
	if reason != "" {
		d.result = &SendMessageResult{Outcome: OutcomeSuppressed, Reason: reason, Channel: ch}
		return q.MessageMarkFailed(ctx, req.MessageID, carepath.MessageSuppressed, reason)
	}
	conversational := false
	if req.Purpose != PurposeCompliance {
		last, err := q.LastInboundAt(ctx, p.ID)
		if err != nil {
			return err
		}
		conversational = last != nil && now.Sub(*last) < a.Policy.Conversation
	}
	exempt := req.Purpose == PurposeCompliance || conversational
	if !exempt {
		release, why := now, ReasonQuietHours
		if req.Purpose == PurposeOutreach {
			capped, err := a.capRelease(ctx, q, req.MessageID, p, now, loc)
			if err != nil {
				return err
			}
			if !capped.IsZero() {
				if req.OnCap == OnCapSuppress {
					d.result = &SendMessageResult{Outcome: OutcomeSuppressed, Reason: ReasonCapped, Channel: ch}
					return q.MessageMarkFailed(ctx, req.MessageID, carepath.MessageSuppressed, ReasonCapped)
				}
				release, why = capped, ReasonCapped
			}
		}
		if open := a.Policy.Window.NextOpen(release, loc); open.After(now) {
			d.result = &SendMessageResult{Outcome: OutcomeDeferred, Reason: why, Channel: ch, DeferredUntil: &open}
			return q.MessageDefer(ctx, req.MessageID, why, open)
		}
	}
	d.sender = a.senderFor(ch)
	if d.sender == nil {
		return temporal.NewNonRetryableApplicationError("no sender configured for "+ch, ErrTypeSendConfig, nil)
	}
	d.channel, d.to = ch, to
	if err := q.MessageStart(ctx, req.MessageID, ch, to, d.sender.Provider(), d.body, conversational); err != nil {
		return err
	}
	if req.Question != nil {
		return q.QuestionOpen(ctx, store.Question{ID: req.Question.ID, EnrollmentID: req.EnrollmentID,
			PatientID: p.ID, WorkflowID: req.Question.WorkflowID, Key: req.Question.Key, Accepts: req.Question.Accepts})
	}
	return nil
}

// capRelease returns when an outreach message may go under the caps, or
// zero when it may go now.
func (a *Activities) capRelease(ctx context.Context, q *store.Queries, messageID string, p store.PatientRecord, now time.Time, loc *time.Location) (time.Time, error) {
	var release time.Time
	patientID := p.ID
	caps := a.Policy.Caps
	if p.OutreachPerWeek != nil && *p.OutreachPerWeek < caps.PerWeek {
		caps.PerWeek = *p.OutreachPerWeek // the patient asked for less
	}
	today, _, err := q.OutreachSince(ctx, patientID, messaging.StartOfDay(now, loc), messageID)
	if err != nil {
		return release, err
	}
	if caps.PerDay > 0 && today >= caps.PerDay {
		release = messaging.NextDay(now, loc)
	}
	week, oldest, err := q.OutreachSince(ctx, patientID, now.Add(-7*24*time.Hour), messageID)
	if err != nil {
		return release, err
	}
	if caps.PerWeek > 0 && week >= caps.PerWeek && oldest != nil {
		if t := oldest.Add(7 * 24 * time.Hour); t.After(release) {
			release = t
		}
	}
	return release, nil
}

// chooseChannel picks the first usable channel: requested or preferred,
// then the other unless fallback is forbidden. It returns a suppression
// reason when none can be used.
func (a *Activities) chooseChannel(ctx context.Context, q *store.Queries, req SendMessageRequest, p store.PatientRecord) (ch, to, reason string, err error) {
	first := a.preferred(req, p)
	order := []string{first}
	if !req.NoFallback {
		order = append(order, other(first))
	}
	reason = ReasonNoContact
	for _, c := range order {
		addr, status := p.Phone, p.PhoneStatus
		if c == carepath.ChannelEmail {
			addr, status = p.Email, p.EmailStatus
		}
		switch {
		case addr == "":
			continue
		case status == "invalid":
			if reason == ReasonNoContact {
				reason = ReasonInvalidContact
			}
			continue
		case a.senderFor(c) == nil:
			continue
		}
		if req.Purpose != PurposeCompliance {
			granted, revokedAll, err := q.ConsentState(ctx, p.ID, c, req.Purpose)
			if err != nil {
				return "", "", "", err
			}
			if !granted {
				reason = ReasonNoConsent
				if revokedAll {
					reason = ReasonOptedOut
				}
				continue
			}
		}
		return c, addr, "", nil
	}
	return first, "", reason, nil
}

func (a *Activities) preferred(req SendMessageRequest, p store.PatientRecord) string {
	if req.Channel == carepath.ChannelSMS || req.Channel == carepath.ChannelEmail {
		return req.Channel
	}
	return p.PreferredChannel
}

func other(ch string) string {
	if ch == carepath.ChannelSMS {
		return carepath.ChannelEmail
	}
	return carepath.ChannelSMS
}

func (a *Activities) senderFor(ch string) messaging.Sender {
	if ch == carepath.ChannelEmail {
		return a.Email
	}
	return a.SMS
}

// render fills the template in the patient's locale. The patient's own
// details are added here, never passed through workflow history.
func (a *Activities) render(req SendMessageRequest, p store.PatientRecord) (subject, body string, err error) {
	vars := map[string]string{"given_name": p.GivenName}
	for k, v := range req.Vars {
		vars[k] = v
	}
	subject, body, fellBack, err := a.Templates.Render(req.Template, p.Locale, vars)
	if err != nil {
		return "", "", temporal.NewNonRetryableApplicationError("render failed", ErrTypeSendConfig, err)
	}
	if fellBack {
		a.Log.Warn("template has no text in the patient's locale; sent in English",
			"template", req.Template, "locale", p.Locale, "patient_id", p.ID)
	}
	return subject, body, nil
}

// reconcile settles a call whose outcome is unknown. It returns resend=true
// only when the provider surely does not have the message.
func (a *Activities) reconcile(ctx context.Context, messageID string, d decision) (SendMessageResult, bool, error) {
	if d.sender == nil {
		return SendMessageResult{}, false, temporal.NewNonRetryableApplicationError("no sender for "+d.channel, ErrTypeSendConfig, nil)
	}
	age := a.now().Sub(d.sendingAt)
	if looker, ok := d.sender.(messaging.Looker); ok {
		receipt, found, err := looker.Lookup(ctx, messaging.Outbound{MessageID: messageID, To: d.to, Text: d.body}, d.sendingAt)
		if err != nil {
			return SendMessageResult{}, false, fmt.Errorf("send message: reconcile: %w", err)
		}
		if found {
			if err := a.Store.MessageMarkSent(ctx, messageID, receipt.Provider, receipt.ProviderMessageID); err != nil {
				return SendMessageResult{}, false, fmt.Errorf("send message: record reconciled: %w", err)
			}
			a.Log.Info("unknown send outcome reconciled: provider had it", "message_id", messageID)
			return SendMessageResult{Outcome: OutcomeSent, Channel: d.channel}, false, nil
		}
		if age >= reconcileWithLookup {
			return SendMessageResult{}, true, nil
		}
	} else if age >= reconcileWithoutLookup {
		return SendMessageResult{}, true, nil
	}
	// Too early to be sure the provider did not take it: try again later.
	return SendMessageResult{}, false, fmt.Errorf("send message %s: outcome of the last provider call unknown; reconciling", messageID)
}

// callProvider hands the message over and records the result. again=true
// asks SendMessage to decide once more (the channel just became unusable).
func (a *Activities) callProvider(ctx context.Context, req SendMessageRequest, d decision) (res SendMessageResult, again bool, err error) {
	if a.hooks != nil && a.hooks.beforeProvider != nil {
		if err := a.hooks.beforeProvider(req.MessageID); err != nil {
			return SendMessageResult{}, false, err
		}
	}
	out := messaging.Outbound{MessageID: req.MessageID, To: d.to, Subject: d.subject, Text: d.body}
	if d.channel == carepath.ChannelSMS {
		out.StatusCallback = a.StatusCallbackURL
	}
	receipt, sendErr := d.sender.Send(ctx, out)
	if sendErr != nil {
		return a.sendFailed(ctx, req, d, sendErr)
	}
	if a.hooks != nil && a.hooks.afterProvider != nil {
		if err := a.hooks.afterProvider(req.MessageID); err != nil {
			return SendMessageResult{}, false, err
		}
	}
	if err := a.Store.MessageMarkSent(ctx, req.MessageID, receipt.Provider, receipt.ProviderMessageID); err != nil {
		// The provider has it; the retry finds the row in "sending" and
		// reconciles instead of sending again.
		return SendMessageResult{}, false, fmt.Errorf("send message: record acceptance: %w", err)
	}
	return SendMessageResult{Outcome: OutcomeSent, Channel: d.channel}, false, nil
}

// sendFailed records a provider failure and decides between retry, a typed
// outcome, and deciding again on another channel.
func (a *Activities) sendFailed(ctx context.Context, req SendMessageRequest, d decision, sendErr error) (SendMessageResult, bool, error) {
	var perr *messaging.Error
	if !errors.As(sendErr, &perr) {
		return SendMessageResult{}, false, fmt.Errorf("send message: %w", sendErr)
	}
	id := req.MessageID
	a.Log.Warn("provider refused message", "message_id", id, "provider", perr.Provider, "code", perr.Code,
		"http_status", perr.HTTPStatus, "kind", string(perr.Kind))
	switch perr.Kind {
	case messaging.KindRetryable:
		if perr.HTTPStatus != 0 {
			// The provider answered "not now": nothing was accepted, so
			// the retry may send again.
			if err := a.Store.MessageMarkFailed(ctx, id, carepath.MessageQueued, "retrying: provider busy"); err != nil {
				return SendMessageResult{}, false, fmt.Errorf("send message: requeue: %w", err)
			}
		}
		return SendMessageResult{}, false, fmt.Errorf("send message: %w", perr)

	case messaging.KindInvalidContact, messaging.KindOptedOut:
		if d.caregiver {
			if err := a.Store.MessageMarkFailed(ctx, id, carepath.MessageFailed, fmt.Sprintf("%s (%s code %d)", perr.Kind, perr.Provider, perr.Code)); err != nil {
				return SendMessageResult{}, false, fmt.Errorf("send message: record failure: %w", err)
			}
			return SendMessageResult{Outcome: OutcomeFailed, Reason: string(perr.Kind), Channel: d.channel}, false, nil
		}
		err := a.Store.Tx(ctx, func(q *store.Queries) error {
			if perr.Kind == messaging.KindOptedOut {
				if err := q.ConsentRecord(ctx, d.patientID, d.channel, store.PurposeAll, false,
					fmt.Sprintf("%s:%d", perr.Provider, perr.Code)); err != nil {
					return err
				}
			} else if err := q.ContactUnreachable(ctx, d.patientID, d.channel, d.to); err != nil {
				return err
			}
			// Back to queued: deciding again skips this channel.
			return q.MessageMarkFailed(ctx, id, carepath.MessageQueued, fmt.Sprintf("%s code %d on %s", perr.Kind, perr.Code, d.channel))
		})
		if err != nil {
			return SendMessageResult{}, false, fmt.Errorf("send message: record %s: %w", perr.Kind, err)
		}
		return SendMessageResult{}, true, nil

	case messaging.KindTransientUnreachable:
		if d.caregiver {
			break
		}
		var res SendMessageResult
		err := a.Store.Tx(ctx, func(q *store.Queries) error {
			n, err := q.PhoneUnreachable(ctx, d.patientID, d.to)
			if err != nil {
				return err
			}
			if n >= a.Policy.UnreachableLimit {
				if err := q.ContactUnreachable(ctx, d.patientID, d.channel, d.to); err != nil {
					return err
				}
			}
			res = SendMessageResult{Outcome: OutcomeFailed, Reason: ReasonUnreachable, Channel: d.channel}
			return q.MessageMarkFailed(ctx, id, carepath.MessageFailed, fmt.Sprintf("%s (%s code %d)", ReasonUnreachable, perr.Provider, perr.Code))
		})
		if err != nil {
			return SendMessageResult{}, false, fmt.Errorf("send message: record unreachable: %w", err)
		}
		return res, false, nil
	}
	if err := a.Store.MessageMarkFailed(ctx, id, carepath.MessageFailed, fmt.Sprintf("%s (%s code %d)", ReasonProvider, perr.Provider, perr.Code)); err != nil {
		return SendMessageResult{}, false, fmt.Errorf("send message: record failure: %w", err)
	}
	return SendMessageResult{Outcome: OutcomeFailed, Reason: ReasonProvider, Channel: d.channel}, false, nil
}

// HygieneReason is the task a contact point that stops working raises.
const HygieneReason = store.HygieneReason

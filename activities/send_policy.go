package activities

import (
	"context"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/messaging"
	"github.com/carepath/carepath/store"
)

// patientJob is a message to the patient. Its fields are (re)loaded in
// every outbox transaction, so each decision sees the patient as they are.
type patientJob struct {
	a   *Activities
	req SendMessageRequest
	p   store.PatientRecord

	subject, body string
}

func (j *patientJob) key() jobKey {
	return jobKey{messageID: j.req.MessageID, enrollmentID: j.req.EnrollmentID,
		recipient: store.Recipient{PatientID: j.req.PatientID}}
}

func (j *patientJob) fallback() bool { return true }

func (j *patientJob) insert(ctx context.Context, q *store.Queries) error {
	p, err := q.PatientGet(ctx, j.req.PatientID)
	if err != nil {
		return err
	}
	j.p = p
	if j.subject, j.body, err = j.a.render(j.req, p); err != nil {
		return err
	}
	err = q.MessageOutboxInsert(ctx, store.OutboxMessage{ID: j.req.MessageID, PatientID: p.ID,
		EnrollmentID: j.req.EnrollmentID, Channel: j.a.preferred(j.req, p), Template: j.req.Template, Body: j.body,
		Status: carepath.MessageQueued, Purpose: j.req.Purpose})
	if err != nil || j.req.Author == "" {
		return err
	}
	return q.MessageAuthorSet(ctx, j.req.MessageID, j.req.Author)
}

// claimed opens the question the message asks, once it is really going.
func (j *patientJob) claimed(ctx context.Context, q *store.Queries) error {
	qr := j.req.Question
	if qr == nil {
		return nil
	}
	return q.QuestionOpen(ctx, store.Question{ID: qr.ID, EnrollmentID: j.req.EnrollmentID, PatientID: j.p.ID,
		WorkflowID: qr.WorkflowID, Key: qr.Key, Accepts: qr.Accepts})
}

// evaluate applies consent, channel, window and caps. It runs when the
// message is decided and again when its attempt is claimed, after the
// pacer's wait: whatever changed meanwhile (a STOP, the window closing, a
// cap reached by another journey) counts.
//
// Compliance replies (STOP/HELP confirmations) are exempt from every rule
// but contact validity. The one conversational exemption: the first
// message a journey sends within Policy.Conversation of the patient
// answering that journey's question (the acknowledgement the patient is
// waiting for) is exempt from the window and the caps. Any other message,
// including other journeys' and anything after an unrelated inbound
// message such as HELP, follows the rules. A message a staff member marked
// urgent is exempt from the window only.
func (j *patientJob) evaluate(ctx context.Context, q *store.Queries) (verdict, error) {
	a, req, p := j.a, j.req, j.p
	now := a.now()
	loc, err := time.LoadLocation(p.Timezone)
	if err != nil {
		return verdict{}, temporal.NewNonRetryableApplicationError("patient time zone unknown", ErrTypeSendConfig, err)
	}
	ch, to, reason, err := a.chooseChannel(ctx, q, req, p)
	if err != nil {
		return verdict{}, err
	}
	if reason != "" {
		res := &SendMessageResult{Outcome: OutcomeSuppressed, Reason: reason, Channel: ch}
		return verdict{result: res}, q.MessageMarkFailed(ctx, req.MessageID, carepath.MessageSuppressed, reason)
	}
	exempt := req.Purpose == carepath.PurposeCompliance
	conversational := false
	if !exempt {
		if conversational, err = q.ConversationReplyDue(ctx, req.EnrollmentID, req.MessageID, now.Add(-a.Policy.Conversation)); err != nil {
			return verdict{}, err
		}
		exempt = conversational
	}
	if !exempt {
		release, why := now, ReasonQuietHours
		if req.Purpose == carepath.PurposeOutreach {
			capped, err := a.capRelease(ctx, q, req.MessageID, p, now, loc)
			if err != nil {
				return verdict{}, err
			}
			if !capped.IsZero() {
				if req.OnCap == OnCapSuppress {
					res := &SendMessageResult{Outcome: OutcomeSuppressed, Reason: ReasonCapped, Channel: ch}
					return verdict{result: res}, q.MessageMarkFailed(ctx, req.MessageID, carepath.MessageSuppressed, ReasonCapped)
				}
				release, why = capped, ReasonCapped
			}
		}
		if open := a.Policy.Window.NextOpen(release, loc); open.After(now) && !(req.Urgent && why == ReasonQuietHours) {
			res := &SendMessageResult{Outcome: OutcomeDeferred, Reason: why, Channel: ch, DeferredUntil: &open}
			return verdict{result: res}, q.MessageDefer(ctx, req.MessageID, why, open)
		}
	}
	sender := a.senderFor(ch)
	if sender == nil {
		return verdict{}, temporal.NewNonRetryableApplicationError("no sender configured for "+string(ch), ErrTypeSendConfig, nil)
	}
	return verdict{plan: sendPlan{channel: ch, to: to, subject: j.subject, body: j.body, sender: sender,
		conversational: conversational}}, nil
}

// capRelease returns when an outreach message may go under the caps, or
// zero when it may go now.
func (a *Activities) capRelease(ctx context.Context, q *store.Queries, messageID string, p store.PatientRecord, now time.Time, loc *time.Location) (time.Time, error) {
	var release time.Time
	caps := a.Policy.Caps
	if p.OutreachPerWeek != nil && *p.OutreachPerWeek < caps.PerWeek {
		caps.PerWeek = *p.OutreachPerWeek // the patient asked for less
	}
	today, _, err := q.OutreachSince(ctx, p.ID, messaging.StartOfDay(now, loc), messageID)
	if err != nil {
		return release, err
	}
	if caps.PerDay > 0 && today >= caps.PerDay {
		release = messaging.NextDay(now, loc)
	}
	week, oldest, err := q.OutreachSince(ctx, p.ID, now.Add(-7*24*time.Hour), messageID)
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

// chooseChannel picks the message's channel by the shared rule
// (ChooseChannel, eligibility.go), among the channels with a sender.
func (a *Activities) chooseChannel(ctx context.Context, q *store.Queries, req SendMessageRequest, p store.PatientRecord) (ch carepath.Channel, to, reason string, err error) {
	r, err := ChooseChannel(ctx, q, p, ChannelRequest{Channel: req.Channel, NoFallback: req.NoFallback, Purpose: req.Purpose},
		func(c carepath.Channel) bool { return a.senderFor(c) != nil })
	if err != nil {
		return "", "", "", err
	}
	return r.Channel, r.To, r.Reason, nil
}

func (a *Activities) preferred(req SendMessageRequest, p store.PatientRecord) carepath.Channel {
	if req.Channel == carepath.ChannelSMS || req.Channel == carepath.ChannelEmail {
		return req.Channel
	}
	return p.PreferredChannel
}

func other(ch carepath.Channel) carepath.Channel {
	if ch == carepath.ChannelSMS {
		return carepath.ChannelEmail
	}
	return carepath.ChannelSMS
}

func (a *Activities) senderFor(ch carepath.Channel) messaging.Sender {
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

package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
)

// NotifyCaregivers sends a message to each caregiver the patient has
// authorised, on the caregiver's own consent, channel and language,
// through the outbox like every send (one derived ID per caregiver: a
// retry notifies no one twice; an unknown outcome is reconciled, never
// resent blindly). Quiet hours follow the patient's zone.
func (a *Activities) NotifyCaregivers(ctx context.Context, req NotifyCaregiversRequest) (NotifyCaregiversResult, error) {
	var res NotifyCaregiversResult
	p, err := a.Store.PatientGet(ctx, req.PatientID)
	if err != nil {
		return res, fmt.Errorf("notify caregivers: %w", notFoundIsFinal(err, "patient"))
	}
	loc, err := time.LoadLocation(p.Timezone)
	if err != nil {
		return res, temporal.NewNonRetryableApplicationError("patient time zone unknown", ErrTypeSendConfig, err)
	}
	if now := a.now(); !a.Policy.Window.Contains(now, loc) {
		open := a.Policy.Window.NextOpen(now, loc)
		res.DeferredUntil = &open
		return res, nil
	}
	caregivers, err := a.Store.CaregiverList(ctx, p.ID)
	if err != nil {
		return res, fmt.Errorf("notify caregivers: %w", err)
	}
	base, err := uuid.Parse(req.MessageIDBase)
	if err != nil {
		return res, temporal.NewNonRetryableApplicationError("bad message id base", ErrTypeInvalidRequest, err)
	}
	for _, cg := range caregivers {
		channel, to := caregiverChannel(cg)
		if cg.AuthorizedAt == nil || to == "" || a.senderFor(channel) == nil {
			res.Skipped++
			continue
		}
		job, err := a.caregiverJob(req, p, cg, channel, to, uuid.NewSHA1(base, []byte(cg.ID)).String())
		if err != nil {
			return res, err
		}
		out, err := a.deliver(ctx, job)
		if err != nil {
			return res, err
		}
		switch out.Outcome {
		case OutcomeSent:
			res.Notified++
		case OutcomeHeld:
			res.Held++
		case OutcomeDeferred:
			// The window closed meanwhile: the journey calls again then;
			// those already told find their rows sent.
			res.DeferredUntil = out.DeferredUntil
			return res, nil
		default:
			res.Skipped++
		}
	}
	return res, nil
}

// caregiverChannel picks the caregiver's preferred channel they consented
// to and can be reached on, else the other.
func caregiverChannel(cg store.Caregiver) (channel carepath.Channel, to string) {
	sms := cg.Phone != "" && cg.SMSConsent && cg.PhoneStatus != store.ContactInvalid
	email := cg.Email != "" && cg.EmailConsent && cg.EmailStatus != store.ContactInvalid
	switch {
	case cg.PreferredChannel == carepath.ChannelSMS && sms, !email && sms:
		return carepath.ChannelSMS, cg.Phone
	case email:
		return carepath.ChannelEmail, cg.Email
	}
	return cg.PreferredChannel, ""
}

// caregiverJob renders one caregiver's message (in their language).
func (a *Activities) caregiverJob(req NotifyCaregiversRequest, p store.PatientRecord, cg store.Caregiver, channel carepath.Channel, to, id string) (*caregiverJob, error) {
	vars := map[string]string{"given_name": p.GivenName, "caregiver_name": cg.GivenName}
	for k, v := range req.Vars {
		vars[k] = v
	}
	subject, body, _, err := a.Templates.Render(req.Template, cg.Locale, vars)
	if err != nil {
		return nil, temporal.NewNonRetryableApplicationError("render failed", ErrTypeSendConfig, err)
	}
	return &caregiverJob{a: a, req: req, id: id, p: p, cgID: cg.ID, channel: channel, to: to, subject: subject, body: body}, nil
}

// caregiverJob is a message to one caregiver. Its failures go to the
// caregiver's own consent and contact points, never the patient's.
type caregiverJob struct {
	a                 *Activities
	req               NotifyCaregiversRequest
	id, cgID          string
	p                 store.PatientRecord
	channel           carepath.Channel
	to, subject, body string
}

func (j *caregiverJob) key() jobKey {
	return jobKey{messageID: j.id, enrollmentID: j.req.EnrollmentID,
		recipient: store.Recipient{PatientID: j.p.ID, CaregiverID: j.cgID}}
}

// fallback: a caregiver's message is not moved to another channel after a
// contact failure; it fails with the reason.
func (j *caregiverJob) fallback() bool { return false }

func (j *caregiverJob) insert(ctx context.Context, q *store.Queries) error {
	return q.CaregiverOutboxInsert(ctx, store.OutboxMessage{ID: j.id, PatientID: j.p.ID, EnrollmentID: j.req.EnrollmentID,
		Channel: j.channel, Template: j.req.Template, Body: j.body, To: j.to, Status: carepath.MessageQueued,
		Provider: j.a.senderFor(j.channel).Provider()}, j.cgID)
}

func (j *caregiverJob) claimed(context.Context, *store.Queries) error { return nil }

// evaluate reads the caregiver again (the patient's authorisation, the
// caregiver's own consent including a STOP kept for their address, their
// contact point) and the window in the patient's zone: it runs again when
// the attempt is claimed, after the pacer's wait.
func (j *caregiverJob) evaluate(ctx context.Context, q *store.Queries) (verdict, error) {
	a := j.a
	suppress := func(reason string) (verdict, error) {
		res := &SendMessageResult{Outcome: OutcomeSuppressed, Reason: reason, Channel: j.channel}
		return verdict{result: res}, q.MessageMarkFailed(ctx, j.id, carepath.MessageSuppressed, reason)
	}
	cg, err := q.CaregiverGet(ctx, j.cgID)
	if err != nil {
		return verdict{}, err
	}
	if cg.AuthorizedAt == nil {
		return suppress(ReasonNoConsent)
	}
	granted, err := q.CaregiverConsentGranted(ctx, cg.ID, j.channel)
	if err != nil {
		return verdict{}, err
	}
	if !granted {
		return suppress(ReasonOptedOut)
	}
	status := cg.PhoneStatus
	if j.channel == carepath.ChannelEmail {
		status = cg.EmailStatus
	}
	if status == store.ContactInvalid {
		return suppress(ReasonInvalidContact)
	}
	loc, err := time.LoadLocation(j.p.Timezone)
	if err != nil {
		return verdict{}, temporal.NewNonRetryableApplicationError("patient time zone unknown", ErrTypeSendConfig, err)
	}
	if now := a.now(); !a.Policy.Window.Contains(now, loc) {
		open := a.Policy.Window.NextOpen(now, loc)
		res := &SendMessageResult{Outcome: OutcomeDeferred, Reason: ReasonQuietHours, Channel: j.channel, DeferredUntil: &open}
		return verdict{result: res}, q.MessageDefer(ctx, j.id, ReasonQuietHours, open)
	}
	return verdict{plan: sendPlan{channel: j.channel, to: j.to, subject: j.subject, body: j.body,
		sender: a.senderFor(j.channel)}}, nil
}

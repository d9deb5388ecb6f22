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
// through the outbox (one derived ID per caregiver: a retry notifies no one
// twice). Quiet hours follow the patient's zone.
func (a *Activities) NotifyCaregivers(ctx context.Context, req NotifyCaregiversRequest) (NotifyCaregiversResult, error) {
	var res NotifyCaregiversResult
	p, err := a.Store.PatientGet(ctx, req.PatientID)
	if err != nil {
		return res, fmt.Errorf("notify caregivers: %w", err)
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
		return res, temporal.NewNonRetryableApplicationError("bad message id base", ErrTypeSendConfig, err)
	}
	for _, cg := range caregivers {
		channel, to := caregiverChannel(cg)
		if cg.AuthorizedAt == nil || to == "" || a.senderFor(channel) == nil {
			res.Skipped++
			continue
		}
		sent, err := a.notifyOne(ctx, req, p, cg, channel, to, uuid.NewSHA1(base, []byte(cg.ID)).String())
		if err != nil {
			return res, err
		}
		if sent {
			res.Notified++
		} else {
			res.Skipped++
		}
	}
	return res, nil
}

// caregiverChannel picks the caregiver's preferred channel they consented
// to, else the other.
func caregiverChannel(cg store.Caregiver) (channel, to string) {
	sms := cg.Phone != "" && cg.SMSConsent
	email := cg.Email != "" && cg.EmailConsent
	switch {
	case cg.PreferredChannel == carepath.ChannelSMS && sms, !email && sms:
		return carepath.ChannelSMS, cg.Phone
	case email:
		return carepath.ChannelEmail, cg.Email
	}
	return cg.PreferredChannel, ""
}

// notifyOne sends one caregiver's message exactly once: the outbox row is
// decided under lock, an unknown outcome is reconciled first.
func (a *Activities) notifyOne(ctx context.Context, req NotifyCaregiversRequest, p store.PatientRecord, cg store.Caregiver, channel, to, id string) (bool, error) {
	vars := map[string]string{"given_name": p.GivenName, "caregiver_name": cg.GivenName}
	for k, v := range req.Vars {
		vars[k] = v
	}
	subject, body, _, err := a.Templates.Render(req.Template, cg.Locale, vars)
	if err != nil {
		return false, temporal.NewNonRetryableApplicationError("render failed", ErrTypeSendConfig, err)
	}
	d := decision{patientID: p.ID, channel: channel, to: to, subject: subject, body: body, sender: a.senderFor(channel), caregiver: true}
	var st store.OutboxState
	err = a.Store.Tx(ctx, func(q *store.Queries) error {
		if err := q.CaregiverOutboxInsert(ctx, store.OutboxMessage{ID: id, PatientID: p.ID, EnrollmentID: req.EnrollmentID,
			Channel: channel, Template: req.Template, Body: body, To: to, Status: carepath.MessageQueued,
			Provider: d.sender.Provider()}, cg.ID); err != nil {
			return err
		}
		if st, err = q.MessageOutboxLock(ctx, id); err != nil {
			return err
		}
		if st.Status == carepath.MessageQueued {
			return q.MessageStart(ctx, id, channel, to, d.sender.Provider(), body, false)
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("notify caregiver: outbox: %w", err)
	}
	switch st.Status {
	case carepath.MessageSent, carepath.MessageDelivered, carepath.MessageUndelivered:
		return true, nil
	case carepath.MessageFailed, carepath.MessageSuppressed:
		return false, nil
	case carepath.MessageSending:
		if st.SendingAt != nil {
			d.sendingAt = *st.SendingAt
		}
		res, resend, err := a.reconcile(ctx, id, d)
		if err != nil || !resend {
			return res.Outcome == OutcomeSent, err
		}
	}
	res, _, err := a.callProvider(ctx, SendMessageRequest{MessageID: id, PatientID: p.ID, Template: req.Template}, d)
	if err != nil {
		return false, err
	}
	return res.Outcome == OutcomeSent, nil
}

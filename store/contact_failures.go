package store

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
)

// The provider-failure rule: what carepath does when a provider says a
// contact point failed, wherever it hears it: the send path from the
// provider's API error (activities/send_failures.go), the webhooks from a
// delivery report or a SendGrid event (engine/delivery.go, engine/email.go,
// through DeliveryApply). It is one rule, ContactFailed, with its
// constants here. It lives in store because each caller applies it inside
// the transaction that records the failure, so the consent change, the
// contact status and the care team's task commit together with it or not
// at all.

// ContactFailure is what a provider said about a contact point, at send
// time (the API's error) or later (a delivery report, a SendGrid event).
type ContactFailure string

// Contact failures.
const (
	// FailureOptedOut: the recipient opted out at the provider (Twilio
	// 21610/30004, an unsubscribe or spam report).
	FailureOptedOut ContactFailure = "opted_out"
	// FailureInvalid: the address does not exist (a bounce, 30005/30006).
	FailureInvalid ContactFailure = "invalid_contact"
	// FailureUnreachable: the handset was unreachable this time (30003).
	FailureUnreachable ContactFailure = "unreachable"
)

// UnreachableLimit is how many "unreachable" failures in a row (no
// confirmed delivery between them) mark a phone invalid.
const UnreachableLimit = 3

// The care-team tasks the rule raises, one per contact point (not one per
// message): keyed by carepath.TaskKeyContact / TaskKeyCaregiverContact.
const (
	HygieneReason          = "contact details need updating: a phone number or email address is not reachable"
	CaregiverHygieneReason = "caregiver contact details need updating: a phone number or email address is not reachable"
)

// ContactFailed applies the provider-failure rule to whoever the message
// was for (a caregiver's failure is the caregiver's, never the patient's):
//
//   - opted out: the recipient's consent on the channel is revoked;
//   - invalid: the recipient's contact point is marked invalid and a
//     hygiene task raised;
//   - unreachable (phones only): counted, and at UnreachableLimit treated
//     as invalid.
//
// source names the evidence, e.g. "twilio:21610" or "sendgrid:bounce".
func (q *Queries) ContactFailed(ctx context.Context, r Recipient, channel carepath.Channel, address string, f ContactFailure, source string) error {
	if r.PatientID == "" && r.CaregiverID == "" {
		return nil // a message to no one carepath knows: nothing to record
	}
	var err error
	switch f {
	case FailureOptedOut:
		err = q.ConsentAppend(ctx, r, ConsentChange{Channel: channel, Purpose: carepath.PurposeAll, Granted: false,
			Source: source, Reason: "provider reported an opt-out"})
	case FailureInvalid:
		err = q.contactFailedInvalid(ctx, r, channel, address)
	case FailureUnreachable:
		err = q.contactFailedUnreachable(ctx, r, channel, address)
	default:
		return fmt.Errorf("contact failed: unknown failure %q", f)
	}
	if err != nil {
		return fmt.Errorf("contact failed (%s): %w", f, err)
	}
	return nil
}

func (q *Queries) contactFailedUnreachable(ctx context.Context, r Recipient, channel carepath.Channel, address string) error {
	if channel != carepath.ChannelSMS {
		return nil // only phones are "unreachable for now"; email bounces are invalid
	}
	n, err := q.countUnreachable(ctx, r, address)
	if err != nil || n < UnreachableLimit {
		return err
	}
	return q.contactFailedInvalid(ctx, r, channel, address)
}

// contactFailedInvalid marks the contact point invalid and raises the
// care team's hygiene task for it, filed under the patient.
func (q *Queries) contactFailedInvalid(ctx context.Context, r Recipient, channel carepath.Channel, address string) error {
	if err := q.markContactInvalid(ctx, r, channel, address); err != nil {
		return err
	}
	t := NewTask{ID: uuid.NewString(), PatientID: r.PatientID, Priority: carepath.PriorityNormal, Reason: HygieneReason,
		Note: string(channel) + " marked invalid", DedupeKey: carepath.TaskKeyContact(r.PatientID, channel, address), Swept: true}
	if r.IsCaregiver() {
		// The message's patient may be unset: the caregiver's record says whose they are.
		if err := q.db.QueryRow(ctx, stmt("CaregiverPatient"), r.CaregiverID).Scan(&t.PatientID); err != nil {
			return fmt.Errorf("find caregiver: %w", notFound(err, "caregiver"))
		}
		t.Reason, t.Note = CaregiverHygieneReason, "caregiver "+r.CaregiverID+": "+string(channel)+" marked invalid"
		t.DedupeKey = carepath.TaskKeyCaregiverContact(r.CaregiverID, channel, address)
	}
	if _, err := q.TaskInsert(ctx, t); err != nil {
		return fmt.Errorf("raise hygiene task: %w", err)
	}
	return nil
}

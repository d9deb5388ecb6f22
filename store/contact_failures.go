package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/carepath/carepath"
)

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

// UnreachableLimit is how many "unreachable" failures in a row mark a phone
// invalid.
const UnreachableLimit = 3

// CaregiverHygieneReason is the care-team task raised when a caregiver's
// contact point stops working.
const CaregiverHygieneReason = "caregiver contact details need updating: a phone number or email address is not reachable"

// ContactFailed applies the one rule for "a provider says this contact
// point failed" to whoever the message was for: opted_out revokes the
// recipient's consent on the channel (a caregiver's own, never the
// patient's); invalid marks the recipient's contact point invalid and raises
// one hygiene task per contact point; unreachable counts, and at
// UnreachableLimit is treated as invalid. source names the evidence, e.g.
// "twilio:21610" or "sendgrid:bounce".
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
		err = q.contactInvalid(ctx, r, channel, address)
	case FailureUnreachable:
		err = q.contactUnreachable(ctx, r, channel, address)
	default:
		return fmt.Errorf("contact failed: unknown failure %q", f)
	}
	if err != nil {
		return fmt.Errorf("contact failed (%s): %w", f, err)
	}
	return nil
}

func (q *Queries) contactUnreachable(ctx context.Context, r Recipient, channel carepath.Channel, address string) error {
	if channel != carepath.ChannelSMS {
		return nil // only phones are "unreachable for now"; email bounces are invalid
	}
	var n int
	var err error
	if r.IsCaregiver() {
		n, err = q.caregiverPhoneUnreachable(ctx, r.CaregiverID, address)
	} else {
		n, err = q.PhoneUnreachable(ctx, r.PatientID, address)
	}
	if err != nil || n < UnreachableLimit {
		return err
	}
	return q.contactInvalid(ctx, r, channel, address)
}

func (q *Queries) contactInvalid(ctx context.Context, r Recipient, channel carepath.Channel, address string) error {
	if !r.IsCaregiver() {
		return q.ContactUnreachable(ctx, r.PatientID, channel, address)
	}
	name := "CaregiverPhoneInvalid"
	if channel == carepath.ChannelEmail {
		name = "CaregiverEmailInvalid"
	}
	var patientID string
	if err := q.db.QueryRow(ctx, stmt("CaregiverPatient"), r.CaregiverID).Scan(&patientID); err != nil {
		return fmt.Errorf("find caregiver: %w", notFound(err, "caregiver"))
	}
	if _, err := q.db.Exec(ctx, stmt(name), r.CaregiverID, address); err != nil {
		return fmt.Errorf("mark caregiver contact invalid: %w", err)
	}
	_, err := q.TaskInsert(ctx, NewTask{ID: uuid.NewString(), PatientID: patientID, Priority: carepath.PriorityNormal,
		Reason: CaregiverHygieneReason, Note: "caregiver " + r.CaregiverID + ": " + string(channel) + " marked invalid",
		DedupeKey: "contact/caregiver/" + r.CaregiverID + "/" + string(channel) + "/" + address, Swept: true})
	return err
}

func (q *Queries) caregiverPhoneUnreachable(ctx context.Context, caregiverID, phone string) (int, error) {
	var n int
	err := q.db.QueryRow(ctx, stmt("CaregiverPhoneUnreachable"), caregiverID, phone).Scan(&n)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil // the caregiver's number changed since: nothing to count
	}
	return n, wrapErr("count caregiver unreachable", err)
}

// ContactReached records a confirmed delivery to the recipient's contact
// point (the caregiver's, when CaregiverID is set).
func (q *Queries) ContactReached(ctx context.Context, r Recipient, channel carepath.Channel, address string) error {
	if !r.IsCaregiver() {
		if r.PatientID == "" {
			return nil
		}
		return q.ContactDelivered(ctx, r.PatientID, channel, address)
	}
	name := "CaregiverPhoneDelivered"
	if channel == carepath.ChannelEmail {
		name = "CaregiverEmailDelivered"
	}
	_, err := q.db.Exec(ctx, stmt(name), r.CaregiverID, address)
	return wrapErr("mark caregiver contact delivered", err)
}

package store

import (
	"context"
	"fmt"
	"time"

	"github.com/carepath/carepath"
)

// Caregiver is a family member or friend a patient may authorise to hear
// about their care.
type Caregiver struct {
	ID               string           `json:"id"`
	PatientID        string           `json:"patient_id"`
	GivenName        string           `json:"given_name"`
	FamilyName       string           `json:"family_name"`
	Relationship     string           `json:"relationship"`
	Phone            string           `json:"phone,omitempty"`
	Email            string           `json:"email,omitempty"`
	PreferredChannel carepath.Channel `json:"preferred_channel"`
	Locale           string           `json:"locale"`
	AuthorizedAt     *time.Time       `json:"authorized_at,omitempty"`
	// SMSConsent and EmailConsent are the caregiver's own current consent
	// (their ledger and any STOP kept for their address), read with them.
	SMSConsent   bool      `json:"sms_consent"`
	EmailConsent bool      `json:"email_consent"`
	PhoneStatus  string    `json:"phone_status"`
	EmailStatus  string    `json:"email_status"`
	CreatedAt    time.Time `json:"created_at"`
}

// CaregiverInsert stores a caregiver; authorized records the patient's
// authorisation now.
func (q *Queries) CaregiverInsert(ctx context.Context, c Caregiver, authorized bool) (Caregiver, error) {
	err := q.db.QueryRow(ctx, stmt("CaregiverInsert"), c.ID, c.PatientID, c.GivenName, c.FamilyName, c.Relationship,
		c.Phone, c.Email, c.PreferredChannel, c.Locale, authorized).Scan(&c.CreatedAt, &c.AuthorizedAt)
	if err != nil {
		return c, fmt.Errorf("insert caregiver: %w", err)
	}
	c.PhoneStatus, c.EmailStatus = ContactUnverified, ContactUnverified
	// A STOP kept for the caregiver's number applies from the start.
	return c, q.caregiverConsents(ctx, &c)
}

// CaregiverList returns a patient's caregivers, oldest first.
func (q *Queries) CaregiverList(ctx context.Context, patientID string) ([]Caregiver, error) {
	return q.caregivers(ctx, "list caregivers", "CaregiverList", patientID)
}

// CaregiverGet returns one caregiver, or ENOTFOUND.
func (q *Queries) CaregiverGet(ctx context.Context, id string) (Caregiver, error) {
	cs, err := q.caregivers(ctx, "get caregiver", "CaregiverGet", id)
	if err != nil {
		return Caregiver{}, err
	}
	if len(cs) == 0 {
		return Caregiver{}, fmt.Errorf("get caregiver: %w", carepath.NotFound("caregiver"))
	}
	return cs[0], nil
}

// CaregiversByPhone returns every caregiver using a phone number, oldest
// first (inbound matching).
func (q *Queries) CaregiversByPhone(ctx context.Context, phone string) ([]Caregiver, error) {
	return q.caregivers(ctx, "caregivers by phone", "CaregiversByPhone", phone)
}

// CaregiversByEmail returns every caregiver using an email address.
func (q *Queries) CaregiversByEmail(ctx context.Context, email string) ([]Caregiver, error) {
	return q.caregivers(ctx, "caregivers by email", "CaregiversByEmail", email)
}

func (q *Queries) caregivers(ctx context.Context, what, name string, arg string) ([]Caregiver, error) {
	rows, err := q.db.Query(ctx, stmt(name), arg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	out := []Caregiver{}
	for rows.Next() {
		var c Caregiver
		if err := rows.Scan(&c.ID, &c.PatientID, &c.GivenName, &c.FamilyName, &c.Relationship, &c.Phone, &c.Email,
			&c.PreferredChannel, &c.Locale, &c.AuthorizedAt, &c.PhoneStatus, &c.EmailStatus, &c.CreatedAt); err != nil {
			return nil, fmt.Errorf("%s: scan caregiver: %w", what, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	for i := range out {
		if err := q.caregiverConsents(ctx, &out[i]); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
	}
	return out, nil
}

// caregiverConsents fills in the caregiver's current consent per channel.
func (q *Queries) caregiverConsents(ctx context.Context, c *Caregiver) error {
	var err error
	if c.SMSConsent, err = q.CaregiverConsentGranted(ctx, c.ID, carepath.ChannelSMS); err != nil {
		return err
	}
	c.EmailConsent, err = q.CaregiverConsentGranted(ctx, c.ID, carepath.ChannelEmail)
	return err
}

// CaregiverAuthorize grants or withdraws the patient's authorisation and
// returns the patient's ID, or ENOTFOUND.
func (q *Queries) CaregiverAuthorize(ctx context.Context, id string, authorized bool) (string, error) {
	var patientID string
	err := q.db.QueryRow(ctx, stmt("CaregiverAuthorize"), id, authorized).Scan(&patientID)
	return patientID, wrapErr("authorize caregiver", notFound(err, "caregiver"))
}

// CaregiverOutboxInsert writes a message to a caregiver into the outbox
// (once per ID).
func (q *Queries) CaregiverOutboxInsert(ctx context.Context, m OutboxMessage, caregiverID string) error {
	var enrollment any
	if m.EnrollmentID != "" {
		enrollment = m.EnrollmentID
	}
	_, err := q.db.Exec(ctx, stmt("CaregiverOutboxInsert"), m.ID, m.PatientID, enrollment, m.Channel, m.Template, m.Body,
		m.To, m.Status, m.StatusReason, m.Provider, caregiverID)
	return wrapErr("insert caregiver message", err)
}

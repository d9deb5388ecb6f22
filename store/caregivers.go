package store

import (
	"context"
	"fmt"
	"time"
)

// Caregiver is a family member or friend a patient may authorise to hear
// about their care.
type Caregiver struct {
	ID               string     `json:"id"`
	PatientID        string     `json:"patient_id"`
	GivenName        string     `json:"given_name"`
	FamilyName       string     `json:"family_name"`
	Relationship     string     `json:"relationship"`
	Phone            string     `json:"phone,omitempty"`
	Email            string     `json:"email,omitempty"`
	PreferredChannel string     `json:"preferred_channel"`
	Locale           string     `json:"locale"`
	AuthorizedAt     *time.Time `json:"authorized_at,omitempty"`
	SMSConsent       bool       `json:"sms_consent"`
	EmailConsent     bool       `json:"email_consent"`
	CreatedAt        time.Time  `json:"created_at"`
}

// CaregiverInsert stores a caregiver; authorized records the patient's
// authorisation now.
func (q *Queries) CaregiverInsert(ctx context.Context, c Caregiver, authorized bool) (Caregiver, error) {
	err := q.db.QueryRow(ctx, stmt("CaregiverInsert"), c.ID, c.PatientID, c.GivenName, c.FamilyName, c.Relationship,
		c.Phone, c.Email, c.PreferredChannel, c.Locale, authorized).Scan(&c.CreatedAt, &c.AuthorizedAt)
	c.SMSConsent, c.EmailConsent = true, true
	return c, wrapErr("insert caregiver", err)
}

// CaregiverList returns a patient's caregivers, oldest first.
func (q *Queries) CaregiverList(ctx context.Context, patientID string) ([]Caregiver, error) {
	rows, err := q.db.Query(ctx, stmt("CaregiverList"), patientID)
	if err != nil {
		return nil, fmt.Errorf("list caregivers: %w", err)
	}
	defer rows.Close()
	out := []Caregiver{}
	for rows.Next() {
		var c Caregiver
		if err := rows.Scan(&c.ID, &c.PatientID, &c.GivenName, &c.FamilyName, &c.Relationship, &c.Phone, &c.Email,
			&c.PreferredChannel, &c.Locale, &c.AuthorizedAt, &c.SMSConsent, &c.EmailConsent, &c.CreatedAt); err != nil {
			return nil, fmt.Errorf("scan caregiver: %w", err)
		}
		out = append(out, c)
	}
	return out, wrapErr("list caregivers", rows.Err())
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

package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/carepath/carepath"
)

// Contact hygiene: whether a phone number or email address works, as
// deliveries confirm it or the provider-failure rule (contact_failures.go)
// finds it does not, and the care team's report of those that need work.

// Contact point statuses (patients.phone_status, caregivers.email_status…).
const (
	ContactUnverified = "unverified" // nothing delivered or failed yet
	ContactValid      = "valid"      // a delivery was confirmed
	ContactInvalid    = "invalid"    // known not to work: never used until it changes
)

// ContactReached records a confirmed delivery to the recipient's contact
// point (the caregiver's, when CaregiverID is set): it is valid, and its
// unreachable count starts again. A point already invalid stays so.
func (q *Queries) ContactReached(ctx context.Context, r Recipient, channel carepath.Channel, address string) error {
	if !r.IsCaregiver() && r.PatientID == "" {
		return nil
	}
	name, id := contactQuery(r, channel, "Delivered")
	_, err := q.db.Exec(ctx, stmt(name), id, address)
	return wrapErr("mark contact delivered", err)
}

// markContactInvalid marks the recipient's contact point invalid, only if
// it is still the one that failed.
func (q *Queries) markContactInvalid(ctx context.Context, r Recipient, channel carepath.Channel, address string) error {
	name, id := contactQuery(r, channel, "Invalid")
	_, err := q.db.Exec(ctx, stmt(name), id, address)
	return wrapErr("mark contact invalid", err)
}

// contactQuery names the query that marks the recipient's contact point on
// channel (<Patient|Caregiver><Phone|Email><verb>) and the ID it keys on.
func contactQuery(r Recipient, channel carepath.Channel, verb string) (name, id string) {
	who, id := "Patient", r.PatientID
	if r.IsCaregiver() {
		who, id = "Caregiver", r.CaregiverID
	}
	point := "Phone"
	if channel == carepath.ChannelEmail {
		point = "Email"
	}
	return who + point + verb, id
}

// countUnreachable counts one more "unreachable" failure of the
// recipient's phone and returns the running count (0 when the number has
// changed since: nothing to count).
func (q *Queries) countUnreachable(ctx context.Context, r Recipient, phone string) (int, error) {
	name, id := "PatientPhoneUnreachable", r.PatientID
	if r.IsCaregiver() {
		name, id = "CaregiverPhoneUnreachable", r.CaregiverID
	}
	var n int
	err := q.db.QueryRow(ctx, stmt(name), id, phone).Scan(&n)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return n, wrapErr("count unreachable", err)
}

// HygieneRow is a patient whose contact details need attention.
type HygieneRow struct {
	PatientID   string    `json:"patient_id"`
	PhoneStatus string    `json:"phone_status"`
	EmailStatus string    `json:"email_status"`
	HasPhone    bool      `json:"has_phone"`
	HasEmail    bool      `json:"has_email"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// ContactHygieneReport lists patients with invalid or unverified contact
// points, invalid first.
func (q *Queries) ContactHygieneReport(ctx context.Context, limit int) ([]HygieneRow, error) {
	rows, err := q.db.Query(ctx, stmt("ContactHygieneReport"), limit)
	if err != nil {
		return nil, fmt.Errorf("hygiene report: %w", err)
	}
	defer rows.Close()
	out := []HygieneRow{}
	for rows.Next() {
		var r HygieneRow
		if err := rows.Scan(&r.PatientID, &r.PhoneStatus, &r.EmailStatus, &r.HasPhone, &r.HasEmail, &r.UpdatedAt); err != nil {
			return nil, fmt.Errorf("hygiene report: %w", err)
		}
		out = append(out, r)
	}
	return out, wrapErr("hygiene report", rows.Err())
}

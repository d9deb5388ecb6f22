package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/carepath/carepath"
)

// ConsentChange is one decision for a consent ledger.
type ConsentChange struct {
	Channel carepath.Channel
	Purpose carepath.Purpose
	Granted bool
	Source  string // how it was given: sms:STOP, verbal, paper, portal, journey:onboarding, twilio:21610...
	Reason  string
	// EffectiveAt is when the person acted (for a reply, when carepath
	// received it); the ledger is ordered by it, so a decision processed
	// late cannot overtake a later one. Zero means now.
	EffectiveAt time.Time
}

func (c ConsentChange) effective() any {
	if c.EffectiveAt.IsZero() {
		return nil // the database's now()
	}
	return c.EffectiveAt
}

// ConsentAppend appends a decision to the recipient's own ledger: the
// caregiver's when CaregiverID is set, never the patient's.
func (q *Queries) ConsentAppend(ctx context.Context, r Recipient, c ConsentChange) error {
	if r.IsCaregiver() {
		_, err := q.db.Exec(ctx, stmt("CaregiverConsentRecord"), r.CaregiverID, c.Channel, c.Purpose, c.Granted, c.Source, c.Reason, c.effective())
		return wrapErr("record caregiver consent", err)
	}
	_, err := q.db.Exec(ctx, stmt("ConsentRecord"), r.PatientID, c.Channel, c.Purpose, c.Granted, c.Source, c.Reason, c.effective())
	return wrapErr("record consent", err)
}

// AddressConsentAppend records a phone number's or email address's own
// blanket decision (an SMS STOP or START from it), whoever uses it now or
// later.
func (q *Queries) AddressConsentAppend(ctx context.Context, channel carepath.Channel, address string, c ConsentChange) error {
	_, err := q.db.Exec(ctx, stmt("AddressConsentRecord"), channel, addressKey(channel, address), c.Granted, c.Source, c.Reason, c.effective())
	return wrapErr("record address consent", err)
}

// addressKey is how a contact point is keyed in the address ledger.
func addressKey(channel carepath.Channel, address string) string {
	address = strings.TrimSpace(address)
	if channel == carepath.ChannelEmail {
		return strings.ToLower(address)
	}
	return address
}

// ConsentGranted reports the current decision for (channel, purpose); with
// no decision on record, consent stands (patients are enrolled by their
// care team; a revocation is what the ledger records).
func (q *Queries) ConsentGranted(ctx context.Context, patientID string, channel carepath.Channel, purpose carepath.Purpose) (bool, error) {
	granted, _, err := q.ConsentState(ctx, patientID, channel, purpose)
	return granted, err
}

// ConsentState is ConsentGranted plus whether a refusal was a blanket
// opt-out (STOP) rather than one about this purpose. Decisions are ordered
// by when the patient acted. A blanket revocation is lifted only by a later
// blanket grant (START), never by a grant for one purpose; a STOP kept for
// the patient's current phone or email (from any sender of that number,
// before or after the patient was created) revokes too, until a START from
// that number.
func (q *Queries) ConsentState(ctx context.Context, patientID string, channel carepath.Channel, purpose carepath.Purpose) (granted, revokedAll bool, err error) {
	var address, blanket, newest *bool
	err = q.db.QueryRow(ctx, stmt("ConsentCurrent"), patientID, channel, purpose).Scan(&address, &blanket, &newest)
	if err != nil {
		return false, false, fmt.Errorf("read consent: %w", err)
	}
	granted, revokedAll = consentState(address, blanket, newest)
	return granted, revokedAll, nil
}

// CaregiverConsentGranted reports whether a caregiver may be messaged on a
// channel: their own ledger, and any STOP kept for their address.
func (q *Queries) CaregiverConsentGranted(ctx context.Context, caregiverID string, channel carepath.Channel) (bool, error) {
	granted, _, err := q.CaregiverConsentState(ctx, caregiverID, channel, carepath.PurposeCare)
	return granted, err
}

// CaregiverConsentState is ConsentState for a caregiver's own ledger.
func (q *Queries) CaregiverConsentState(ctx context.Context, caregiverID string, channel carepath.Channel, purpose carepath.Purpose) (granted, revokedAll bool, err error) {
	var address, blanket, newest *bool
	err = q.db.QueryRow(ctx, stmt("CaregiverConsentCurrent"), caregiverID, channel, purpose).Scan(&address, &blanket, &newest)
	if err != nil {
		return false, false, fmt.Errorf("read caregiver consent: %w", err)
	}
	granted, revokedAll = consentState(address, blanket, newest)
	return granted, revokedAll, nil
}

// AddressConsentGranted reports an address's own state (no row: granted).
func (q *Queries) AddressConsentGranted(ctx context.Context, channel carepath.Channel, address string) (bool, error) {
	var granted bool
	err := q.db.QueryRow(ctx, stmt("AddressConsentCurrent"), channel, addressKey(channel, address)).Scan(&granted)
	if errors.Is(err, pgx.ErrNoRows) {
		return true, nil
	}
	return granted, wrapErr("read address consent", err)
}

// consentState combines the newest address-level decision, the newest
// blanket decision and the newest decision covering the purpose.
func consentState(address, blanket, newest *bool) (granted, revokedAll bool) {
	switch {
	case address != nil && !*address, blanket != nil && !*blanket:
		return false, true
	case newest != nil:
		return *newest, false
	}
	return true, false
}

// ConsentEntry is one ledger row.
type ConsentEntry struct {
	Channel     carepath.Channel `json:"channel"`
	Purpose     carepath.Purpose `json:"purpose"`
	Granted     bool             `json:"granted"`
	Source      string           `json:"source"`
	Reason      string           `json:"reason,omitempty"`
	EffectiveAt time.Time        `json:"effective_at"`
	RecordedAt  time.Time        `json:"recorded_at"`
	// Scope is whose decision it is: "patient", "caregiver", or "address"
	// (a STOP or START from the contact point itself).
	Scope string `json:"scope"`
}

// ConsentHistory returns a patient's ledger, newest first, with the
// decisions kept for the patient's current phone and email.
func (q *Queries) ConsentHistory(ctx context.Context, patientID string, limit int) ([]ConsentEntry, error) {
	return q.consentHistory(ctx, "ConsentHistory", patientID, limit)
}

// CaregiverConsentHistory is ConsentHistory for a caregiver.
func (q *Queries) CaregiverConsentHistory(ctx context.Context, caregiverID string, limit int) ([]ConsentEntry, error) {
	return q.consentHistory(ctx, "CaregiverConsentHistory", caregiverID, limit)
}

func (q *Queries) consentHistory(ctx context.Context, name, id string, limit int) ([]ConsentEntry, error) {
	rows, err := q.db.Query(ctx, stmt(name), id, limit)
	if err != nil {
		return nil, fmt.Errorf("consent history: %w", err)
	}
	defer rows.Close()
	out := []ConsentEntry{}
	for rows.Next() {
		var c ConsentEntry
		if err := rows.Scan(&c.Channel, &c.Purpose, &c.Granted, &c.Source, &c.Reason, &c.EffectiveAt, &c.RecordedAt, &c.Scope); err != nil {
			return nil, fmt.Errorf("consent history: %w", err)
		}
		out = append(out, c)
	}
	return out, wrapErr("consent history", rows.Err())
}

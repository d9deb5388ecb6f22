package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/carepath/carepath"
)

// Consent purposes: a decision about one purpose, or about all of them
// (an SMS STOP revokes everything sent by SMS).
const (
	PurposeAll = "all"
)

// ConsentRecord appends a consent decision to the ledger.
func (q *Queries) ConsentRecord(ctx context.Context, patientID, channel, purpose string, granted bool, source string) error {
	_, err := q.db.Exec(ctx, stmt("ConsentRecord"), patientID, channel, purpose, granted, source)
	return wrapErr("record consent", err)
}

// ConsentGranted reports the current decision for (channel, purpose); with
// no decision on record, consent stands (patients are enrolled by their
// care team; a revocation is what the ledger records).
func (q *Queries) ConsentGranted(ctx context.Context, patientID, channel, purpose string) (bool, error) {
	granted, _, err := q.ConsentState(ctx, patientID, channel, purpose)
	return granted, err
}

// ConsentState is ConsentGranted plus whether a refusal was a blanket
// opt-out (STOP) rather than one about this purpose.
func (q *Queries) ConsentState(ctx context.Context, patientID, channel, purpose string) (granted, revokedAll bool, err error) {
	var decided string
	err = q.db.QueryRow(ctx, stmt("ConsentCurrent"), patientID, channel, purpose).Scan(&granted, &decided)
	if errors.Is(err, pgx.ErrNoRows) {
		return true, false, nil
	}
	if err != nil {
		return false, false, fmt.Errorf("read consent: %w", err)
	}
	return granted, !granted && decided == PurposeAll, nil
}

// ConsentEntry is one ledger row.
type ConsentEntry struct {
	Channel    string    `json:"channel"`
	Purpose    string    `json:"purpose"`
	Granted    bool      `json:"granted"`
	Source     string    `json:"source"`
	RecordedAt time.Time `json:"recorded_at"`
}

// ConsentHistory returns a patient's ledger, newest first.
func (q *Queries) ConsentHistory(ctx context.Context, patientID string, limit int) ([]ConsentEntry, error) {
	rows, err := q.db.Query(ctx, stmt("ConsentHistory"), patientID, limit)
	if err != nil {
		return nil, fmt.Errorf("consent history: %w", err)
	}
	defer rows.Close()
	out := []ConsentEntry{}
	for rows.Next() {
		var c ConsentEntry
		if err := rows.Scan(&c.Channel, &c.Purpose, &c.Granted, &c.Source, &c.RecordedAt); err != nil {
			return nil, fmt.Errorf("consent history: %w", err)
		}
		out = append(out, c)
	}
	return out, wrapErr("consent history", rows.Err())
}

// PatientLock locks a patient's row for the rest of the transaction, so
// send decisions for one patient (caps) happen one at a time.
func (q *Queries) PatientLock(ctx context.Context, id string) error {
	var got string
	err := q.db.QueryRow(ctx, stmt("PatientLock"), id).Scan(&got)
	return wrapErr("lock patient", notFound(err, "patient"))
}

// OutreachSince counts outreach messages sent (or being sent) to a patient
// since a time, other than exclude, and returns the oldest one's time.
func (q *Queries) OutreachSince(ctx context.Context, patientID string, since time.Time, exclude string) (int, *time.Time, error) {
	var n int
	if err := q.db.QueryRow(ctx, stmt("OutreachCountSince"), patientID, since, exclude).Scan(&n); err != nil {
		return 0, nil, fmt.Errorf("count outreach: %w", err)
	}
	var oldest *time.Time
	if err := q.db.QueryRow(ctx, stmt("OutreachOldestSince"), patientID, since, exclude).Scan(&oldest); err != nil {
		return 0, nil, fmt.Errorf("oldest outreach: %w", err)
	}
	return n, oldest, nil
}

// LastInboundAt is when the patient last wrote to us (nil if never).
func (q *Queries) LastInboundAt(ctx context.Context, patientID string) (*time.Time, error) {
	var t *time.Time
	err := q.db.QueryRow(ctx, stmt("LastInboundAt"), patientID).Scan(&t)
	return t, wrapErr("last inbound", err)
}

// ContactInvalid marks a patient's phone or email invalid (only if it is
// still the one that failed).
func (q *Queries) ContactInvalid(ctx context.Context, patientID, channel, address string) error {
	name := "PatientPhoneInvalid"
	if channel == "email" {
		name = "PatientEmailInvalid"
	}
	_, err := q.db.Exec(ctx, stmt(name), patientID, address)
	return wrapErr("mark contact invalid", err)
}

// ContactDelivered marks a contact point valid after a confirmed delivery.
func (q *Queries) ContactDelivered(ctx context.Context, patientID, channel, address string) error {
	name := "PatientPhoneDelivered"
	if channel == "email" {
		name = "PatientEmailDelivered"
	}
	_, err := q.db.Exec(ctx, stmt(name), patientID, address)
	return wrapErr("mark contact delivered", err)
}

// PhoneUnreachable counts one more "unreachable" failure and returns the
// running count.
func (q *Queries) PhoneUnreachable(ctx context.Context, patientID, phone string) (int, error) {
	var n int
	err := q.db.QueryRow(ctx, stmt("PatientPhoneUnreachable"), patientID, phone).Scan(&n)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return n, wrapErr("count unreachable", err)
}

// PatientIDsByEmail returns the patients using an email address.
func (q *Queries) PatientIDsByEmail(ctx context.Context, email string) ([]string, error) {
	return collectStrings(ctx, q.db, stmt("PatientIDsByEmail"), email)
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

// ProviderEventFirst records a provider event key and reports whether this
// is its first arrival (providers re-post callbacks and events).
func (q *Queries) ProviderEventFirst(ctx context.Context, provider, key string) (bool, error) {
	tag, err := q.db.Exec(ctx, stmt("ProviderEventSeen"), provider, key)
	if err != nil {
		return false, fmt.Errorf("record provider event: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// HygieneReason is the care-team task raised when a contact point stops
// working, whoever found out (a send, a delivery report, a bounce).
const HygieneReason = "contact details need updating: a phone number or email address is not reachable"

// ContactUnreachable marks a patient's contact point invalid and raises
// one hygiene task per contact point (not one per message).
func (q *Queries) ContactUnreachable(ctx context.Context, patientID, channel, address string) error {
	if err := q.ContactInvalid(ctx, patientID, channel, address); err != nil {
		return err
	}
	_, err := q.TaskInsert(ctx, NewTask{ID: uuid.NewString(), PatientID: patientID, Priority: carepath.PriorityNormal,
		Reason: HygieneReason, Note: channel + " marked invalid", DedupeKey: "contact/" + patientID + "/" + channel + "/" + address, Swept: true})
	return err
}

package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/carepath/carepath"
)

// PatientRecord is a patient with the contact-point status carepath tracks.
type PatientRecord struct {
	carepath.Patient
	PhoneStatus string
	EmailStatus string
	// OutreachPerWeek is the patient's own weekly outreach cap, if they
	// asked for fewer messages.
	OutreachPerWeek *int
}

// PatientInsert stores a validated new patient under id.
func (q *Queries) PatientInsert(ctx context.Context, id string, p carepath.NewPatient) (carepath.Patient, error) {
	out := carepath.Patient{
		ID: id, GivenName: p.GivenName, FamilyName: p.FamilyName, BirthDate: p.BirthDate,
		Phone: p.Phone, Email: p.Email, Locale: p.Locale, Timezone: p.Timezone, PreferredChannel: p.PreferredChannel,
		Tags: nonNil(p.Tags), Conditions: nonNil(p.Conditions),
	}
	err := q.db.QueryRow(ctx, stmt("PatientInsert"), id, p.GivenName, p.FamilyName, p.BirthDate, p.Phone, p.Email,
		p.Locale, p.Timezone, p.PreferredChannel, out.Tags, out.Conditions).Scan(&out.CreatedAt, &out.UpdatedAt)
	if err != nil {
		return carepath.Patient{}, fmt.Errorf("insert patient: %w", err)
	}
	return out, nil
}

// PatientGet returns one patient or ENOTFOUND.
func (q *Queries) PatientGet(ctx context.Context, id string) (PatientRecord, error) {
	var p PatientRecord
	err := q.db.QueryRow(ctx, stmt("PatientGet"), id).Scan(&p.ID, &p.GivenName, &p.FamilyName, &p.BirthDate,
		&p.Phone, &p.Email, &p.Locale, &p.Timezone, &p.PreferredChannel, &p.PhoneStatus, &p.EmailStatus,
		&p.CreatedAt, &p.UpdatedAt, &p.OutreachPerWeek, &p.Tags, &p.Conditions)
	if err != nil {
		return PatientRecord{}, fmt.Errorf("get patient: %w", notFound(err, "patient"))
	}
	return p, nil
}

// PatientSegmentsSet replaces a patient's tags and/or conditions (nil
// leaves one as it is) and returns both as stored.
func (q *Queries) PatientSegmentsSet(ctx context.Context, id string, tags, conditions []string) (t, c []string, updated time.Time, err error) {
	err = q.db.QueryRow(ctx, stmt("PatientSegmentsSet"), id, tags, conditions).Scan(&t, &c, &updated)
	if err != nil {
		return nil, nil, updated, fmt.Errorf("set patient segments: %w", notFound(err, "patient"))
	}
	return t, c, updated, nil
}

// PatientIDsInSegment returns up to limit patients with the tag and a
// condition under the code (either may be empty: no filter), by ID.
func (q *Queries) PatientIDsInSegment(ctx context.Context, tag, condition string, limit int) ([]string, error) {
	return collectStrings(ctx, q.db, stmt("PatientIDsInSegment"), tag, condition, limit)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// PatientIDsByPhone returns the patients using a phone number (families
// may share one), oldest first.
func (q *Queries) PatientIDsByPhone(ctx context.Context, phone string) ([]string, error) {
	return collectStrings(ctx, q.db, stmt("PatientIDsByPhone"), phone)
}

func collectStrings(ctx context.Context, db DBTX, sql string, args ...any) ([]string, error) {
	rows, err := db.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// PatientLessOften lowers the patient's weekly outreach cap to one.
func (q *Queries) PatientLessOften(ctx context.Context, id string) error {
	_, err := q.db.Exec(ctx, stmt("PatientLessOften"), id)
	return wrapErr("less often", err)
}

// PatientIDsByEmail returns every patient using an email address (families
// may share one), oldest first.
func (q *Queries) PatientIDsByEmail(ctx context.Context, email string) ([]string, error) {
	return collectStrings(ctx, q.db, stmt("PatientIDsByEmail"), email)
}

// PatientLock locks a patient's row for the rest of the transaction, so
// send decisions for one patient (caps) happen one at a time.
func (q *Queries) PatientLock(ctx context.Context, id string) error {
	var got string
	err := q.db.QueryRow(ctx, stmt("PatientLock"), id).Scan(&got)
	return wrapErr("lock patient", notFound(err, "patient"))
}

// PatientChannelHint is the channel a new journey's first message most
// likely takes (email when the patient prefers it or has no phone): the
// journey sends it on that channel's lane. The send still decides.
func (q *Queries) PatientChannelHint(ctx context.Context, id string) (carepath.Channel, error) {
	var ch carepath.Channel
	err := q.db.QueryRow(ctx, stmt("PatientChannelHint"), id).Scan(&ch)
	return ch, wrapErr("patient channel hint", notFound(err, "patient"))
}

// PatientSearchFilter selects patients for a care-team search; an empty
// field is no filter, and every field given must match.
type PatientSearchFilter struct {
	Name      string // part of the given or family name, any case
	Phone     string // E.164, exact
	BirthDate string // YYYY-MM-DD
}

// PatientSearch returns up to limit patients matching f, by family then
// given name.
func (q *Queries) PatientSearch(ctx context.Context, f PatientSearchFilter, limit int) ([]PatientRecord, error) {
	name := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(f.Name)
	rows, err := q.db.Query(ctx, stmt("PatientSearch"), name, f.Phone, f.BirthDate, limit)
	if err != nil {
		return nil, fmt.Errorf("search patients: %w", err)
	}
	defer rows.Close()
	out := []PatientRecord{}
	for rows.Next() {
		var p PatientRecord
		if err := rows.Scan(&p.ID, &p.GivenName, &p.FamilyName, &p.BirthDate, &p.Phone, &p.Email, &p.Locale,
			&p.Timezone, &p.PreferredChannel, &p.PhoneStatus, &p.EmailStatus, &p.CreatedAt, &p.UpdatedAt,
			&p.OutreachPerWeek, &p.Tags, &p.Conditions); err != nil {
			return nil, fmt.Errorf("search patients: %w", err)
		}
		out = append(out, p)
	}
	return out, wrapErr("search patients", rows.Err())
}

// PatientContactSet stores a patient's names and contact details (p as
// validated by the caller). A changed phone or email starts unverified,
// clearing an "invalid" mark the old one had.
func (q *Queries) PatientContactSet(ctx context.Context, p carepath.Patient) (time.Time, error) {
	var updated time.Time
	err := q.db.QueryRow(ctx, stmt("PatientContactSet"), p.ID, p.GivenName, p.FamilyName, p.Phone, p.Email,
		p.Timezone, p.Locale, p.PreferredChannel).Scan(&updated)
	if err != nil {
		return updated, fmt.Errorf("set patient contact: %w", notFound(err, "patient"))
	}
	return updated, nil
}

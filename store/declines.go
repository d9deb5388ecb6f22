package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// ProgramDecline is a patient declining a program, kept apart from channel
// consent: a decliner may still be contacted about their care.
type ProgramDecline struct {
	ID             string
	PatientID      string
	Program        string // the journey declined, e.g. onboarding
	EnrollmentID   string
	Reason         string // a choice value (cost, doubt, time, access), never free text
	ReplyMessageID string // the reply that declined; "" if none
	// DeclinedAt is when the patient declined (the reply's receipt); zero: now.
	DeclinedAt time.Time
}

// DeclineInsert records a program decline once per ID (the journey derives it).
func (q *Queries) DeclineInsert(ctx context.Context, d ProgramDecline) error {
	var at *time.Time
	if !d.DeclinedAt.IsZero() {
		at = &d.DeclinedAt
	}
	_, err := q.db.Exec(ctx, stmt("DeclineInsert"), d.ID, d.PatientID, d.Program, nullable(d.EnrollmentID), d.Reason,
		nullable(d.ReplyMessageID), at)
	return wrapErr("insert program decline", err)
}

// DeclineOpen returns the patient's newest decline not yet won back.
func (q *Queries) DeclineOpen(ctx context.Context, patientID string) (program, reason string, ok bool, err error) {
	err = q.db.QueryRow(ctx, stmt("DeclineOpen"), patientID).Scan(&program, &reason)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, wrapErr("read program decline", err)
	}
	return program, reason, true, nil
}

// DeclineReturned marks the patient's open declines won back by an
// enrollment's touch (via: "journey:touch"); it reports how many.
func (q *Queries) DeclineReturned(ctx context.Context, patientID, enrollmentID, via string) (int64, error) {
	tag, err := q.db.Exec(ctx, stmt("DeclineReturned"), patientID, nullable(enrollmentID), via)
	if err != nil {
		return 0, wrapErr("record program return", err)
	}
	return tag.RowsAffected(), nil
}

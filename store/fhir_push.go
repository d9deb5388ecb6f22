package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// FHIRPushCursor is the pusher's place in one resource type: the (time,
// row id) of the last row the EHR accepted.
type FHIRPushCursor struct {
	Type      string
	AfterAt   time.Time
	AfterID   string
	Pushed    int64
	Attempts  int  // failures in a row at the head
	Due       bool // not backing off
	LastError string
}

// FHIRPushRow is the next row of a type to push.
type FHIRPushRow struct {
	ChangedAt time.Time
	RowID     string // the cursor's id: the row's uuid
	FHIRID    string // the resource's id at the EHR
}

// fhirPushNext names the query that finds the next row of each pushed type.
var fhirPushNext = map[string]string{
	"Communication":         "FHIRPushNextCommunication",
	"Task":                  "FHIRPushNextTask",
	"QuestionnaireResponse": "FHIRPushNextQuestionnaireResponse",
	"Observation":           "FHIRPushNextObservation",
	"Appointment":           "FHIRPushNextAppointment",
}

// FHIRPushLock takes the pusher's lock for the transaction; false means
// another process's pusher holds it.
func (q *Queries) FHIRPushLock(ctx context.Context) (bool, error) {
	var ok bool
	err := q.db.QueryRow(ctx, stmt("FHIRPushLock")).Scan(&ok)
	return ok, wrapErr("lock FHIR pusher", err)
}

// FHIRPushCursorLock returns the type's cursor, created at the start if
// it has none, locked for the transaction.
func (q *Queries) FHIRPushCursorLock(ctx context.Context, typ string) (FHIRPushCursor, error) {
	if _, err := q.db.Exec(ctx, stmt("FHIRPushCursorEnsure"), typ); err != nil {
		return FHIRPushCursor{}, fmt.Errorf("create FHIR push cursor: %w", err)
	}
	c, err := scanPushCursor(q.db.QueryRow(ctx, stmt("FHIRPushCursorLock"), typ))
	return c, wrapErr("lock FHIR push cursor", err)
}

// FHIRPushCursors lists every cursor.
func (q *Queries) FHIRPushCursors(ctx context.Context) ([]FHIRPushCursor, error) {
	rows, err := q.db.Query(ctx, stmt("FHIRPushCursors"))
	if err != nil {
		return nil, fmt.Errorf("list FHIR push cursors: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (FHIRPushCursor, error) { return scanPushCursor(r) })
	return out, wrapErr("list FHIR push cursors", err)
}

func scanPushCursor(r pgx.Row) (FHIRPushCursor, error) {
	var c FHIRPushCursor
	err := r.Scan(&c.Type, &c.AfterAt, &c.AfterID, &c.Pushed, &c.Attempts, &c.Due, &c.LastError)
	return c, err
}

// FHIRPushNext returns the type's next row after the cursor that changed
// at least settle ago; ok=false when there is none.
func (q *Queries) FHIRPushNext(ctx context.Context, c FHIRPushCursor, settle time.Duration) (r FHIRPushRow, ok bool, err error) {
	name, known := fhirPushNext[c.Type]
	if !known {
		return r, false, fmt.Errorf("next row to push: no source for type %s", c.Type)
	}
	err = q.db.QueryRow(ctx, stmt(name), c.AfterAt, c.AfterID, settle.Seconds()).Scan(&r.ChangedAt, &r.RowID, &r.FHIRID)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, false, nil
	}
	return r, err == nil, wrapErr("next row to push", err)
}

// FHIRPushAdvance moves the type's cursor past row (the EHR accepted it,
// or it was skipped), counting pushed, and ends any back-off.
func (q *Queries) FHIRPushAdvance(ctx context.Context, typ string, row FHIRPushRow, pushed int) error {
	_, err := q.db.Exec(ctx, stmt("FHIRPushAdvance"), typ, row.ChangedAt, row.RowID, pushed)
	return wrapErr("advance FHIR push cursor", err)
}

// FHIRPushFailed records a failed push at the type's head and backs the
// type off for wait; reason must carry no PHI. It returns the failures in
// a row.
func (q *Queries) FHIRPushFailed(ctx context.Context, typ, reason string, wait time.Duration) (int, error) {
	if len(reason) > 500 {
		reason = reason[:500]
	}
	var n int
	err := q.db.QueryRow(ctx, stmt("FHIRPushFailed"), typ, reason, wait.Seconds()).Scan(&n)
	return n, wrapErr("record failed FHIR push", err)
}

// FHIRPushRejected records a resource the EHR refused as invalid; reason
// must carry no PHI.
func (q *Queries) FHIRPushRejected(ctx context.Context, typ, id string, status int, reason string) error {
	if len(reason) > 500 {
		reason = reason[:500]
	}
	_, err := q.db.Exec(ctx, stmt("FHIRPushRejectInsert"), typ, id, status, reason)
	return wrapErr("record rejected FHIR push", err)
}

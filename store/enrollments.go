package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/carepath/carepath"
)

// EnrollmentInsert records a new active enrollment. A second active
// enrollment for the same patient, journey and key is ECONFLICT.
func (q *Queries) EnrollmentInsert(ctx context.Context, e carepath.Enrollment) (carepath.Enrollment, error) {
	return q.enrollmentInsert(ctx, e, false)
}

// EnrollmentInsertForParent is EnrollmentInsert for a journey that a
// running journey starts as its child: the parent starts it (Temporal
// retries that), so the reconciler leaves it alone far longer.
func (q *Queries) EnrollmentInsertForParent(ctx context.Context, e carepath.Enrollment) (carepath.Enrollment, error) {
	return q.enrollmentInsert(ctx, e, true)
}

func (q *Queries) enrollmentInsert(ctx context.Context, e carepath.Enrollment, byParent bool) (carepath.Enrollment, error) {
	params, err := json.Marshal(e.Params)
	if err != nil {
		return e, fmt.Errorf("encode params: %w", err)
	}
	err = q.db.QueryRow(ctx, stmt("EnrollmentInsert"), e.ID, e.PatientID, e.Journey, e.Key, params, e.WorkflowID, byParent).Scan(&e.CreatedAt)
	if isUniqueViolation(err, "enrollments_one_active_idx") || isUniqueViolation(err, "enrollments_pkey") {
		return e, carepath.Errorf(carepath.ECONFLICT, "patient already has an active %s enrollment", e.Journey)
	}
	if err != nil {
		return e, fmt.Errorf("insert enrollment: %w", err)
	}
	e.Status = carepath.EnrollmentActive
	return e, nil
}

// EnrollmentGet returns one enrollment or ENOTFOUND.
func (q *Queries) EnrollmentGet(ctx context.Context, id string) (carepath.Enrollment, error) {
	e, err := scanEnrollment(q.db.QueryRow(ctx, stmt("EnrollmentGet"), id))
	return e, wrapErr("get enrollment", notFound(err, "enrollment"))
}

// EnrollmentActiveGet returns the active enrollment for a patient, journey
// and key, or ENOTFOUND.
func (q *Queries) EnrollmentActiveGet(ctx context.Context, patientID, journey, key string) (carepath.Enrollment, error) {
	e, err := scanEnrollment(q.db.QueryRow(ctx, stmt("EnrollmentActiveGet"), patientID, journey, key))
	return e, wrapErr("get active enrollment", notFound(err, "enrollment"))
}

// EnrollmentFinish moves an active enrollment to a final status and closes
// its open questions (both pipelined). Finishing twice is a no-op
// (activities retry).
func (q *Queries) EnrollmentFinish(ctx context.Context, id, status, outcome string) error {
	if err := q.execLater(ctx, "finish enrollment", stmt("EnrollmentFinish"), id, status, outcome); err != nil {
		return err
	}
	return q.execLater(ctx, "close enrollment questions", stmt("EnrollmentQuestionsClose"), id)
}

func scanEnrollment(row pgx.Row) (carepath.Enrollment, error) {
	var e carepath.Enrollment
	var params []byte
	var completed *time.Time
	if err := row.Scan(&e.ID, &e.PatientID, &e.Journey, &e.Key, &params, &e.Status, &e.Outcome, &e.WorkflowID,
		&e.CreatedAt, &completed); err != nil {
		return e, err
	}
	e.CompletedAt = completed
	if err := json.Unmarshal(params, &e.Params); err != nil {
		return e, fmt.Errorf("decode params: %w", err)
	}
	return e, nil
}

func wrapErr(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}

// EnrollmentWorkflowsActive lists the workflow IDs of a patient's active
// enrollments.
func (q *Queries) EnrollmentWorkflowsActive(ctx context.Context, patientID string) ([]string, error) {
	ids, err := collectStrings(ctx, q.db, stmt("EnrollmentWorkflowsActive"), patientID)
	return ids, wrapErr("active enrollments", err)
}

// EnrollmentOutcomeDetail records why an enrollment ended as it did.
func (q *Queries) EnrollmentOutcomeDetail(ctx context.Context, id, detail string) error {
	_, err := q.db.Exec(ctx, stmt("EnrollmentOutcomeDetail"), id, detail)
	return wrapErr("record outcome detail", err)
}

// PatientPreferences updates locale and/or preferred channel ("" keeps
// it); a channel without a contact point is ignored.
func (q *Queries) PatientPreferences(ctx context.Context, id, locale string, channel carepath.Channel) error {
	_, err := q.db.Exec(ctx, stmt("PatientPreferences"), id, locale, channel)
	return wrapErr("update preferences", err)
}

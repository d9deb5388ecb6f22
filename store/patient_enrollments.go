package store

import (
	"context"
	"fmt"

	"github.com/carepath/carepath"
)

// PatientEnrollment is one of a patient's enrollments as their profile
// lists it: the enrollment and why it ended as it did.
type PatientEnrollment struct {
	carepath.Enrollment
	// OutcomeDetail is why it ended as it did (a reason code, no free text).
	OutcomeDetail string `json:"outcome_detail,omitempty"`
}

// EnrollmentsByPatient returns up to limit of a patient's enrollments,
// newest first. Step is "finished" for an enrollment that has ended and
// empty for one still running (its live step is the workflow's to say).
func (q *Queries) EnrollmentsByPatient(ctx context.Context, patientID string, limit int) ([]PatientEnrollment, error) {
	rows, err := q.db.Query(ctx, stmt("EnrollmentsByPatient"), patientID, limit)
	if err != nil {
		return nil, fmt.Errorf("list enrollments: %w", err)
	}
	defer rows.Close()
	out := []PatientEnrollment{}
	for rows.Next() {
		var pe PatientEnrollment
		var detail string
		e, err := scanEnrollment(scanRest{rows, &detail})
		if err != nil {
			return nil, fmt.Errorf("scan enrollment: %w", err)
		}
		pe.Enrollment, pe.OutcomeDetail = e, detail
		if e.Status != carepath.EnrollmentActive {
			pe.Step = "finished"
		}
		out = append(out, pe)
	}
	return out, wrapErr("list enrollments", rows.Err())
}

// scanRest scans a row with columns after the ones its reader expects
// into extra.
type scanRest struct {
	row   interface{ Scan(...any) error }
	extra *string
}

func (s scanRest) Scan(dest ...any) error { return s.row.Scan(append(dest, s.extra)...) }

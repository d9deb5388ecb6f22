package engine

import (
	"context"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
)

// ListPatientEnrollments returns a patient's enrollments, newest first: the
// journey, its status, when it started and ended, its key and outcome. The
// live step of a running one is GetEnrollment's (it asks the workflow); the
// read is audited as one listing of the patient's enrollments.
func (e *Engine) ListPatientEnrollments(ctx context.Context, a carepath.Actor, patientID string, limit int) ([]store.PatientEnrollment, error) {
	var out []store.PatientEnrollment
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		if err := patientExists(ctx, q, patientID); err != nil {
			return err
		}
		var err error
		if out, err = q.EnrollmentsByPatient(ctx, patientID, limit); err != nil {
			return err
		}
		return audit(ctx, q, a, "enrollment.list", patientID, "patient/"+patientID+"/enrollments")
	})
	return out, err
}

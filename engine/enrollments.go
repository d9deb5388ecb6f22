package engine

import (
	"context"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
	"github.com/carepath/carepath/workflows"
)

// GetEnrollment returns an enrollment with its status and current step
// read live from the workflow while it runs.
func (e *Engine) GetEnrollment(ctx context.Context, a carepath.Actor, id string) (carepath.Enrollment, error) {
	if err := validID(id, "enrollment"); err != nil {
		return carepath.Enrollment{}, err
	}
	var enr carepath.Enrollment
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		var err error
		if enr, err = q.EnrollmentGet(ctx, id); err != nil {
			return err
		}
		return audit(ctx, q, a, "enrollment.read", enr.PatientID, "enrollment/"+id)
	})
	if err != nil {
		return enr, err
	}
	if enr.Status != carepath.EnrollmentActive {
		enr.Step = "finished"
		return enr, nil
	}
	desc, err := e.Temporal.DescribeWorkflowExecution(ctx, enr.WorkflowID, "")
	if err != nil {
		// The record is still right; only the live step is missing.
		e.Log.Warn("could not describe journey workflow", "enrollment_id", id, "error", err)
		return enr, nil
	}
	switch desc.GetWorkflowExecutionInfo().GetStatus() {
	case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
		v, err := e.Temporal.QueryWorkflow(ctx, enr.WorkflowID, "", workflows.QueryState)
		if err != nil {
			e.Log.Warn("could not query journey state", "enrollment_id", id, "error", err)
			return enr, nil
		}
		var st workflows.State
		if err := v.Get(&st); err != nil {
			return enr, fmt.Errorf("decode journey state: %w", err)
		}
		enr.Step = st.Step
	case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		// Finished between our two reads; the row will say so shortly.
		enr.Step = "finished"
	case enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED, enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED:
		enr.Status, enr.Step = carepath.EnrollmentCancelled, "finished"
	case enumspb.WORKFLOW_EXECUTION_STATUS_FAILED, enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT:
		enr.Status, enr.Step = carepath.EnrollmentFailed, "finished"
	}
	return enr, nil
}

// errNotFound reports Temporal's "no such workflow".
func errNotFound(err error) bool {
	var nf *serviceerror.NotFound
	return errors.As(err, &nf)
}

// CancelEnrollment asks a running journey to stop. The journey records the
// enrollment as cancelled as it ends; cancelling an enrollment that is no
// longer active is ECONFLICT.
func (e *Engine) CancelEnrollment(ctx context.Context, a carepath.Actor, id string) (carepath.Enrollment, error) {
	if err := validID(id, "enrollment"); err != nil {
		return carepath.Enrollment{}, err
	}
	var enr carepath.Enrollment
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		var err error
		if enr, err = q.EnrollmentGet(ctx, id); err != nil {
			return err
		}
		if enr.Status != carepath.EnrollmentActive {
			return carepath.Errorf(carepath.ECONFLICT, "enrollment is %s, not active", enr.Status)
		}
		return audit(ctx, q, a, "enrollment.cancel", enr.PatientID, "enrollment/"+id)
	})
	if err != nil {
		return enr, err
	}
	err = e.Temporal.CancelWorkflow(ctx, enr.WorkflowID, "")
	if errNotFound(err) {
		err = e.cancelUnstarted(ctx, enr)
	}
	if err != nil {
		return enr, fmt.Errorf("cancel enrollment: %w", err)
	}
	e.Log.Info("journey cancel requested", "enrollment_id", id)
	return enr, nil
}

// cancelUnstarted ends an enrollment whose journey never started, which
// no workflow would otherwise record. Finishing the row waits for a
// reconciler holding it mid-start and stops any later start; a journey
// that reconciler did start is then cancelled like any other.
func (e *Engine) cancelUnstarted(ctx context.Context, enr carepath.Enrollment) error {
	if err := e.Store.EnrollmentFinish(ctx, enr.ID, carepath.EnrollmentCancelled, "cancelled"); err != nil {
		return err
	}
	if err := e.Temporal.CancelWorkflow(ctx, enr.WorkflowID, ""); err != nil && !errNotFound(err) {
		return err
	}
	return nil
}

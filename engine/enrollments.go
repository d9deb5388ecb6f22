package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
	"github.com/carepath/carepath/workflows"
)

// EnrollRequest launches a journey for a patient.
type EnrollRequest struct {
	PatientID string
	Journey   string
	Params    json.RawMessage
	// Key distinguishes concurrent enrollments of a keyed journey (e.g.
	// one post-visit check-in per visit); empty for unkeyed journeys.
	Key string
	// ID, when set, is the enrollment's ID (triggers derive it from the
	// event, so a re-delivered event finds the same enrollment).
	ID string
}

// Enroll validates the journey and its params, records the enrollment and
// starts its workflow. A patient already in an active enrollment of the
// same journey and key gets that enrollment back with created=false.
func (e *Engine) Enroll(ctx context.Context, a carepath.Actor, r EnrollRequest) (enr carepath.Enrollment, created bool, err error) {
	def, ok := e.Journeys.Get(r.Journey)
	if !ok {
		return enr, false, carepath.Invalid("journey", "unknown journey; GET /v1/journeys lists them")
	}
	params, err := def.NormalizeParams(r.Params)
	if err != nil {
		return enr, false, err
	}
	var paramMap map[string]any
	if err := json.Unmarshal(params, &paramMap); err != nil {
		return enr, false, fmt.Errorf("enroll: decode params: %w", err)
	}
	id := r.ID
	if id == "" {
		id = uuid.NewString()
	}
	enr = carepath.Enrollment{ID: id, PatientID: r.PatientID, Journey: r.Journey, Key: r.Key, Params: paramMap,
		WorkflowID: workflows.WorkflowID(id)}
	err = e.Store.Tx(ctx, func(q *store.Queries) error {
		if err := patientExists(ctx, q, r.PatientID); err != nil {
			return err
		}
		var err error
		if enr, err = q.EnrollmentInsert(ctx, enr); err != nil {
			return err
		}
		return audit(ctx, q, a, "enrollment.create", r.PatientID, "enrollment/"+id)
	})
	if carepath.ErrorCode(err) == carepath.ECONFLICT {
		existing, gerr := e.existingEnrollment(ctx, id, r)
		if gerr != nil {
			return enr, false, fmt.Errorf("enroll: find existing enrollment: %w", gerr)
		}
		// Make sure its journey runs: an earlier launch may have stored the
		// row and then failed to reach Temporal.
		if existing.Status == carepath.EnrollmentActive {
			e.start(ctx, existing)
		}
		return existing, false, nil
	}
	if err != nil {
		return enr, false, err
	}
	// The row exists before the workflow, so the journey's first activity
	// always finds it. The enrollment is accepted once it is recorded: a
	// failed start is finished by the reconciler (reconcile.go).
	e.start(ctx, enr)
	e.Log.Info("journey launched", "enrollment_id", id, "journey", r.Journey, "patient_id", r.PatientID)
	return enr, true, nil
}

// existingEnrollment finds what a conflicting launch collided with: the
// enrollment with the requested ID, or the active one for the journey.
func (e *Engine) existingEnrollment(ctx context.Context, id string, r EnrollRequest) (carepath.Enrollment, error) {
	if r.ID != "" {
		if enr, err := e.Store.EnrollmentGet(ctx, id); err == nil {
			return enr, nil
		} else if carepath.ErrorCode(err) != carepath.ENOTFOUND {
			return enr, err
		}
	}
	return e.Store.EnrollmentActiveGet(ctx, r.PatientID, r.Journey, r.Key)
}

// start starts an enrollment's journey and records that it runs. A
// failure is logged, not returned: the row stays unconfirmed and the
// reconciler starts it after its grace.
func (e *Engine) start(ctx context.Context, enr carepath.Enrollment) {
	if err := e.startJourney(ctx, enr); err != nil {
		e.Log.Warn("journey not started yet; the reconciler will start it", "enrollment_id", enr.ID, "error", err)
		return
	}
	if err := e.Store.EnrollmentStarted(ctx, enr.ID); err != nil {
		// The reconciler finds the workflow running and records it then.
		e.Log.Warn("could not record journey start", "enrollment_id", enr.ID, "error", err)
	}
}

// startJourney starts an enrollment's workflow. The workflow ID is the
// enrollment's and duplicates are rejected, so it never runs twice.
func (e *Engine) startJourney(ctx context.Context, enr carepath.Enrollment) error {
	params, err := json.Marshal(enr.Params)
	if err != nil {
		return fmt.Errorf("enroll: encode params: %w", err)
	}
	_, err = e.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                    enr.WorkflowID,
		TaskQueue:             workflows.TaskQueue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		// When this process also runs the journeys worker (bulk launches,
		// `dev`), the first workflow task comes back with the start
		// instead of through the matching service.
		EnableEagerStart: true,
	}, enr.Journey, workflows.Input{EnrollmentID: enr.ID, PatientID: enr.PatientID, Journey: enr.Journey, Params: params})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.As(err, &started) {
		return fmt.Errorf("enroll: start workflow: %w", err)
	}
	return nil
}

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

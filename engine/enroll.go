package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"go.temporal.io/api/serviceerror"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/activities"
	"github.com/carepath/carepath/store"
	"github.com/carepath/carepath/workflows"
)

// The one way an enrollment comes to exist. The API, event triggers, bulk
// launches and journeys starting journeys all go through recordEnrollment:
// the journey and its params are validated by the journey's definition,
// the row is inserted idempotently under its ID (derived by triggers, bulk
// launches and journeys, so a retry finds what it made), and the caller
// gets what it made or found. Only starting the workflow differs: Enroll
// starts it, a parent journey starts its child itself.

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

// Audit actors of the enrollments the worker makes.
var (
	bulkLaunchActor = carepath.Actor{Kind: carepath.ActorSystem, ID: "bulk-launch"}
	journeyActor    = carepath.Actor{Kind: carepath.ActorSystem, ID: "journey"}
)

// Enroll validates the journey and its params, records the enrollment and
// starts its workflow. A patient already in an active enrollment of the
// same journey and key gets that enrollment back with created=false.
func (e *Engine) Enroll(ctx context.Context, a carepath.Actor, r EnrollRequest) (enr carepath.Enrollment, created bool, err error) {
	enr, _, created, err = e.recordEnrollment(ctx, a, r, false)
	if err != nil {
		return enr, false, err
	}
	// The row exists before the workflow, so the journey's first activity
	// always finds it. The enrollment is accepted once it is recorded: a
	// failed start is finished by the reconciler (reconcile.go). An
	// existing enrollment is started too: an earlier launch may have
	// stored the row and then failed to reach Temporal.
	if enr.Status == carepath.EnrollmentActive {
		e.start(ctx, enr)
	}
	if created {
		e.Log.Info("journey launched", "enrollment_id", enr.ID, "journey", r.Journey, "patient_id", r.PatientID)
	}
	return enr, created, nil
}

// recordEnrollment validates and records an enrollment; on a conflict it
// returns what the launch collided with (created=false). params are the
// request's params normalised by the journey (defaults filled in), for
// the new or existing enrollment alike. byParent marks an enrollment a
// running journey starts as its child, which the reconciler leaves to the
// parent for longer (ReconcileOptions.ParentGrace).
func (e *Engine) recordEnrollment(ctx context.Context, a carepath.Actor, r EnrollRequest, byParent bool) (enr carepath.Enrollment, params json.RawMessage, created bool, err error) {
	def, ok := e.Journeys.Get(r.Journey)
	if !ok {
		return enr, nil, false, carepath.Invalid("journey", "unknown journey; GET /v1/journeys lists them")
	}
	if params, err = def.NormalizeParams(r.Params); err != nil {
		return enr, nil, false, err
	}
	var paramMap map[string]any
	if err := json.Unmarshal(params, &paramMap); err != nil {
		return enr, nil, false, fmt.Errorf("enroll: decode params: %w", err)
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
		if byParent {
			enr, err = q.EnrollmentInsertForParent(ctx, enr)
		} else {
			enr, err = q.EnrollmentInsert(ctx, enr)
		}
		if err != nil {
			return err
		}
		return audit(ctx, q, a, "enrollment.create", r.PatientID, "enrollment/"+id)
	})
	if carepath.ErrorCode(err) == carepath.ECONFLICT {
		existing, gerr := e.existingEnrollment(ctx, id, r)
		if gerr != nil {
			// Never answer "already enrolled" without finding the
			// enrollment: the caller retries, and a journey's hand-off to
			// another journey is not silently dropped.
			return enr, nil, false, fmt.Errorf("enroll: find existing enrollment: %w", gerr)
		}
		return existing, params, false, nil
	}
	if err != nil {
		return enr, nil, false, err
	}
	return enr, params, true, nil
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

// Enroller is the enrollment path for the worker's activities: a bulk
// launch enrolls and starts like the API; a journey starting another
// journey only records it, since it starts its child itself.
func (e *Engine) Enroller() activities.Enroller {
	return func(ctx context.Context, r activities.EnrollmentRequest) (activities.Enrolled, error) {
		req := EnrollRequest{PatientID: r.PatientID, Journey: r.Journey, Params: r.Params, ID: r.EnrollmentID}
		var enr carepath.Enrollment
		var params json.RawMessage
		var created bool
		var err error
		if r.ByParent {
			enr, params, created, err = e.recordEnrollment(ctx, journeyActor, req, true)
		} else {
			enr, created, err = e.Enroll(ctx, bulkLaunchActor, req)
		}
		if err != nil {
			return activities.Enrolled{}, err
		}
		return activities.Enrolled{ID: enr.ID, Created: created, Active: enr.Status == carepath.EnrollmentActive, Params: params}, nil
	}
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
	// The lane hint only saves an email patient's first message the wait
	// behind the SMS rate: without it the journey still starts.
	hint, err := e.Store.PatientChannelHint(ctx, enr.PatientID)
	if err != nil {
		e.Log.Warn("journey starts without a channel hint", "enrollment_id", enr.ID, "error", err)
	}
	_, err = e.Temporal.ExecuteWorkflow(ctx, workflows.JourneyStartOptions(enr.ID), enr.Journey,
		workflows.Input{EnrollmentID: enr.ID, PatientID: enr.PatientID, Journey: enr.Journey, Params: params, Channel: hint})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.As(err, &started) {
		return fmt.Errorf("enroll: start workflow: %w", err)
	}
	return nil
}

package engine

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
	"github.com/carepath/carepath/workflows"
)

// MaxBatch is the most patients one bulk launch takes.
const MaxBatch = 10000

// BatchRequest launches one journey for many patients.
type BatchRequest struct {
	Journey    string          `json:"journey"`
	Params     json.RawMessage `json:"params"`
	PatientIDs []string        `json:"patient_ids"`
}

// CreateBatch validates a bulk launch, records it and starts its launcher.
// It returns at once; GetBatch shows progress.
func (e *Engine) CreateBatch(ctx context.Context, a carepath.Actor, r BatchRequest) (store.BatchJob, error) {
	def, ok := e.Journeys.Get(r.Journey)
	if !ok {
		return store.BatchJob{}, carepath.Invalid("journey", "unknown journey; GET /v1/journeys lists them")
	}
	params, err := def.NormalizeParams(r.Params)
	if err != nil {
		return store.BatchJob{}, err
	}
	if len(r.PatientIDs) == 0 || len(r.PatientIDs) > MaxBatch {
		return store.BatchJob{}, carepath.Invalid("patient_ids", "must list 1 to %d patient IDs", MaxBatch)
	}
	seen := make(map[string]bool, len(r.PatientIDs))
	ids := make([]string, 0, len(r.PatientIDs))
	for i, id := range r.PatientIDs {
		u, err := uuid.Parse(id)
		if err != nil {
			return store.BatchJob{}, carepath.Invalid(fmt.Sprintf("patient_ids[%d]", i), "must be a patient ID")
		}
		if !seen[u.String()] {
			seen[u.String()] = true
			ids = append(ids, u.String())
		}
	}
	jobID := uuid.NewString()
	err = e.Store.Tx(ctx, func(q *store.Queries) error {
		if err := q.BatchJobInsert(ctx, jobID, r.Journey, params, a.Name(), ids); err != nil {
			return err
		}
		return audit(ctx, q, a, "enrollment.batch", "", "batch/"+jobID)
	})
	if err != nil {
		return store.BatchJob{}, err
	}
	if _, err := e.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: workflows.BulkLaunchWorkflowID(jobID), TaskQueue: workflows.TaskQueue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, workflows.BulkLaunchWorkflow, jobID); err != nil {
		return store.BatchJob{}, fmt.Errorf("start bulk launch: %w", err)
	}
	e.Log.Info("bulk launch started", "job_id", jobID, "journey", r.Journey, "patients", len(ids))
	return e.Store.BatchJobGet(ctx, jobID)
}

// GetBatch shows a bulk launch's progress.
func (e *Engine) GetBatch(ctx context.Context, a carepath.Actor, id string) (store.BatchJob, error) {
	if err := validID(id, "batch job"); err != nil {
		return store.BatchJob{}, err
	}
	return e.Store.BatchJobGet(ctx, id)
}

// EnrollFor adapts Enroll for bulk launches run by the worker.
func (e *Engine) EnrollFor(actor carepath.Actor) func(ctx context.Context, patientID, journey string, params json.RawMessage, id string) (string, bool, error) {
	return func(ctx context.Context, patientID, journey string, params json.RawMessage, id string) (string, bool, error) {
		enr, created, err := e.Enroll(ctx, actor, EnrollRequest{PatientID: patientID, Journey: journey, Params: params, ID: id})
		return enr.ID, created, err
	}
}

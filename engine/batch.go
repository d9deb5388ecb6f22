package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"go.temporal.io/api/serviceerror"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
	"github.com/carepath/carepath/workflows"
)

// MaxBatch is the most patients one bulk launch takes.
const MaxBatch = 10000

// BatchRequest launches one journey for many patients: those listed, or
// those in a segment.
type BatchRequest struct {
	Journey    string          `json:"journey"`
	Params     json.RawMessage `json:"params"`
	PatientIDs []string        `json:"patient_ids"`
	Segment    *Segment        `json:"segment"`
	// DryRun reports what the launch would do and changes nothing
	// (DryRunBatch).
	DryRun bool `json:"dry_run"`
}

// Segment selects patients by tag and/or condition code (both: patients
// with both). A condition matches its code and every code under it: "E11"
// is every type 2 diabetes code.
type Segment struct {
	Tag       string `json:"tag,omitempty"`
	Condition string `json:"condition,omitempty"`
}

// resolve validates the segment and lists its patients, at most MaxBatch.
func (s *Segment) resolve(ctx context.Context, q *store.Queries) ([]string, error) {
	s.Tag, s.Condition = strings.ToLower(strings.TrimSpace(s.Tag)), strings.ToUpper(strings.TrimSpace(s.Condition))
	switch {
	case s.Tag == "" && s.Condition == "":
		return nil, carepath.Invalid("segment", "needs a tag, a condition or both")
	case s.Tag != "" && !carepath.ValidTag(s.Tag):
		return nil, carepath.Invalid("segment.tag", "must be a tag (lower-case letters, digits and ._:-)")
	case s.Condition != "" && !carepath.ValidCondition(s.Condition):
		return nil, carepath.Invalid("segment.condition", `must be an ICD-10 code or category such as "E11" or "E11.9"`)
	}
	ids, err := q.PatientIDsInSegment(ctx, s.Tag, s.Condition, MaxBatch+1)
	if err != nil {
		return nil, err
	}
	switch {
	case len(ids) == 0:
		return nil, carepath.Invalid("segment", "matches no patient")
	case len(ids) > MaxBatch:
		return nil, carepath.Invalid("segment", "matches more than %d patients: narrow it (tag and condition together)", MaxBatch)
	}
	return ids, nil
}

// CreateBatch validates a bulk launch, records it and starts its launcher.
// It returns at once; GetBatch shows progress.
func (e *Engine) CreateBatch(ctx context.Context, a carepath.Actor, r BatchRequest) (store.BatchJob, error) {
	_, params, ids, err := e.checkBatch(r)
	if err != nil {
		return store.BatchJob{}, err
	}
	jobID := uuid.NewString()
	count := 0
	err = e.Store.Tx(ctx, func(q *store.Queries) error {
		var segment json.RawMessage
		if r.Segment != nil {
			// Resolved once, with the job: the launch is a snapshot of
			// who was in the segment when the care team asked.
			var err error
			if ids, err = r.Segment.resolve(ctx, q); err != nil {
				return err
			}
			if segment, err = json.Marshal(r.Segment); err != nil {
				return fmt.Errorf("encode segment: %w", err)
			}
		}
		count = len(ids)
		if err := q.BatchJobInsert(ctx, jobID, r.Journey, params, segment, a.Name(), ids); err != nil {
			return err
		}
		return audit(ctx, q, a, "enrollment.batch", "", "batch/"+jobID)
	})
	if err != nil {
		return store.BatchJob{}, err
	}
	// The job is accepted once recorded; a failed start is finished by the
	// reconciler (reconcile.go).
	if err := e.startBulkLaunch(ctx, jobID); err != nil {
		e.Log.Warn("bulk launch not started yet; the reconciler will start it", "job_id", jobID, "error", err)
	} else if err := e.Store.BatchJobStarted(ctx, jobID); err != nil {
		e.Log.Warn("could not record bulk launch start", "job_id", jobID, "error", err)
	}
	e.Log.Info("bulk launch accepted", "job_id", jobID, "journey", r.Journey, "patients", count)
	return e.Store.BatchJobGet(ctx, jobID)
}

// checkBatch validates a bulk launch (a real one or a dry run alike): the
// journey, its params (normalised, defaults filled in) and an explicit
// patient list (nil for a segment, resolved in the caller's transaction).
func (e *Engine) checkBatch(r BatchRequest) (def workflows.Definition, params json.RawMessage, ids []string, err error) {
	def, ok := e.Journeys.Get(r.Journey)
	if !ok {
		return nil, nil, nil, carepath.Invalid("journey", "unknown journey; GET /v1/journeys lists them")
	}
	if params, err = def.NormalizeParams(r.Params); err != nil {
		return nil, nil, nil, err
	}
	if (r.Segment == nil) == (len(r.PatientIDs) == 0) {
		return nil, nil, nil, carepath.Invalid("patient_ids", "give either patient_ids (1 to %d) or a segment", MaxBatch)
	}
	if r.Segment == nil {
		if ids, err = batchIDs(r.PatientIDs); err != nil {
			return nil, nil, nil, err
		}
	}
	return def, params, ids, nil
}

// startBulkLaunch starts a job's launcher; one per job, never twice.
func (e *Engine) startBulkLaunch(ctx context.Context, jobID string) error {
	_, err := e.Temporal.ExecuteWorkflow(ctx, workflows.BulkLaunchStartOptions(jobID), workflows.BulkLaunchWorkflow, jobID)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.As(err, &started) {
		return fmt.Errorf("start bulk launch: %w", err)
	}
	return nil
}

// batchIDs validates an explicit list and drops duplicates.
func batchIDs(list []string) ([]string, error) {
	if len(list) > MaxBatch {
		return nil, carepath.Invalid("patient_ids", "must list 1 to %d patient IDs", MaxBatch)
	}
	seen := make(map[string]bool, len(list))
	ids := make([]string, 0, len(list))
	for i, id := range list {
		u, err := uuid.Parse(id)
		if err != nil {
			return nil, carepath.Invalid(fmt.Sprintf("patient_ids[%d]", i), "must be a patient ID")
		}
		if !seen[u.String()] {
			seen[u.String()] = true
			ids = append(ids, u.String())
		}
	}
	return ids, nil
}

// GetBatch shows a bulk launch's progress.
func (e *Engine) GetBatch(ctx context.Context, a carepath.Actor, id string) (store.BatchJob, error) {
	if err := validID(id, "batch job"); err != nil {
		return store.BatchJob{}, err
	}
	return e.Store.BatchJobGet(ctx, id)
}

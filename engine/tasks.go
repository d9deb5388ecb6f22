package engine

import (
	"context"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
)

// TaskFilter narrows the task list.
type TaskFilter struct {
	PatientID string
	Status    string
	Limit     int
}

// ListTasks returns care-team tasks, most urgent and oldest first.
func (e *Engine) ListTasks(ctx context.Context, a carepath.Actor, f TaskFilter) ([]carepath.Task, error) {
	if f.PatientID != "" {
		if err := validID(f.PatientID, "patient"); err != nil {
			return nil, carepath.Invalid("patient_id", "must be a patient ID")
		}
	}
	switch f.Status {
	case "", carepath.TaskOpen, carepath.TaskAcknowledged, carepath.TaskResolved:
	default:
		return nil, carepath.Invalid("status", "must be one of: open, acknowledged, resolved")
	}
	var out []carepath.Task
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		var err error
		if out, err = q.TaskList(ctx, store.TaskFilter{PatientID: f.PatientID, Status: f.Status, Limit: f.Limit}); err != nil {
			return err
		}
		return audit(ctx, q, a, "task.list", f.PatientID, "tasks")
	})
	return out, err
}

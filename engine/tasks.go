package engine

import (
	"context"
	"strings"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
)

// TaskFilter narrows the task list.
type TaskFilter struct {
	PatientID string
	Status    string
	Priority  carepath.Priority
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
	if f.Priority != "" && !f.Priority.Valid() {
		return nil, carepath.Invalid("priority", "must be one of: urgent, high, normal, low")
	}
	var out []carepath.Task
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		var err error
		if out, err = q.TaskList(ctx, store.TaskFilter{PatientID: f.PatientID, Status: f.Status, Priority: f.Priority, Limit: f.Limit}); err != nil {
			return err
		}
		return audit(ctx, q, a, "task.list", f.PatientID, "tasks")
	})
	return out, err
}

// AcknowledgeTask records that a care-team member has taken a task; it
// stops the task's escalation. Acknowledging twice is a no-op; a resolved
// task is ECONFLICT.
func (e *Engine) AcknowledgeTask(ctx context.Context, a carepath.Actor, id string) (carepath.Task, error) {
	return e.changeTask(ctx, a, id, "task.acknowledge", func(q *store.Queries, t carepath.Task) error {
		if t.Status == carepath.TaskResolved {
			return carepath.Errorf(carepath.ECONFLICT, "task is resolved")
		}
		_, err := q.TaskAcknowledgeBy(ctx, id, store.TaskEvent{Actor: a.Name()})
		return err
	})
}

// ResolveTask closes a task with a note (what was done).
func (e *Engine) ResolveTask(ctx context.Context, a carepath.Actor, id, note string) (carepath.Task, error) {
	note = strings.TrimSpace(note)
	if note == "" || len(note) > 2000 {
		return carepath.Task{}, carepath.Invalid("note", "is required (at most 2000 characters): say what was done")
	}
	return e.changeTask(ctx, a, id, "task.resolve", func(q *store.Queries, t carepath.Task) error {
		if t.Status == carepath.TaskResolved {
			return carepath.Errorf(carepath.ECONFLICT, "task is already resolved")
		}
		_, err := q.TaskResolve(ctx, id, note, store.TaskEvent{Actor: a.Name()})
		return err
	})
}

func (e *Engine) changeTask(ctx context.Context, a carepath.Actor, id, action string, change func(*store.Queries, carepath.Task) error) (carepath.Task, error) {
	if err := validID(id, "task"); err != nil {
		return carepath.Task{}, err
	}
	var t carepath.Task
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		var err error
		if t, err = q.TaskGet(ctx, id); err != nil {
			return err
		}
		if err := change(q, t); err != nil {
			return err
		}
		if t, err = q.TaskGet(ctx, id); err != nil {
			return err
		}
		return audit(ctx, q, a, action, t.PatientID, "task/"+id)
	})
	return t, err
}

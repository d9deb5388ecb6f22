package engine

import (
	"context"
	"strings"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
)

// TaskFilter narrows the task list.
type TaskFilter struct {
	PatientID string
	Status    string
	Priority  carepath.Priority
	// AssignedTo is "me" (the calling person), "none" (nobody) or a user ID.
	AssignedTo string
	// Reason matches a task's reason exactly.
	Reason string
	Limit  int
}

// TaskDetail is a task with who acknowledged it, its history (oldest
// first) and, when read on its own, the message that triggered it.
type TaskDetail struct {
	store.TaskItem
	// AcknowledgedBy is who acknowledged it: an actor such as
	// "api_key:<id>", or "staff:<id>" (a reply to a page).
	AcknowledgedBy        string     `json:"acknowledged_by,omitempty"`
	AcknowledgedByStaffID string     `json:"acknowledged_by_staff_id,omitempty"`
	PageStartedAt         *time.Time `json:"page_started_at,omitempty"`
	// AckCode is the code the task's page asked its reader to reply with
	// ("ACK 4821"), once paged.
	AckCode string             `json:"ack_code,omitempty"`
	History []store.TaskEvent  `json:"history"`
	Message *store.TaskMessage `json:"message,omitempty"`
}

// taskDetail reads a task with its acknowledgement and history; the
// message (PHI) only when withMessage.
func taskDetail(ctx context.Context, q *store.Queries, id string, withMessage bool) (TaskDetail, error) {
	var d TaskDetail
	var err error
	if d.TaskItem, err = q.TaskItemGet(ctx, id); err != nil {
		return d, err
	}
	ack, err := q.TaskAcknowledgementGet(ctx, id)
	if err != nil {
		return d, err
	}
	d.AcknowledgedBy, d.AcknowledgedByStaffID, d.PageStartedAt = ack.By, ack.ByStaffID, ack.PageStart
	if d.AckCode, err = q.PageCodeOf(ctx, id); err != nil {
		return d, err
	}
	if d.History, err = q.TaskEvents(ctx, id); err != nil {
		return d, err
	}
	if withMessage {
		d.Message, err = q.TaskMessageGet(ctx, id)
	}
	return d, err
}

// GetTask returns a task with its history and the message behind it (its
// body and when it came); the read is audited.
func (e *Engine) GetTask(ctx context.Context, a carepath.Actor, id string) (TaskDetail, error) {
	if err := validID(id, "task"); err != nil {
		return TaskDetail{}, err
	}
	var d TaskDetail
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		var err error
		if d, err = taskDetail(ctx, q, id, true); err != nil {
			return err
		}
		return audit(ctx, q, a, "task.read", d.PatientID, "task/"+id)
	})
	return d, err
}

// ListTasks returns care-team tasks with whom they are assigned to, most
// urgent first; within a priority the most escalated first, then the
// soonest due, then the oldest.
func (e *Engine) ListTasks(ctx context.Context, a carepath.Actor, f TaskFilter) ([]store.TaskItem, error) {
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
	assigned, err := assignedFilter(a, f.AssignedTo)
	if err != nil {
		return nil, err
	}
	if err := validReason(f.Reason); err != nil {
		return nil, err
	}
	var out []store.TaskItem
	err = e.Store.Tx(ctx, func(q *store.Queries) error {
		var err error
		if out, err = q.TaskInbox(ctx, store.TaskFilter{PatientID: f.PatientID, Status: f.Status, Priority: f.Priority,
			AssignedTo: assigned, Reason: f.Reason, Limit: f.Limit}); err != nil {
			return err
		}
		return audit(ctx, q, a, "task.list", f.PatientID, "tasks")
	})
	return out, err
}

// AcknowledgeTask records that a care-team member (the caller) has taken
// a task, and when; it stops the task's escalation. Acknowledging twice is
// a no-op (the first acknowledgement stands); a resolved task is ECONFLICT.
func (e *Engine) AcknowledgeTask(ctx context.Context, a carepath.Actor, id string) (TaskDetail, error) {
	return e.changeTask(ctx, a, id, "task.acknowledge", func(q *store.Queries, t carepath.Task) error {
		if t.Status == carepath.TaskResolved {
			return carepath.Errorf(carepath.ECONFLICT, "task is resolved")
		}
		_, err := q.TaskAcknowledgeBy(ctx, id, store.TaskEvent{Actor: a.Name(), Detail: "api"})
		return err
	})
}

// ResolveTask closes a task with a note (what was done); the caller is
// recorded as resolver (and as acknowledger, if nobody had acknowledged).
func (e *Engine) ResolveTask(ctx context.Context, a carepath.Actor, id, note string) (TaskDetail, error) {
	note = strings.TrimSpace(note)
	if note == "" || len(note) > 2000 {
		return TaskDetail{}, carepath.Invalid("note", "is required (at most 2000 characters): say what was done")
	}
	return e.changeTask(ctx, a, id, "task.resolve", func(q *store.Queries, t carepath.Task) error {
		if t.Status == carepath.TaskResolved {
			return carepath.Errorf(carepath.ECONFLICT, "task is already resolved")
		}
		_, err := q.TaskResolve(ctx, id, note, store.TaskEvent{Actor: a.Name(), Detail: "api"})
		return err
	})
}

// changeTask applies change to a task in one transaction and returns the
// task as changed, with its history (not its message).
func (e *Engine) changeTask(ctx context.Context, a carepath.Actor, id, action string, change func(*store.Queries, carepath.Task) error) (TaskDetail, error) {
	if err := validID(id, "task"); err != nil {
		return TaskDetail{}, err
	}
	var d TaskDetail
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		t, err := q.TaskGet(ctx, id)
		if err != nil {
			return err
		}
		if err := change(q, t); err != nil {
			return err
		}
		if d, err = taskDetail(ctx, q, id, false); err != nil {
			return err
		}
		return audit(ctx, q, a, action, t.PatientID, "task/"+id)
	})
	return d, err
}

package store

import (
	"context"
	"fmt"
	"time"

	"github.com/carepath/carepath"
)

// TaskUnassigned is TaskFilter.AssignedTo for tasks assigned to nobody.
const TaskUnassigned = "none"

// Task event kinds of an assignment.
const (
	TaskEventAssigned   = "assigned"
	TaskEventUnassigned = "unassigned"
)

// TaskAssignment is whom a task is assigned to: a person who signs in.
type TaskAssignment struct {
	// AssignedTo is the user's ID; empty: nobody.
	AssignedTo string `json:"assigned_to,omitempty"`
	// AssignedName is the user's name (staff names are not PHI).
	AssignedName string     `json:"assigned_name,omitempty"`
	AssignedAt   *time.Time `json:"assigned_at,omitempty"`
}

// TaskItem is a task as the care team's inbox shows it.
type TaskItem struct {
	carepath.Task
	TaskAssignment
	// Escalated: nobody acknowledged it in time at least once (the sweeper
	// or its page moved it up a level); EscalationLevel says how often.
	Escalated bool `json:"escalated"`
	// Due is the acknowledgement deadline (the task's acknowledge_by),
	// under the name the console reads.
	Due *time.Time `json:"due_at,omitempty"`
}

func (t *TaskItem) derive() {
	t.Escalated = t.EscalationLevel > 0
	t.Due = t.DueAt
}

// TaskInbox returns tasks with their assignment, most urgent first; within
// a priority the most escalated first, then the soonest due, then the
// oldest.
func (q *Queries) TaskInbox(ctx context.Context, f TaskFilter) ([]TaskItem, error) {
	rows, err := q.db.Query(ctx, stmt("TaskList"), f.PatientID, f.Status, f.Limit, f.Priority, f.AssignedTo, f.Reason)
	if err != nil {
		return nil, fmt.Errorf("list tasks: %w", err)
	}
	defer rows.Close()
	out := []TaskItem{}
	for rows.Next() {
		var t TaskItem
		if err := rows.Scan(&t.ID, &t.PatientID, &t.EnrollmentID, &t.MessageID, &t.Priority, &t.Status, &t.Reason, &t.Note,
			&t.CreatedAt, &t.AcknowledgedAt, &t.ResolvedAt, &t.EscalationLevel, &t.DueAt,
			&t.AssignedTo, &t.AssignedName, &t.AssignedAt); err != nil {
			return nil, fmt.Errorf("scan task: %w", err)
		}
		t.derive()
		out = append(out, t)
	}
	return out, wrapErr("list tasks", rows.Err())
}

// TaskItemGet returns one task with its assignment, or ENOTFOUND.
func (q *Queries) TaskItemGet(ctx context.Context, id string) (TaskItem, error) {
	var t TaskItem
	var err error
	if t.Task, err = q.TaskGet(ctx, id); err != nil {
		return t, err
	}
	err = q.db.QueryRow(ctx, stmt("TaskAssignment"), id).Scan(&t.AssignedTo, &t.AssignedName, &t.AssignedAt)
	t.derive()
	return t, wrapErr("task assignment", notFound(err, "task"))
}

// TaskAssign assigns a task to a user (userID empty: to nobody), recording
// an "assigned" or "unassigned" event by actor in the same statement. It
// reports whether anything changed: assigning a task to whom it already
// has is a no-op.
func (q *Queries) TaskAssign(ctx context.Context, taskID, userID, actor string) (bool, error) {
	tag, err := q.db.Exec(ctx, stmt("TaskAssign"), taskID, nullable(userID), actor)
	return tag.RowsAffected() == 1, wrapErr("assign task", err)
}

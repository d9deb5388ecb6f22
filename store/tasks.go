package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/carepath/carepath"
)

// NewTask is a care-team task to raise.
type NewTask struct {
	ID           string
	PatientID    string
	EnrollmentID string
	MessageID    string
	Priority     carepath.Priority
	Reason       string
	Note         string
	DedupeKey    string // same key, same task: retries never raise a second one
	DueAt        *time.Time
	// Swept tasks are watched by the deployment's task sweeper; the others
	// by a watcher workflow of their own (raised before the sweeper), or
	// not at all.
	Swept bool
	// RaisedBy is who raised it, for its history (an actor name such as
	// "system:inbound"); empty: "system".
	RaisedBy string
}

// TaskInsert raises t, with its "raised" event in the same statement, or
// returns the ID of the task already raised under its dedupe key.
func (q *Queries) TaskInsert(ctx context.Context, t NewTask) (string, error) {
	if t.DueAt == nil {
		// Every task is due for acknowledgement by its priority's deadline.
		due := time.Now().Add(carepath.AckDeadline[t.Priority])
		t.DueAt = &due
	}
	by := t.RaisedBy
	if by == "" {
		by = "system"
	}
	tag, err := q.db.Exec(ctx, stmt("TaskInsert"), t.ID, t.PatientID, t.EnrollmentID, t.MessageID, t.Priority,
		t.Reason, t.Note, t.DedupeKey, t.DueAt, t.Swept, by, string(t.Priority)+" task") // not the reason: history details hold no free text
	if err != nil {
		return "", fmt.Errorf("insert task: %w", err)
	}
	if tag.RowsAffected() == 1 || t.DedupeKey == "" {
		return t.ID, nil
	}
	var id string
	if err := q.db.QueryRow(ctx, stmt("TaskIDByDedupeKey"), t.DedupeKey).Scan(&id); err != nil {
		return "", fmt.Errorf("find deduplicated task: %w", err)
	}
	return id, nil
}

// TaskFilter narrows a task listing; empty fields match everything.
type TaskFilter struct {
	PatientID string
	Status    string
	Priority  carepath.Priority
	// AssignedTo is a user ID, or TaskUnassigned for tasks nobody has.
	AssignedTo string
	Reason     string
	Limit      int
}

// TaskList returns tasks, most urgent first; within a priority the most
// escalated first, then the soonest due, then the oldest (TaskInbox, without
// the assignment).
func (q *Queries) TaskList(ctx context.Context, f TaskFilter) ([]carepath.Task, error) {
	items, err := q.TaskInbox(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]carepath.Task, len(items))
	for i, it := range items {
		out[i] = it.Task
	}
	return out, nil
}

// TaskGet returns one task or ENOTFOUND.
func (q *Queries) TaskGet(ctx context.Context, id string) (carepath.Task, error) {
	var t carepath.Task
	err := q.db.QueryRow(ctx, stmt("TaskGet"), id).Scan(&t.ID, &t.PatientID, &t.EnrollmentID, &t.MessageID, &t.Priority, &t.Status,
		&t.Reason, &t.Note, &t.CreatedAt, &t.AcknowledgedAt, &t.ResolvedAt, &t.EscalationLevel, &t.DueAt, &t.ResolvedNote)
	return t, wrapErr("get task", notFound(err, "task"))
}

// TaskAcknowledge moves an open task to acknowledged by nobody in
// particular ("system"); false if it was not open. Callers who know who
// acknowledged use TaskAcknowledgeBy.
func (q *Queries) TaskAcknowledge(ctx context.Context, id string) (bool, error) {
	return q.TaskAcknowledgeBy(ctx, id, TaskEvent{Actor: "system"})
}

// TaskAcknowledgeBy acknowledges an open (or escalated-open) task,
// recording who (staff id or actor) and when; false if it was not open.
// by.At zero is now; by.Detail goes into the "acknowledged" event (e.g.
// "sms reply"), recorded in the same statement.
func (q *Queries) TaskAcknowledgeBy(ctx context.Context, taskID string, by TaskEvent) (bool, error) {
	tag, err := q.db.Exec(ctx, stmt("TaskAcknowledgeBy"), taskID, by.at(), by.StaffID, by.actor(), by.Detail)
	return tag.RowsAffected() == 1, wrapErr("acknowledge task", err)
}

// TaskResolve resolves a task with a note, recording by (as for
// TaskAcknowledgeBy; a task never acknowledged counts as acknowledged by
// the same person); false if it was resolved already. The note is the care
// team's and stays on the task, not in the event.
func (q *Queries) TaskResolve(ctx context.Context, id, note string, by TaskEvent) (bool, error) {
	tag, err := q.db.Exec(ctx, stmt("TaskResolve"), id, note, by.at(), by.StaffID, by.actor(), by.Detail)
	return tag.RowsAffected() == 1, wrapErr("resolve task", err)
}

// TaskAcknowledgement is who acknowledged a task and when paging began.
type TaskAcknowledgement struct {
	By        string // actor name, "staff:<id>" or empty: not acknowledged
	ByStaffID string
	PageStart *time.Time
}

// TaskAcknowledgementGet returns who acknowledged a task, or ENOTFOUND.
func (q *Queries) TaskAcknowledgementGet(ctx context.Context, id string) (TaskAcknowledgement, error) {
	var a TaskAcknowledgement
	err := q.db.QueryRow(ctx, stmt("TaskAcknowledgement"), id).Scan(&a.By, &a.ByStaffID, &a.PageStart)
	return a, wrapErr("task acknowledgement", notFound(err, "task"))
}

// TasksToPage returns up to limit open urgent and high tasks whose paging
// has not started, oldest first.
func (q *Queries) TasksToPage(ctx context.Context, limit int) ([]string, error) {
	ids, err := collectStrings(ctx, q.db, stmt("TasksToPage"), limit)
	return ids, wrapErr("tasks to page", err)
}

// TaskMessage is the message a task is about.
type TaskMessage struct {
	ID         string           `json:"id"`
	Direction  string           `json:"direction"`
	Channel    carepath.Channel `json:"channel"`
	Body       string           `json:"body"`
	ReceivedAt time.Time        `json:"received_at"`
}

// TaskMessageGet returns the message behind a task; nil when the task
// names none.
func (q *Queries) TaskMessageGet(ctx context.Context, taskID string) (*TaskMessage, error) {
	var m TaskMessage
	err := q.db.QueryRow(ctx, stmt("TaskMessage"), taskID).Scan(&m.ID, &m.Direction, &m.Channel, &m.Body, &m.ReceivedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("task message: %w", err)
	}
	return &m, nil
}

// OverdueTask is a swept task past its acknowledgement deadline.
type OverdueTask struct {
	ID       string
	Priority carepath.Priority
}

// TasksOverdue returns up to limit swept, open tasks past their deadline
// and below maxLevel, most overdue first.
func (q *Queries) TasksOverdue(ctx context.Context, maxLevel, limit int) ([]OverdueTask, error) {
	rows, err := q.db.Query(ctx, stmt("TasksOverdue"), maxLevel, limit)
	if err != nil {
		return nil, fmt.Errorf("overdue tasks: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[OverdueTask])
	return out, wrapErr("overdue tasks", err)
}

// TaskEscalate raises a still-open task one level with a new deadline; ok
// is false when it was acknowledged or resolved meanwhile.
// Its "escalated" event is recorded in the same statement.
func (q *Queries) TaskEscalate(ctx context.Context, id string, due time.Time) (level int, ok bool, err error) {
	err = q.db.QueryRow(ctx, stmt("TaskEscalate"), id, due, "system:task-escalation").Scan(&level)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	return level, err == nil, wrapErr("escalate task", err)
}

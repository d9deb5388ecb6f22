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
}

// TaskInsert raises t, or returns the ID of the task already raised under
// its dedupe key.
func (q *Queries) TaskInsert(ctx context.Context, t NewTask) (string, error) {
	if t.DueAt == nil {
		// Every task is due for acknowledgement by its priority's deadline.
		due := time.Now().Add(carepath.AckDeadline[t.Priority])
		t.DueAt = &due
	}
	tag, err := q.db.Exec(ctx, stmt("TaskInsert"), t.ID, t.PatientID, t.EnrollmentID, t.MessageID, t.Priority,
		t.Reason, t.Note, t.DedupeKey, t.DueAt, t.Swept)
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
	Limit     int
}

// TaskList returns tasks, most urgent and oldest first.
func (q *Queries) TaskList(ctx context.Context, f TaskFilter) ([]carepath.Task, error) {
	rows, err := q.db.Query(ctx, stmt("TaskList"), f.PatientID, f.Status, f.Limit, f.Priority)
	if err != nil {
		return nil, fmt.Errorf("list tasks: %w", err)
	}
	defer rows.Close()
	out := []carepath.Task{}
	for rows.Next() {
		var t carepath.Task
		if err := rows.Scan(&t.ID, &t.PatientID, &t.EnrollmentID, &t.MessageID, &t.Priority, &t.Status, &t.Reason, &t.Note,
			&t.CreatedAt, &t.AcknowledgedAt, &t.ResolvedAt, &t.EscalationLevel, &t.DueAt); err != nil {
			return nil, fmt.Errorf("scan task: %w", err)
		}
		out = append(out, t)
	}
	return out, wrapErr("list tasks", rows.Err())
}

// TaskGet returns one task or ENOTFOUND.
func (q *Queries) TaskGet(ctx context.Context, id string) (carepath.Task, error) {
	var t carepath.Task
	err := q.db.QueryRow(ctx, stmt("TaskGet"), id).Scan(&t.ID, &t.PatientID, &t.EnrollmentID, &t.MessageID, &t.Priority, &t.Status,
		&t.Reason, &t.Note, &t.CreatedAt, &t.AcknowledgedAt, &t.ResolvedAt, &t.EscalationLevel, &t.DueAt, &t.ResolvedNote)
	return t, wrapErr("get task", notFound(err, "task"))
}

// TaskAcknowledge moves an open task to acknowledged; false if it was not open.
func (q *Queries) TaskAcknowledge(ctx context.Context, id string) (bool, error) {
	tag, err := q.db.Exec(ctx, stmt("TaskAcknowledge"), id)
	return tag.RowsAffected() == 1, wrapErr("acknowledge task", err)
}

// TaskResolve resolves a task with a note; false if it was resolved already.
func (q *Queries) TaskResolve(ctx context.Context, id, note string) (bool, error) {
	tag, err := q.db.Exec(ctx, stmt("TaskResolve"), id, note)
	return tag.RowsAffected() == 1, wrapErr("resolve task", err)
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
func (q *Queries) TaskEscalate(ctx context.Context, id string, due time.Time) (level int, ok bool, err error) {
	err = q.db.QueryRow(ctx, stmt("TaskEscalate"), id, due).Scan(&level)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	return level, err == nil, wrapErr("escalate task", err)
}

package store

import (
	"context"
	"fmt"
	"time"

	"github.com/carepath/carepath"
)

// NewTask is a care-team task to raise.
type NewTask struct {
	ID           string
	PatientID    string
	EnrollmentID string
	MessageID    string
	Priority     string
	Reason       string
	Note         string
	DedupeKey    string // same key, same task: retries never raise a second one
	DueAt        *time.Time
}

// TaskInsert raises t, or returns the ID of the task already raised under
// its dedupe key.
func (q *Queries) TaskInsert(ctx context.Context, t NewTask) (string, error) {
	tag, err := q.db.Exec(ctx, stmt("TaskInsert"), t.ID, t.PatientID, t.EnrollmentID, t.MessageID, t.Priority,
		t.Reason, t.Note, t.DedupeKey, t.DueAt)
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
	Limit     int
}

// TaskList returns tasks, most urgent and oldest first.
func (q *Queries) TaskList(ctx context.Context, f TaskFilter) ([]carepath.Task, error) {
	rows, err := q.db.Query(ctx, stmt("TaskList"), f.PatientID, f.Status, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("list tasks: %w", err)
	}
	defer rows.Close()
	out := []carepath.Task{}
	for rows.Next() {
		var t carepath.Task
		if err := rows.Scan(&t.ID, &t.PatientID, &t.EnrollmentID, &t.Priority, &t.Status, &t.Reason, &t.Note,
			&t.CreatedAt, &t.AcknowledgedAt, &t.ResolvedAt); err != nil {
			return nil, fmt.Errorf("scan task: %w", err)
		}
		out = append(out, t)
	}
	return out, wrapErr("list tasks", rows.Err())
}

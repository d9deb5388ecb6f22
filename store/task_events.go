package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Task event kinds: a task's history.
const (
	TaskEventRaised       = "raised"
	TaskEventNotified     = "notified"
	TaskEventEscalated    = "escalated"
	TaskEventAcknowledged = "acknowledged"
	TaskEventResolved     = "resolved"
	TaskEventNote         = "note"
)

// TaskEvent is one entry in a task's history. Actor is who did it (an
// audit actor name such as "api_key:<id>" or "system:task-sweeper", or
// "staff:<id>"); StaffID is the staff member concerned, if any (the one
// notified, or the one who acknowledged). Detail never holds PHI: IDs,
// channels and levels only, e.g. "sms to staff <id> level 1".
type TaskEvent struct {
	TaskID  string    `json:"-"`
	At      time.Time `json:"at"`
	Kind    string    `json:"kind"`
	StaffID string    `json:"staff_id,omitempty"`
	Actor   string    `json:"actor"`
	Detail  string    `json:"detail,omitempty"`
}

// at is e.At, or nil (the database's now) when it is unset.
func (e TaskEvent) at() *time.Time {
	if e.At.IsZero() {
		return nil
	}
	return &e.At
}

// actor is e.Actor, or "staff:<id>" when only a staff member is named.
func (e TaskEvent) actor() string {
	if e.Actor == "" && e.StaffID != "" {
		return "staff:" + e.StaffID
	}
	return e.Actor
}

// TaskEventInsert appends e to its task's history; a zero At is now.
func (q *Queries) TaskEventInsert(ctx context.Context, e TaskEvent) error {
	_, err := q.db.Exec(ctx, stmt("TaskEventInsert"), e.TaskID, e.at(), e.Kind, e.StaffID, e.actor(), e.Detail)
	if err != nil {
		return fmt.Errorf("insert task event %s: %w", e.Kind, err)
	}
	return nil
}

// TaskEvents returns a task's history, oldest first.
func (q *Queries) TaskEvents(ctx context.Context, taskID string) ([]TaskEvent, error) {
	rows, err := q.db.Query(ctx, stmt("TaskEvents"), taskID)
	if err != nil {
		return nil, fmt.Errorf("task events: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[TaskEvent])
	if out == nil {
		out = []TaskEvent{}
	}
	return out, wrapErr("task events", err)
}

package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/carepath/carepath"
)

// Page channels: how a page reached someone (page_sends.channel).
const (
	PageSMS     = "sms"
	PageEmail   = "email"
	PageWebhook = "webhook"
)

// pageCodeTries bounds the search for a free ack code. With 10,000 codes
// and a few dozen open pages a try almost never fails; 50 failures in a
// row means thousands of open pages, which a person must look at anyway.
const pageCodeTries = 50

// PageCode returns the ack code of the task's page, allocating one the
// first time: four digits, unique among the pages of open tasks, the same
// at every level. It must run in a transaction (its lock serialises
// allocation and refuses to run outside one).
func (q *Queries) PageCode(ctx context.Context, taskID string) (string, error) {
	// Pipelined: the lock goes with the look for an existing code.
	if err := q.execLater(ctx, "page code: lock", stmt("PageCodeLock")); err != nil {
		return "", err
	}
	var code string
	err := q.db.QueryRow(ctx, stmt("PageCode"), taskID).Scan(&code)
	if err == nil {
		return code, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("page code: %w", err)
	}
	for range pageCodeTries {
		code = fmt.Sprintf("%04d", rand.IntN(10000))
		var taken bool
		if err := q.db.QueryRow(ctx, stmt("PageCodeTaken"), code).Scan(&taken); err != nil {
			return "", fmt.Errorf("page code: %w", err)
		}
		if taken {
			continue
		}
		if err := q.execLater(ctx, "page code: insert", stmt("PageInsert"), taskID, code); err != nil {
			return "", err
		}
		return code, nil
	}
	return "", carepath.Errorf(carepath.EUNAVAILABLE, "no free page code")
}

// PageCodeOf returns the ack code of the task's page ("" when it has not
// been paged): the care team sees the code the page asked for.
func (q *Queries) PageCodeOf(ctx context.Context, taskID string) (string, error) {
	var code string
	err := q.db.QueryRow(ctx, stmt("PageCode"), taskID).Scan(&code)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return code, wrapErr("page code", err)
}

// PageOpenTaskByCode returns the open task whose page holds code; ok is
// false when no open task does (a mistyped code, or the task was
// acknowledged or resolved already).
func (q *Queries) PageOpenTaskByCode(ctx context.Context, code string) (taskID string, ok bool, err error) {
	err = q.db.QueryRow(ctx, stmt("PageOpenTaskByCode"), code).Scan(&taskID)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	return taskID, err == nil, wrapErr("page task by code", err)
}

// PageSend is one notification a page made.
type PageSend struct {
	TaskID  string
	Step    int // 0: first call
	Channel string
	StaffID string // empty: a webhook page with no one on call
	SentAt  time.Time
	Detail  string // a provider message ID or HTTP status, never PHI
}

// PageSendDone reports whether the (task, step, channel) notification was
// recorded as sent: a retried page activity skips it.
func (q *Queries) PageSendDone(ctx context.Context, taskID string, step int, channel string) (bool, error) {
	var done bool
	err := q.db.QueryRow(ctx, stmt("PageSendDone"), taskID, step, channel).Scan(&done)
	return done, wrapErr("page send done", err)
}

// PageSendRecord records a notification the provider or webhook accepted,
// with the task's "notified" event (event detail: eventDetail), once per
// (task, step, channel): a second record of the same changes nothing.
func (q *Queries) PageSendRecord(ctx context.Context, s PageSend, eventDetail string) error {
	return q.execLater(ctx, "record page send", stmt("PageSendRecord"), s.TaskID, s.Step, s.Channel, s.StaffID, s.Detail, eventDetail)
}

// PageSends returns every notification a task's page made, by step.
func (q *Queries) PageSends(ctx context.Context, taskID string) ([]PageSend, error) {
	rows, err := q.db.Query(ctx, stmt("PageSends"), taskID)
	if err != nil {
		return nil, fmt.Errorf("page sends: %w", err)
	}
	defer rows.Close()
	out := []PageSend{}
	for rows.Next() {
		s := PageSend{TaskID: taskID}
		if err := rows.Scan(&s.Step, &s.Channel, &s.StaffID, &s.SentAt, &s.Detail); err != nil {
			return nil, fmt.Errorf("page sends: %w", err)
		}
		out = append(out, s)
	}
	return out, wrapErr("page sends", rows.Err())
}

// PagedStaff reports whether the staff member was paged for the task.
func (q *Queries) PagedStaff(ctx context.Context, taskID, staffID string) (bool, error) {
	var paged bool
	err := q.db.QueryRow(ctx, stmt("PagedStaff"), taskID, staffID).Scan(&paged)
	return paged, wrapErr("paged staff", err)
}

// TasksOverdueUnpaged is TasksOverdue without the tasks whose page has
// started: their TaskPage workflow escalates them along the on-call chain,
// and the sweeper escalating them too would skip a level.
func (q *Queries) TasksOverdueUnpaged(ctx context.Context, maxLevel, limit int) ([]OverdueTask, error) {
	rows, err := q.db.Query(ctx, stmt("TasksOverdueUnpaged"), maxLevel, limit)
	if err != nil {
		return nil, fmt.Errorf("overdue tasks: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[OverdueTask])
	return out, wrapErr("overdue tasks", err)
}

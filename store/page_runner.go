package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// A page's progress along the on-call chain, kept in its row and advanced
// by the page runner (package paging). Pages written by the TaskPage
// workflow before migration 0033 are not the runner's.

// PagePhase is what a runner's page is due for.
type PagePhase string

const (
	// PagePhaseSend: the step's page is due.
	PagePhaseSend PagePhase = "send"
	// PagePhaseWait: the step's acknowledgement deadline is due.
	PagePhaseWait PagePhase = "wait"
)

// PageState is a runner's page between two steps.
type PageState struct {
	Step    int
	Repeats int
	Phase   PagePhase
	// Due is when the phase is due; zero ends the page.
	Due time.Time
	// StepSince is when the step's first attempt was made.
	StepSince time.Time
	Attempt   int
	AckWithin time.Duration
}

// PageClaim is a page a runner holds until its lease ends.
type PageClaim struct {
	TaskID string
	Claim  string
	State  PageState
}

// PagesChannel is the notification channel PageStart wakes runners on.
const PagesChannel = "carepath_pages"

// PageStart starts the task's page in the runner, first call due at now,
// and wakes the runners; started is false when the task was paged before
// or is no longer open (then nothing changes).
func (s *Store) PageStart(ctx context.Context, taskID string, now time.Time) (started bool, err error) {
	err = s.Tx(ctx, func(q *Queries) error {
		if started, err = q.PageStart(ctx, taskID, now); err != nil || !started {
			return err
		}
		if _, err := q.db.Exec(ctx, stmt("PageNotify")); err != nil {
			return fmt.Errorf("start page: notify: %w", err)
		}
		return nil
	})
	return started, err
}

// PageStart is Store.PageStart inside the caller's transaction (it must run
// in one: the ack code's allocation locks), without waking the runners: a
// runner starting pages claims them itself in the same look.
func (q *Queries) PageStart(ctx context.Context, taskID string, now time.Time) (started bool, err error) {
	var id string
	err = q.db.QueryRow(ctx, stmt("PageStartTask"), taskID, now).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("start page: %w", err)
	}
	if _, err := q.PageCode(ctx, taskID); err != nil {
		return false, fmt.Errorf("start page: %w", err)
	}
	if err := q.execLater(ctx, "start page: hand to the runner", stmt("PageStartRunner"), taskID, now); err != nil {
		return false, err
	}
	return true, nil
}

// PagesClaim claims up to limit pages due at now for lease; each claim
// holds a fresh token PageSave must present.
func (q *Queries) PagesClaim(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]PageClaim, error) {
	claim := uuid.NewString()
	rows, err := q.db.Query(ctx, stmt("PagesClaim"), now, now.Add(lease), claim, limit)
	if err != nil {
		return nil, fmt.Errorf("claim pages: %w", err)
	}
	defer rows.Close()
	var out []PageClaim
	for rows.Next() {
		c := PageClaim{Claim: claim}
		var ackMS int64
		if err := rows.Scan(&c.TaskID, &c.State.Step, &c.State.Repeats, &c.State.Phase, &c.State.StepSince, &c.State.Attempt, &ackMS); err != nil {
			return nil, fmt.Errorf("claim pages: %w", err)
		}
		c.State.AckWithin = time.Duration(ackMS) * time.Millisecond
		out = append(out, c)
	}
	return out, wrapErr("claim pages", rows.Err())
}

// PageSave stores a claimed page's next state (a zero Due ends it);
// saved is false when the claim was lost (its lease ran out and another
// runner claimed the page).
func (q *Queries) PageSave(ctx context.Context, c PageClaim) (saved bool, err error) {
	st := c.State
	var due *time.Time
	if !st.Due.IsZero() {
		due = &st.Due
	}
	tag, err := q.db.Exec(ctx, stmt("PageSave"), c.TaskID, c.Claim, st.Step, st.Repeats, string(st.Phase), due,
		st.StepSince, st.Attempt, st.AckWithin.Milliseconds())
	if err != nil {
		return false, fmt.Errorf("save page: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// PageRunnerState returns the task's page as the runner keeps it; ok is
// false when the task has no runner page.
func (q *Queries) PageRunnerState(ctx context.Context, taskID string) (st PageState, ok bool, err error) {
	var runner bool
	var due *time.Time
	var since *time.Time
	var ackMS int64
	err = q.db.QueryRow(ctx, stmt("PageState"), taskID).Scan(&runner, &st.Step, &st.Repeats, &st.Phase, &due, &since, &st.Attempt, &ackMS)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && !runner) {
		return PageState{}, false, nil
	}
	if err != nil {
		return PageState{}, false, fmt.Errorf("page state: %w", err)
	}
	if due != nil {
		st.Due = *due
	}
	if since != nil {
		st.StepSince = *since
	}
	st.AckWithin = time.Duration(ackMS) * time.Millisecond
	return st, true, nil
}

// ListenPages calls wake each time a page is started (PageStart's
// notification), until ctx ends or the connection fails. It listens on a
// connection of its own, outside the pool (a listening connection is not
// one to lend).
func (s *Store) ListenPages(ctx context.Context, wake func()) (err error) {
	conn, err := pgx.ConnectConfig(ctx, s.Pool.Config().ConnConfig.Copy())
	if err != nil {
		return fmt.Errorf("listen for pages: connect: %w", err)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		if cerr := conn.Close(cctx); cerr != nil && ctx.Err() == nil {
			err = errors.Join(err, fmt.Errorf("listen for pages: close: %w", cerr))
		}
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+PagesChannel); err != nil {
		return fmt.Errorf("listen for pages: %w", err)
	}
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return fmt.Errorf("listen for pages: %w", err)
		}
		wake()
	}
}

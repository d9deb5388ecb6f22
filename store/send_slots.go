package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// The fleet-wide send limiter's table (migration 0031): messaging.Shared
// keeps a sending number within its provider limit across every worker
// through these statements. Every time is PostgreSQL's clock, so workers'
// clocks never enter the limit.

// SendSlotsProvision makes the sender's slots exactly 0..n-1.
func (q *Queries) SendSlotsProvision(ctx context.Context, sender string, n int) error {
	if _, err := q.db.Exec(ctx, stmt("SendSlotsProvision"), sender, n); err != nil {
		return fmt.Errorf("provision send slots: %w", err)
	}
	if _, err := q.db.Exec(ctx, stmt("SendSlotWaitersExpire"), sender); err != nil {
		return fmt.Errorf("expire send slot waiters: %w", err)
	}
	return nil
}

// SendSlotClaim takes one of the sender's slots free now for holder, with
// a lease; window is how long after its lease a dead holder's slot stays
// unusable. Bulk claims (urgent false) take none while an urgent waiter
// is registered. ok is false when no slot is free.
func (q *Queries) SendSlotClaim(ctx context.Context, sender, holder string, lease, window time.Duration, urgent bool) (slot int, ok bool, err error) {
	err = q.db.QueryRow(ctx, stmt("SendSlotClaim"), sender, holder, lease.Seconds(), window.Seconds(), urgent).Scan(&slot)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("claim send slot: %w", err)
	}
	return slot, true, nil
}

// SendSlotNextFree is how long until the sender's earliest slot is free
// (at most window when every slot is held: a release frees one a window
// later at the soonest), and whether an urgent waiter holds bulk back.
func (q *Queries) SendSlotNextFree(ctx context.Context, sender string, window time.Duration, urgent bool) (time.Duration, bool, error) {
	var secs float64
	var blocked bool
	if err := q.db.QueryRow(ctx, stmt("SendSlotNextFree"), sender, window.Seconds(), urgent).Scan(&secs, &blocked); err != nil {
		return 0, false, fmt.Errorf("next free send slot: %w", err)
	}
	return min(time.Duration(secs*float64(time.Second)), window), blocked, nil
}

// SendSlotRelease frees holder's slot one window after now.
func (q *Queries) SendSlotRelease(ctx context.Context, sender string, slot int, holder string, window time.Duration) error {
	if _, err := q.db.Exec(ctx, stmt("SendSlotRelease"), sender, slot, holder, window.Seconds()); err != nil {
		return fmt.Errorf("release send slot: %w", err)
	}
	return nil
}

// SendSlotReturn gives back holder's unused slot as it was.
func (q *Queries) SendSlotReturn(ctx context.Context, sender string, slot int, holder string) error {
	if _, err := q.db.Exec(ctx, stmt("SendSlotReturn"), sender, slot, holder); err != nil {
		return fmt.Errorf("return send slot: %w", err)
	}
	return nil
}

// SendSlotWaiting registers (or refreshes) an urgent waiter for ttl.
func (q *Queries) SendSlotWaiting(ctx context.Context, sender, waiter string, ttl time.Duration) error {
	if _, err := q.db.Exec(ctx, stmt("SendSlotWaiting"), sender, waiter, ttl.Seconds()); err != nil {
		return fmt.Errorf("register urgent send waiter: %w", err)
	}
	return nil
}

// SendSlotDoneWaiting removes an urgent waiter.
func (q *Queries) SendSlotDoneWaiting(ctx context.Context, sender, waiter string) error {
	if _, err := q.db.Exec(ctx, stmt("SendSlotDoneWaiting"), sender, waiter); err != nil {
		return fmt.Errorf("remove urgent send waiter: %w", err)
	}
	return nil
}

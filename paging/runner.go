package paging

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/carepath/carepath/store"
)

const (
	// Interval is how often a runner looks for due pages and unpaged tasks
	// when nothing woke it.
	Interval = time.Second
	// lease is how long a claim holds a page: longer than advanceTimeout,
	// so a live runner never loses a page it is working on.
	lease = 2 * time.Minute
	// advanceTimeout bounds the work on one page in one look (each send
	// has its own, shorter timeouts).
	advanceTimeout = 90 * time.Second
	// batch bounds one look's pages and unpaged tasks; the rest wait for
	// the next look.
	batch = 100
	// parallel pages are advanced at once (each may wait on a provider).
	parallel = 8
)

// Runner advances the pages that are due, beside a worker. Several
// runners (one per worker) share the pages through claims.
type Runner struct {
	Store   *store.Store
	Effects Effects
	Log     *slog.Logger
	// Now is the clock (tests move it); nil means time.Now.
	Now func() time.Time
}

// Look is what one look did.
type Look struct {
	Started  int // pages started for unpaged urgent and high tasks
	Advanced int // due pages advanced
}

// Run looks every Interval, and at once when a page is started or an
// urgent or high task raised anywhere, until ctx ends. Errors are logged: an outage delays the next look only.
func (r *Runner) Run(ctx context.Context) {
	wake := make(chan struct{}, 1)
	var listening sync.WaitGroup
	listening.Go(func() { r.listen(ctx, wake) })
	defer listening.Wait()
	t := time.NewTicker(Interval)
	defer t.Stop()
	for {
		if l, err := r.Once(ctx); err != nil && ctx.Err() == nil {
			r.Log.Warn("pager: look stopped early", "error", err)
		} else if l.Started > 0 {
			r.Log.Info("pager: pages started", "tasks", l.Started)
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-t.C:
		}
	}
}

// listen turns PageStart's notifications into wake-ups, reconnecting
// after a failure (the ticker covers the gap).
func (r *Runner) listen(ctx context.Context, wake chan<- struct{}) {
	for ctx.Err() == nil {
		err := r.Store.ListenPages(ctx, func() {
			select {
			case wake <- struct{}{}:
			default:
			}
		})
		if ctx.Err() != nil {
			return
		}
		r.Log.Warn("pager: not listening for new pages; looking every second", "error", err)
		select {
		case <-ctx.Done():
		case <-time.After(Interval):
		}
	}
}

// Once starts the pages of unpaged urgent and high tasks, then advances
// every page that is due (up to batch of each).
func (r *Runner) Once(ctx context.Context) (Look, error) {
	var l Look
	ids, err := r.Store.TasksToPage(ctx, batch)
	if err != nil {
		return l, fmt.Errorf("pager: %w", err)
	}
	for _, id := range ids {
		var started bool
		err := r.Store.Tx(ctx, func(q *store.Queries) (err error) {
			started, err = q.PageStart(ctx, id, r.now())
			return err
		})
		if err != nil {
			return l, fmt.Errorf("pager: task %s: %w", id, err)
		}
		if started {
			l.Started++
		}
	}
	claims, err := r.Store.PagesClaim(ctx, r.now(), lease, batch)
	if err != nil {
		return l, fmt.Errorf("pager: %w", err)
	}
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for _, c := range claims {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			r.advance(ctx, c)
		})
	}
	wg.Wait()
	l.Advanced = len(claims)
	return l, nil
}

// advance does what is due for one claimed page and saves the result. A
// page whose save fails keeps its lease: the next claim after it redoes
// the step (a notification already recorded is not sent again).
func (r *Runner) advance(ctx context.Context, c store.PageClaim) {
	actx, cancel := context.WithTimeout(ctx, advanceTimeout)
	next, err := advance(actx, r.Effects, r.now, c.TaskID, c.State)
	cancel()
	if err != nil {
		r.Log.Warn("pager: page attempt failed", "task_id", c.TaskID, "retry_at", next.Due, "error", err)
	}
	c.State = next
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	saved, err := r.Store.PageSave(sctx, c)
	switch {
	case err != nil:
		r.Log.Warn("pager: page state not saved; retried when its lease ends", "task_id", c.TaskID, "error", err)
	case !saved:
		r.Log.Warn("pager: page claimed by another runner meanwhile", "task_id", c.TaskID)
	}
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

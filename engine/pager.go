package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/carepath/carepath/workflows"
)

// Paging: every urgent or high task pages the on-call chain (TaskPage,
// one workflow per task). The red-flag path starts the page itself at once
// (StartPage); Pager is the backstop that pages every other urgent or high
// task (raised by activities and journeys, or whose start failed) within
// about a second.

// PagerInterval is how often Pager looks for tasks not yet paged.
const PagerInterval = time.Second

// pagerBatch bounds one look; the rest wait a second.
const pagerBatch = 100

// StartPage starts the task's page unless it was started before (a
// duplicate start is success), then records that paging began.
func (e *Engine) StartPage(ctx context.Context, taskID string) error {
	if err := e.startOnce(ctx, workflows.TaskPageStartOptions(taskID), workflows.TaskPageWorkflow,
		workflows.TaskPageInput{TaskID: taskID}); err != nil {
		return fmt.Errorf("start page: %w", err)
	}
	if err := e.Store.TaskPageStarted(ctx, taskID); err != nil {
		return fmt.Errorf("start page: %w", err)
	}
	return nil
}

// Pager starts a page for every open urgent or high task not yet paged,
// every PagerInterval, until ctx ends. Errors are logged: an outage only
// delays the next look (a task is marked paged only once its page
// started).
func (e *Engine) Pager(ctx context.Context) {
	t := time.NewTicker(PagerInterval)
	defer t.Stop()
	for {
		if n, err := e.PageOnce(ctx); err != nil && ctx.Err() == nil {
			e.Log.Warn("pager: look stopped early", "error", err)
		} else if n > 0 {
			e.Log.Info("pager: pages started", "tasks", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// PageOnce starts the pages of up to pagerBatch tasks not yet paged and
// returns how many it started.
func (e *Engine) PageOnce(ctx context.Context) (int, error) {
	ids, err := e.Store.TasksToPage(ctx, pagerBatch)
	if err != nil {
		return 0, fmt.Errorf("pager: %w", err)
	}
	n := 0
	for _, id := range ids {
		sctx, cancel := context.WithTimeout(ctx, temporalCallTimeout)
		err := e.StartPage(sctx, id)
		cancel()
		if err != nil {
			return n, fmt.Errorf("pager: task %s: %w", id, err)
		}
		n++
	}
	return n, nil
}

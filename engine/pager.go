package engine

import (
	"context"
	"fmt"
	"time"
)

// Paging: every urgent or high task pages the on-call chain. Pages are
// driven from the database by the page runner beside each worker (package
// paging), which also starts the page of every urgent or high task raised
// by activities and journeys (the task's insert wakes it). The red-flag
// path starts its page itself (StartPage), and the runners wake at once.

// StartPage starts the task's page unless it was started before (then it
// does nothing: a retried route pages once).
func (e *Engine) StartPage(ctx context.Context, taskID string) error {
	if _, err := e.Store.PageStart(ctx, taskID, time.Now()); err != nil {
		return fmt.Errorf("start page: %w", err)
	}
	return nil
}

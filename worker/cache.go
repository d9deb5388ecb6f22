package worker

import (
	"fmt"

	sdkworker "go.temporal.io/sdk/worker"
)

// SetStickyCacheSize sizes the SDK's sticky workflow cache: how many
// journeys the process keeps in memory between their workflow tasks, so a
// journey that wakes while cached runs its next step without fetching and
// replaying its history. The cache is one per process, shared by every
// worker in it, and created when the first worker starts: call this before
// Start (a later call applies only once every worker has stopped). 0 turns
// the cache off.
func SetStickyCacheSize(n int) error {
	if n < 0 {
		return fmt.Errorf("sticky cache size %d: must not be negative", n)
	}
	sdkworker.SetStickyWorkflowCacheSize(n)
	return nil
}

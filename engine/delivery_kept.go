package engine

import (
	"context"
	"fmt"

	"github.com/carepath/carepath/store"
)

// ApplyKeptDeliveryReports applies delivery reports that were kept because
// they arrived before their send was recorded, once it is. The send path
// applies them as it records the provider's ID; this sweep (run by the reply
// router) catches any path that did not, and drops reports no send has
// claimed in a week.
func (e *Engine) ApplyKeptDeliveryReports(ctx context.Context) error {
	ready, err := e.Store.DeliveryPendingRecorded(ctx, routeBatch)
	if err != nil {
		return fmt.Errorf("apply kept delivery reports: %w", err)
	}
	if len(ready) == 0 {
		if err := e.Store.DeliveryPendingPrune(ctx); err != nil {
			return fmt.Errorf("apply kept delivery reports: %w", err)
		}
	}
	for _, m := range ready {
		err := e.Store.Tx(ctx, func(q *store.Queries) error {
			return q.ApplyPendingDeliveryReports(ctx, m.Provider, m.ProviderMessageID)
		})
		if err != nil {
			return fmt.Errorf("apply kept delivery reports: %w", err)
		}
	}
	return nil
}

package store

import (
	"context"
	"fmt"
)

// ProviderEventFirst records a provider event key and reports whether this
// is its first arrival (providers re-post callbacks and events).
func (q *Queries) ProviderEventFirst(ctx context.Context, provider, key string) (bool, error) {
	tag, err := q.db.Exec(ctx, stmt("ProviderEventSeen"), provider, key)
	if err != nil {
		return false, fmt.Errorf("record provider event: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

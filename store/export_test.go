package store

import "context"

// What the external tests reach of the package's insides.

// ExecLater is execLater.
func (q *Queries) ExecLater(ctx context.Context, what, sql string, args ...any) error {
	return q.execLater(ctx, what, sql, args...)
}

// Queued is how many writes q's transaction holds unsent (-1 outside a
// pipelined transaction).
func (q *Queries) Queued() int {
	if p, ok := q.db.(*pipeTx); ok {
		return len(p.queued)
	}
	return -1
}

// DB is what q runs on.
func (q *Queries) DB() DBTX { return q.db }

// IsUniqueViolation is isUniqueViolation.
var IsUniqueViolation = isUniqueViolation

package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// FHIRSubscription is what carepath knows of one of the EHR's
// subscriptions that notifies it.
type FHIRSubscription struct {
	Subscription    string // the reference the EHR sends
	Topic, Status   string
	LastEventNumber int64
	Gaps            int64 // event numbers found missing so far
	LastHeartbeatAt *time.Time
	LastEventAt     *time.Time
}

// FHIRSubscriptionUpsert records a notification's subscription, status
// and topic ("" keeps what was stored) and locks its row for the
// transaction. It returns the highest event number seen before.
func (q *Queries) FHIRSubscriptionUpsert(ctx context.Context, subscription, topic, status string) (int64, error) {
	var last int64
	err := q.db.QueryRow(ctx, stmt("FHIRSubscriptionUpsert"), subscription, topic, status).Scan(&last)
	return last, wrapErr("record FHIR subscription", err)
}

// FHIRSubscriptionHeartbeat stamps the subscription's last heartbeat (or handshake).
func (q *Queries) FHIRSubscriptionHeartbeat(ctx context.Context, subscription string) error {
	_, err := q.db.Exec(ctx, stmt("FHIRSubscriptionHeartbeat"), subscription)
	return wrapErr("record FHIR subscription heartbeat", err)
}

// FHIRSubscriptionEventsApplied returns which of numbers were applied before.
func (q *Queries) FHIRSubscriptionEventsApplied(ctx context.Context, subscription string, numbers []int64) (map[int64]bool, error) {
	rows, err := q.db.Query(ctx, stmt("FHIRSubscriptionEventsApplied"), subscription, numbers)
	if err != nil {
		return nil, fmt.Errorf("find applied FHIR events: %w", err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("find applied FHIR events: %w", err)
	}
	out := make(map[int64]bool, len(got))
	for _, n := range got {
		out[n] = true
	}
	return out, nil
}

// FHIRSubscriptionEventsRecord records event numbers as applied.
func (q *Queries) FHIRSubscriptionEventsRecord(ctx context.Context, subscription string, numbers []int64) error {
	for _, n := range numbers {
		if _, err := q.db.Exec(ctx, stmt("FHIRSubscriptionEventInsert"), subscription, n); err != nil {
			return fmt.Errorf("record applied FHIR event: %w", err)
		}
	}
	return nil
}

// FHIRSubscriptionEventsMissing counts the numbers from..to (inclusive)
// never applied.
func (q *Queries) FHIRSubscriptionEventsMissing(ctx context.Context, subscription string, from, to int64) (int64, error) {
	if to < from {
		return 0, nil
	}
	var n int64
	err := q.db.QueryRow(ctx, stmt("FHIRSubscriptionEventsMissing"), subscription, from, to).Scan(&n)
	return n, wrapErr("count missing FHIR events", err)
}

// FHIRSubscriptionAdvance keeps the highest event number seen, adds gaps,
// and stamps the last event when event is true.
func (q *Queries) FHIRSubscriptionAdvance(ctx context.Context, subscription string, highest, gaps int64, event bool) error {
	_, err := q.db.Exec(ctx, stmt("FHIRSubscriptionAdvance"), subscription, highest, gaps, event)
	return wrapErr("advance FHIR subscription", err)
}

// FHIRSubscriptionGet returns what is known of a subscription, or ENOTFOUND.
func (q *Queries) FHIRSubscriptionGet(ctx context.Context, subscription string) (FHIRSubscription, error) {
	var s FHIRSubscription
	err := q.db.QueryRow(ctx, stmt("FHIRSubscriptionGet"), subscription).Scan(&s.Subscription, &s.Topic, &s.Status,
		&s.LastEventNumber, &s.Gaps, &s.LastHeartbeatAt, &s.LastEventAt)
	return s, wrapErr("get FHIR subscription", notFound(err, "subscription"))
}

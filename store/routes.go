package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/carepath/carepath"
	"github.com/jackc/pgx/v5"
)

// InboundRoute is where a stored reply goes next, kept until Temporal (or
// the care team's inbox) has it. Route is the engine's JSON description.
type InboundRoute struct {
	Seq        int64
	MessageID  string
	Route      []byte
	Attempts   int
	Due        bool
	Channel    carepath.Channel
	Body       string
	ReceivedAt time.Time // when carepath stored the reply
	// Behind: another route of the same sender waits after this one.
	Behind bool
}

// RouteSender is the ordering key of a sender's replies: a hash of channel
// and address, so the routes table holds no contact details.
func RouteSender(channel carepath.Channel, address string) string {
	sum := sha256.Sum256([]byte(string(channel) + ":" + address))
	return hex.EncodeToString(sum[:])
}

// RouteInsert records a reply's route in the webhook's transaction
// (pipelined: it goes with the next statement).
func (q *Queries) RouteInsert(ctx context.Context, messageID, sender string, route []byte) error {
	return q.execLater(ctx, "insert inbound route", stmt("RouteInsert"), messageID, sender, route)
}

// RouteSendersDue lists senders with a route due, oldest first.
func (q *Queries) RouteSendersDue(ctx context.Context, limit int) ([]string, error) {
	rows, err := q.db.Query(ctx, stmt("RouteSendersDue"), limit)
	if err != nil {
		return nil, fmt.Errorf("list senders with routes due: %w", err)
	}
	senders, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return senders, wrapErr("list senders with routes due", err)
}

// RouteSenderLock takes the sender's routing lock for the transaction;
// false means another router holds it.
func (q *Queries) RouteSenderLock(ctx context.Context, sender string) (bool, error) {
	var ok bool
	err := q.db.QueryRow(ctx, stmt("RouteSenderLock"), sender).Scan(&ok)
	return ok, wrapErr("lock sender routes", err)
}

// RouteHead locks and returns the sender's oldest pending route; ok=false
// when none is pending.
func (q *Queries) RouteHead(ctx context.Context, sender string) (r InboundRoute, ok bool, err error) {
	err = q.db.QueryRow(ctx, stmt("RouteHead"), sender).Scan(&r.Seq, &r.MessageID, &r.Route, &r.Attempts, &r.Due,
		&r.Channel, &r.Body, &r.ReceivedAt, &r.Behind)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, false, nil
	}
	return r, err == nil, wrapErr("find next inbound route", err)
}

// RouteDone marks a route handed on (pipelined).
func (q *Queries) RouteDone(ctx context.Context, seq int64) error {
	return q.execLater(ctx, "mark inbound route done", stmt("RouteDone"), seq)
}

// RouteRetry records a failed attempt and when to try again. reason must
// carry no PHI.
func (q *Queries) RouteRetry(ctx context.Context, seq int64, reason string, after time.Duration) error {
	if len(reason) > 500 {
		reason = reason[:500]
	}
	_, err := q.db.Exec(ctx, stmt("RouteRetry"), seq, reason, after.Seconds())
	return wrapErr("record inbound route retry", err)
}

// RoutesWaiting counts replies not yet routed and the oldest one's age.
func (q *Queries) RoutesWaiting(ctx context.Context) (n int64, oldest time.Duration, err error) {
	var secs float64
	err = q.db.QueryRow(ctx, stmt("RoutesWaiting")).Scan(&n, &secs)
	return n, time.Duration(secs * float64(time.Second)), wrapErr("count waiting replies", err)
}

package store

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// errNoConnection is a connection not had within the caller's wait.
var errNoConnection = errors.New("store: no database connection")

// TxWithin is Tx for callers that must answer fast when PostgreSQL is
// down (webhooks, so the provider's fallback applies): a connection not
// had within wait is an error Unavailable recognises.
func (s *Store) TxWithin(ctx context.Context, wait time.Duration, fn func(q *Queries) error) error {
	actx, cancel := context.WithTimeout(ctx, wait)
	conn, err := s.Pool.Acquire(actx)
	cancel()
	if err != nil {
		return errors.Join(errNoConnection, err)
	}
	defer conn.Release()
	return runTx(ctx, conn.Conn(), fn)
}

// Unavailable reports an error that means the database could not be
// reached or stopped answering (as opposed to refusing the request): worth
// a 503 and a retry, not a 500.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		// 08: connection exception; 57P: the server is shutting down or
		// starting (admin_shutdown, crash_shutdown, cannot_connect_now).
		return strings.HasPrefix(pg.Code, "08") || strings.HasPrefix(pg.Code, "57P")
	}
	var ne net.Error
	var ce *pgconn.ConnectError
	return errors.Is(err, errNoConnection) || errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err) ||
		errors.As(err, &ce) || errors.As(err, &ne) || pgconn.SafeToRetry(err) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// TxWithinResult is TxWithin for a transaction that returns what it did,
// so the caller acts on a value rather than on variables the transaction
// set. The result is the zero value unless the transaction committed.
func TxWithinResult[T any](ctx context.Context, s *Store, wait time.Duration, fn func(q *Queries) (T, error)) (T, error) {
	var out T
	err := s.TxWithin(ctx, wait, func(q *Queries) error {
		var err error
		out, err = fn(q)
		return err
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return out, nil
}

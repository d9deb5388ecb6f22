// Package store is carepath's CRM record in PostgreSQL: patients, consent,
// enrollments, messages (the outbox), questions, tasks and audit. Queries
// live in queries/*.sql; the same code runs on the pool or inside a
// transaction.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/carepath/carepath"
)

// DBTX is what queries need: a pool, a connection or a transaction.
type DBTX interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Store owns the connection pool.
type Store struct {
	Pool *pgxpool.Pool
	*Queries
}

// Queries runs carepath's named queries against a DBTX.
type Queries struct{ db DBTX }

// NewQueries binds the queries to db (a pool or a transaction).
func NewQueries(db DBTX) *Queries { return &Queries{db: db} }

// Open connects to PostgreSQL with DefaultOptions and checks the connection.
func Open(ctx context.Context, url string) (*Store, error) { return OpenWith(ctx, url, DefaultOptions) }

// OpenWith connects to PostgreSQL with o and checks the connection,
// waiting up to o.ConnectWait for a server that is still starting.
func OpenWith(ctx context.Context, url string, o Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's parse error can echo the URL, password included.
		return nil, errors.New("store: DATABASE_URL could not be parsed")
	}
	o.apply(cfg)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: create pool: %w", err)
	}
	if err := pingUntil(ctx, pool, o.ConnectWait); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: connect to PostgreSQL at %s:%d: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, err)
	}
	return &Store{Pool: pool, Queries: NewQueries(pool)}, nil
}

// pingUntil pings until the server answers or wait has passed, backing
// off from a quarter second to five seconds between tries.
func pingUntil(ctx context.Context, pool *pgxpool.Pool, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	delay := 250 * time.Millisecond
	for {
		err := pool.Ping(ctx)
		if err == nil || time.Now().Add(delay).After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(delay):
		}
		delay = min(2*delay, 5*time.Second)
	}
}

// Close releases the pool.
func (s *Store) Close() { s.Pool.Close() }

// Tx runs fn in a transaction, committing if it returns nil. Writes whose
// result is only their error are pipelined (pipeline.go).
func (s *Store) Tx(ctx context.Context, fn func(q *Queries) error) error {
	conn, err := s.Pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer conn.Release()
	return runTx(ctx, conn.Conn(), fn)
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.Pool.Ping(ctx) }

// notFound turns pgx's no-rows error into the domain's ENOTFOUND.
func notFound(err error, resource string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return carepath.NotFound(resource)
	}
	return err
}

// isUniqueViolation reports a unique-index conflict on the named constraint.
func isUniqueViolation(err error, constraint string) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && pg.Code == "23505" && (constraint == "" || pg.ConstraintName == constraint)
}

package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Pipelined writes. Most of a transaction's time on a busy machine is
// round trips, and a write whose only outcome the caller needs is whether
// it failed need not have one of its own: inside Store.Tx (and TxWithin)
// such a write (execLater) waits and goes to PostgreSQL with the
// transaction's next statement, in one batch, or just before the commit.
// An error it meets fails that statement, and so the transaction, naming
// the write. Outside a transaction it runs at once.

// pipeTx is a transaction that holds queued writes until its next
// statement or its end. Its BEGIN waits too: it goes with the first
// statement, and the COMMIT with the writes still queued (tx.go), so a
// transaction costs no round trip of its own.
type pipeTx struct {
	conn   *pgx.Conn
	queued []queuedExec
	begun  bool // BEGIN has been sent
	closed bool // committed or rolled back
}

type queuedExec struct {
	what string // for the error: "answer question"
	sql  string
	args []any
}

// execLater runs a write whose result is only its error: queued in a
// pipelined transaction, at once otherwise.
func (q *Queries) execLater(ctx context.Context, what, sql string, args ...any) error {
	if p, ok := q.db.(*pipeTx); ok {
		p.queued = append(p.queued, queuedExec{what: what, sql: sql, args: args})
		return nil
	}
	_, err := q.db.Exec(ctx, sql, args...)
	return wrapErr(what, err)
}

// send sends BEGIN (the first time), the queued writes and then sql
// (unless empty) in one batch and reads BEGIN's and the writes' results;
// the caller reads sql's and closes.
func (p *pipeTx) send(ctx context.Context, sql string, args []any) (pgx.BatchResults, error) {
	if p.closed {
		return nil, pgx.ErrTxClosed
	}
	b := &pgx.Batch{}
	queued := p.queued
	if !p.begun {
		queued = append([]queuedExec{{what: "begin", sql: "begin"}}, queued...)
		p.begun = true
	}
	for _, w := range queued {
		b.Queue(w.sql, w.args...)
	}
	if sql != "" {
		b.Queue(sql, args...)
	}
	p.queued = nil
	br := p.conn.SendBatch(ctx, b)
	for _, w := range queued {
		if _, err := br.Exec(); err != nil {
			// Close reports the same failure again: the write's is the one to keep.
			_ = br.Close()
			return nil, fmt.Errorf("%s: %w", w.what, err)
		}
	}
	return br, nil
}

// flush sends what waits (BEGIN included), so the connection can be
// used directly.
func (p *pipeTx) flush(ctx context.Context) error {
	if p.closed {
		return pgx.ErrTxClosed
	}
	if p.begun && len(p.queued) == 0 {
		return nil
	}
	br, err := p.send(ctx, "", nil)
	if err != nil {
		return err
	}
	return br.Close()
}

// direct reports whether a statement can go straight to the connection:
// nothing waits to be sent before it.
func (p *pipeTx) direct() bool { return p.begun && len(p.queued) == 0 && !p.closed }

func (p *pipeTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if p.direct() {
		return p.conn.Exec(ctx, sql, args...)
	}
	br, err := p.send(ctx, sql, args)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	tag, err := br.Exec()
	if err != nil {
		_ = br.Close() // reports the same failure again
		return tag, err
	}
	return tag, br.Close()
}

func (p *pipeTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if p.direct() {
		return p.conn.Query(ctx, sql, args...)
	}
	br, err := p.send(ctx, sql, args)
	if err != nil {
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		if rows != nil {
			rows.Close()
		}
		_ = br.Close() // reports the same failure again
		return nil, err
	}
	return &batchRows{Rows: rows, br: br}, nil
}

func (p *pipeTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if p.direct() {
		return p.conn.QueryRow(ctx, sql, args...)
	}
	return &batchRow{ctx: ctx, p: p, sql: sql, args: args}
}

// batchRow is a QueryRow sent with queued writes when it is scanned (every
// caller scans at once).
type batchRow struct {
	ctx  context.Context
	p    *pipeTx
	sql  string
	args []any
}

func (r *batchRow) Scan(dest ...any) error {
	br, err := r.p.send(r.ctx, r.sql, r.args)
	if err != nil {
		return err
	}
	if err := br.QueryRow().Scan(dest...); err != nil {
		_ = br.Close() // pgx.ErrNoRows and the like are kept as they are
		return err
	}
	return br.Close()
}

// batchRows closes its batch with itself.
type batchRows struct {
	pgx.Rows
	br  pgx.BatchResults
	err error
}

// Next closes the batch once the rows are read, for callers that read to
// the end and never call Close.
func (r *batchRows) Next() bool {
	if r.Rows.Next() {
		return true
	}
	r.Close()
	return false
}

func (r *batchRows) Close() {
	r.Rows.Close()
	if r.br != nil {
		r.err = r.br.Close()
		r.br = nil
	}
}

func (r *batchRows) Err() error {
	if err := r.Rows.Err(); err != nil {
		return err
	}
	return r.err
}

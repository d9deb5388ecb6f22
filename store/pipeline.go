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
// statement or its end.
type pipeTx struct {
	pgx.Tx
	queued []queuedExec
}

type queuedExec struct {
	what string // for the error: "answer question"
	sql  string
	args []any
}

// inPipe runs fn over tx with writes pipelined, and sends what is still
// queued before the caller commits.
func inPipe(ctx context.Context, tx pgx.Tx, fn func(q *Queries) error) error {
	p := &pipeTx{Tx: tx}
	if err := fn(NewQueries(p)); err != nil {
		return err
	}
	return p.flush(ctx)
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

// send sends the queued writes and then sql (unless empty) in one batch
// and reads the writes' results; the caller reads sql's and closes.
func (p *pipeTx) send(ctx context.Context, sql string, args []any) (pgx.BatchResults, error) {
	b := &pgx.Batch{}
	for _, w := range p.queued {
		b.Queue(w.sql, w.args...)
	}
	if sql != "" {
		b.Queue(sql, args...)
	}
	queued := p.queued
	p.queued = nil
	br := p.Tx.SendBatch(ctx, b)
	for _, w := range queued {
		if _, err := br.Exec(); err != nil {
			// Close reports the same failure again: the write's is the one to keep.
			_ = br.Close()
			return nil, fmt.Errorf("%s: %w", w.what, err)
		}
	}
	return br, nil
}

func (p *pipeTx) flush(ctx context.Context) error {
	if len(p.queued) == 0 {
		return nil
	}
	br, err := p.send(ctx, "", nil)
	if err != nil {
		return err
	}
	return br.Close()
}

func (p *pipeTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if len(p.queued) == 0 {
		return p.Tx.Exec(ctx, sql, args...)
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
	if len(p.queued) == 0 {
		return p.Tx.Query(ctx, sql, args...)
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
	if len(p.queued) == 0 {
		return p.Tx.QueryRow(ctx, sql, args...)
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

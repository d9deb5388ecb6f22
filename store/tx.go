package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// A transaction's BEGIN goes to PostgreSQL with its first statement and
// its COMMIT with its last queued writes, one batch each (as PgJDBC does):
// pgx's own transactions spend a round trip on each. A transaction that
// never reached the database sends neither. pipeTx is the pgx.Tx the
// queries see, so code that asks whether it runs inside a transaction
// (the audit trail's appends) still finds one.

// runTx runs fn in a transaction on c: committed if fn returns nil,
// rolled back if it fails or panics.
func runTx(ctx context.Context, c *pgx.Conn, fn func(q *Queries) error) (err error) {
	p := &pipeTx{conn: c}
	defer func() {
		if rerr := p.Rollback(ctx); rerr != nil && !errors.Is(rerr, pgx.ErrTxClosed) {
			err = errors.Join(err, rerr)
		}
	}()
	if err := fn(NewQueries(p)); err != nil {
		return err
	}
	return p.Commit(ctx)
}

// Commit sends the queued writes and COMMIT in one batch. A transaction
// PostgreSQL had already aborted reports pgx.ErrTxCommitRollback, as pgx's
// does.
func (p *pipeTx) Commit(ctx context.Context) error {
	if p.closed {
		return pgx.ErrTxClosed
	}
	if !p.begun && len(p.queued) == 0 {
		p.closed = true // nothing was asked of the database
		return nil
	}
	br, err := p.send(ctx, "commit", nil)
	p.closed = true
	if err != nil {
		p.abandon(ctx)
		return err
	}
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		p.abandon(ctx)
		return fmt.Errorf("commit: %w", err)
	}
	if tag.String() == "ROLLBACK" {
		return pgx.ErrTxCommitRollback
	}
	return nil
}

// Rollback ends a begun transaction; one never sent needs nothing.
func (p *pipeTx) Rollback(ctx context.Context) error {
	if p.closed {
		return pgx.ErrTxClosed
	}
	p.closed = true
	p.queued = nil
	if !p.begun {
		return nil
	}
	return p.rollback(ctx)
}

// abandon leaves the transaction after a failed commit, rolled back if
// still open (its error is the commit's to report).
func (p *pipeTx) abandon(ctx context.Context) {
	if p.conn.PgConn().TxStatus() != 'I' {
		_ = p.rollback(ctx)
	}
}

// rollback sends ROLLBACK. A connection whose rollback failed is in no
// known state: it is closed, and the pool drops it.
func (p *pipeTx) rollback(ctx context.Context) error {
	if _, err := p.conn.Exec(ctx, "rollback"); err != nil {
		_ = p.conn.Close(ctx)
		return fmt.Errorf("rollback: %w", err)
	}
	return nil
}

// Begin would nest a transaction; nothing in carepath does.
func (p *pipeTx) Begin(context.Context) (pgx.Tx, error) {
	return nil, errors.New("store: nested transactions are not supported")
}

// SendBatch sends b after what waits.
func (p *pipeTx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	if err := p.flush(ctx); err != nil {
		return errBatch{err}
	}
	return p.conn.SendBatch(ctx, b)
}

// CopyFrom copies after what waits.
func (p *pipeTx) CopyFrom(ctx context.Context, table pgx.Identifier, cols []string, src pgx.CopyFromSource) (int64, error) {
	if err := p.flush(ctx); err != nil {
		return 0, err
	}
	return p.conn.CopyFrom(ctx, table, cols, src)
}

// Prepare prepares on the transaction's connection.
func (p *pipeTx) Prepare(ctx context.Context, name, sql string) (*pgconn.StatementDescription, error) {
	return p.conn.Prepare(ctx, name, sql)
}

// LargeObjects is not used by carepath; the zero value fails every call.
func (p *pipeTx) LargeObjects() pgx.LargeObjects { return pgx.LargeObjects{} }

// Conn is the transaction's connection.
func (p *pipeTx) Conn() *pgx.Conn { return p.conn }

// errBatch is a batch that failed before it was sent.
type errBatch struct{ err error }

func (e errBatch) Exec() (pgconn.CommandTag, error) { return pgconn.CommandTag{}, e.err }
func (e errBatch) Query() (pgx.Rows, error)         { return nil, e.err }
func (e errBatch) QueryRow() pgx.Row                { return errRow(e) }
func (e errBatch) Close() error                     { return e.err }
func (e errBatch) Tx() pgx.Tx                       { return nil }

type errRow struct{ err error }

func (e errRow) Scan(...any) error { return e.err }

var _ pgx.Tx = (*pipeTx)(nil)

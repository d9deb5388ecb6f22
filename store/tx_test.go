package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/carepath/carepath/store"
)

// Transactions whose BEGIN goes with their first statement and whose
// COMMIT goes with their last queued writes, against the real PostgreSQL:
// the first statement runs inside the transaction, an aborted transaction
// does not report a commit, a panic rolls back, and the connection is
// fit for the next transaction after each.
func TestTransactionsBeginWithTheirFirstStatement(t *testing.T) {
	ctx := context.Background()
	s, pool := scratchTable(t, "tx_test", "k text PRIMARY KEY")
	count := func() (n int) {
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM tx_test`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	healthy := func(t *testing.T) {
		t.Helper()
		// Every pooled connection must be idle and usable.
		for range pool.Stat().TotalConns() + 1 {
			if err := s.Tx(ctx, func(q *store.Queries) error {
				var one int
				return q.DB().QueryRow(ctx, `SELECT 1`).Scan(&one)
			}); err != nil {
				t.Fatalf("the next transaction: %v", err)
			}
		}
	}

	t.Run("the first statement is inside the transaction", func(t *testing.T) {
		// A transaction's statements share its start time: a first
		// statement run on its own would have a time of its own.
		err := s.Tx(ctx, func(q *store.Queries) error {
			var first, after string
			if err := q.DB().QueryRow(ctx, `SELECT now()::text FROM pg_sleep(0.02)`).Scan(&first); err != nil {
				return err
			}
			if err := q.DB().QueryRow(ctx, `SELECT now()::text`).Scan(&after); err != nil {
				return err
			}
			if first != after {
				t.Errorf("now() %s then %s: the first statement ran outside the transaction", first, after)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})

	t.Run("a failed first statement rolls back the queued writes", func(t *testing.T) {
		err := s.Tx(ctx, func(q *store.Queries) error {
			if err := q.ExecLater(ctx, "put a", `INSERT INTO tx_test VALUES ('a')`); err != nil {
				return err
			}
			_, err := q.DB().Exec(ctx, `SELECT no_such_column FROM tx_test`)
			return err
		})
		if err == nil || count() != 0 {
			t.Fatalf("err %v, %d rows; want the failure and nothing written", err, count())
		}
		healthy(t)
	})

	t.Run("an aborted transaction does not commit", func(t *testing.T) {
		err := s.Tx(ctx, func(q *store.Queries) error {
			if _, err := q.DB().Exec(ctx, `INSERT INTO tx_test VALUES ('b')`); err != nil {
				return err
			}
			_, _ = q.DB().Exec(ctx, `SELECT no_such_column FROM tx_test`) // ignored, wrongly
			return nil
		})
		if !errors.Is(err, pgx.ErrTxCommitRollback) || count() != 0 {
			t.Fatalf("err %v, %d rows; want ErrTxCommitRollback and nothing written", err, count())
		}
		healthy(t)
	})

	t.Run("a queued write failing at commit is named and nothing commits", func(t *testing.T) {
		if _, err := pool.Exec(ctx, `INSERT INTO tx_test VALUES ('c')`); err != nil {
			t.Fatal(err)
		}
		err := s.Tx(ctx, func(q *store.Queries) error {
			if _, err := q.DB().Exec(ctx, `INSERT INTO tx_test VALUES ('d')`); err != nil {
				return err
			}
			return q.ExecLater(ctx, "put c again", `INSERT INTO tx_test VALUES ('c')`)
		})
		if err == nil || !strings.Contains(err.Error(), "put c again") || !store.IsUniqueViolation(err, "") || count() != 1 {
			t.Fatalf("err %v, %d rows; want the named unique violation and only the first row", err, count())
		}
		healthy(t)
	})

	t.Run("a panic rolls back", func(t *testing.T) {
		func() {
			defer func() { _ = recover() }()
			_ = s.Tx(ctx, func(q *store.Queries) error {
				if _, err := q.DB().Exec(ctx, `INSERT INTO tx_test VALUES ('e')`); err != nil {
					return err
				}
				panic("boom")
			})
		}()
		if count() != 1 {
			t.Fatalf("%d rows after a panic; want 1", count())
		}
		healthy(t)
	})

	t.Run("a transaction that asks nothing ends cleanly", func(t *testing.T) {
		if err := s.Tx(ctx, func(*store.Queries) error { return nil }); err != nil {
			t.Fatal(err)
		}
		if err := s.Tx(ctx, func(*store.Queries) error { return errors.New("changed my mind") }); err == nil {
			t.Fatal("the error was lost")
		}
		healthy(t)
	})
}

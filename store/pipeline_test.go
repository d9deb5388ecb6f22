package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/store"
)

// Pipelined writes, against the real PostgreSQL: they go with the next
// statement or before the commit, in order, and one that fails fails the
// transaction, named, with nothing of it committed.
func TestPipelinedWrites(t *testing.T) {
	ctx := context.Background()
	s, pool := scratchTable(t, "pipeline_test", "k text PRIMARY KEY, v int NOT NULL")
	put := func(q *store.Queries, k string, v int) error {
		return q.ExecLater(ctx, "put "+k, `INSERT INTO pipeline_test (k, v) VALUES ($1, $2)`, k, v)
	}
	count := func(prefix string) (n int) {
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM pipeline_test WHERE k LIKE $1`, prefix+"%").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	t.Run("sent with the next statement, in order", func(t *testing.T) {
		err := s.Tx(ctx, func(q *store.Queries) error {
			if err := put(q, "a1", 1); err != nil {
				return err
			}
			if err := put(q, "a2", 2); err != nil {
				return err
			}
			if n := q.Queued(); n != 2 {
				t.Errorf("%d writes queued, want 2 (nothing sent yet)", n)
			}
			var sum int
			if err := q.DB().QueryRow(ctx, `SELECT coalesce(sum(v), 0) FROM pipeline_test WHERE k LIKE 'a%'`).Scan(&sum); err != nil {
				return err
			}
			if sum != 3 {
				t.Errorf("the statement after two queued writes saw sum %d, want 3", sum)
			}
			if err := put(q, "a3", 3); err != nil {
				return err
			}
			rows, err := q.DB().Query(ctx, `SELECT k FROM pipeline_test WHERE k LIKE 'a%' ORDER BY k`)
			if err != nil {
				return err
			}
			keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return err
			}
			if strings.Join(keys, ",") != "a1,a2,a3" {
				t.Errorf("rows %v, want a1,a2,a3", keys)
			}
			// The batch is closed: the connection takes the next statement.
			_, err = q.DB().Exec(ctx, `SELECT 1`)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := count("a"); n != 3 {
			t.Fatalf("%d rows committed, want 3", n)
		}
	})

	t.Run("sent before the commit", func(t *testing.T) {
		if err := s.Tx(ctx, func(q *store.Queries) error { return put(q, "b1", 1) }); err != nil {
			t.Fatal(err)
		}
		if n := count("b"); n != 1 {
			t.Fatalf("%d rows committed, want 1", n)
		}
	})

	t.Run("a failing write fails the next statement and the transaction", func(t *testing.T) {
		err := s.Tx(ctx, func(q *store.Queries) error {
			if err := put(q, "c1", 1); err != nil {
				return err
			}
			if err := put(q, "a1", 9); err != nil { // a1 exists: unique violation
				return err
			}
			var one int
			return q.DB().QueryRow(ctx, `SELECT 1`).Scan(&one)
		})
		if err == nil || !strings.Contains(err.Error(), "put a1") || !store.IsUniqueViolation(err, "") {
			t.Fatalf("got %v, want the queued write's unique violation, named", err)
		}
		if n := count("c"); n != 0 {
			t.Fatalf("%d rows of the failed transaction committed", n)
		}
	})

	t.Run("a failing write at the commit fails it", func(t *testing.T) {
		err := s.Tx(ctx, func(q *store.Queries) error {
			if err := put(q, "d1", 1); err != nil {
				return err
			}
			return put(q, "b1", 2) // exists
		})
		if err == nil || !strings.Contains(err.Error(), "put b1") {
			t.Fatalf("got %v, want the queued write's error", err)
		}
		if n := count("d"); n != 0 {
			t.Fatalf("%d rows of the failed transaction committed", n)
		}
	})

	t.Run("no rows stays no rows", func(t *testing.T) {
		err := s.Tx(ctx, func(q *store.Queries) error {
			if err := put(q, "e1", 1); err != nil {
				return err
			}
			var v int
			return q.DB().QueryRow(ctx, `SELECT v FROM pipeline_test WHERE k = 'none'`).Scan(&v)
		})
		if !errors.Is(err, pgx.ErrNoRows) {
			t.Fatalf("got %v, want pgx.ErrNoRows", err)
		}
	})

	t.Run("an Exec or a Query carries the queued writes too", func(t *testing.T) {
		err := s.Tx(ctx, func(q *store.Queries) error {
			if err := put(q, "g1", 1); err != nil {
				return err
			}
			tag, err := q.DB().Exec(ctx, `UPDATE pipeline_test SET v = v + 1 WHERE k = 'g1'`)
			if err != nil {
				return err
			}
			if tag.RowsAffected() != 1 {
				t.Errorf("the Exec after a queued insert updated %d rows, want 1", tag.RowsAffected())
			}
			if err := put(q, "g2", 1); err != nil {
				return err
			}
			_, err = q.DB().Query(ctx, `SELECT no_such_column FROM pipeline_test`)
			return err
		})
		if err == nil || !strings.Contains(err.Error(), "no_such_column") {
			t.Fatalf("got %v, want the failing query's error", err)
		}
		if n := count("g"); n != 0 {
			t.Fatalf("%d rows of the failed transaction committed", n)
		}
	})

	t.Run("outside a transaction it runs at once", func(t *testing.T) {
		if err := put(s.Queries, "f1", 1); err != nil {
			t.Fatal(err)
		}
		if n := count("f"); n != 1 {
			t.Fatalf("%d rows, want 1", n)
		}
	})
}

// scratchTable is a Store on the test database with a table of its own,
// dropped when the test ends.
func scratchTable(t *testing.T, name, columns string) (*store.Store, *pgxpool.Pool) {
	t.Helper()
	pool := testenv.Pool(t)
	if _, err := pool.Exec(context.Background(), "CREATE TABLE IF NOT EXISTS "+name+" ("+columns+")"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = pool.Exec(context.Background(), "DROP TABLE "+name) })
	return &store.Store{Pool: pool, Queries: store.NewQueries(pool)}, pool
}

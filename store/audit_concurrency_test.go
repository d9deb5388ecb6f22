package store_test

import (
	"context"
	"crypto/sha256"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/store"
)

// openPool opens a pool of up to conns connections on url, migrated.
func openPool(t *testing.T, url string, conns int32) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = conns
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if _, err := store.Migrate(context.Background(), pool); err != nil {
		t.Fatal(err)
	}
	return pool
}

// Many writers at once, each transaction appending twice: every append
// succeeds (no deadlock between two transactions' second partitions), and
// every chain verifies with every row in it.
func TestAuditConcurrentAppends(t *testing.T) {
	useAuditKey(t)
	ctx := context.Background()
	pool := openPool(t, testenv.Database(t), 40)
	const writers, txs = 32, 15
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range txs {
				if err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
					q := store.NewQueries(tx)
					for range 2 {
						if err := q.AuditAppend(ctx, store.AuditEntry{Actor: "api_key:many", Action: "patient.read",
							Resource: "patient/x", Outcome: "success"}); err != nil {
							return err
						}
					}
					return nil
				}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	r := verify(t, store.NewQueries(pool), store.AuditVerifyOptions{})
	if !r.Intact() || r.Rows != writers*txs*2 {
		t.Fatalf("after %d concurrent appends: rows %d, %v", writers*txs*2, r.Rows, r.Problems)
	}
	used := 0
	for _, h := range r.Heads {
		if h.Seq > 0 {
			used++
		}
	}
	if used < 2 {
		t.Errorf("%d concurrent writers used %d partition(s)", writers, used)
	}

	// The figure: appends per second with 1 and 16 writers, the old design
	// (one chain under a global advisory lock) beside the partitioned one,
	// for transactions that only append and for ones that hold the append
	// 2 ms longer (a request's other statements before it commits).
	exec(t, pool, `CREATE TABLE audit_old_design (id bigserial PRIMARY KEY, prev_hash bytea NOT NULL, hash bytea NOT NULL)`)
	oldAppend := func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(1635083636)`); err != nil {
			return err
		}
		prev := make([]byte, 32)
		if err := tx.QueryRow(ctx, `SELECT hash FROM audit_old_design ORDER BY id DESC LIMIT 1`).Scan(&prev); err != nil && err != pgx.ErrNoRows {
			return err
		}
		var id int64
		if err := tx.QueryRow(ctx, `SELECT nextval('audit_old_design_id_seq')`).Scan(&id); err != nil {
			return err
		}
		h := sha256.Sum256(append(prev, byte(id)))
		_, err := tx.Exec(ctx, `INSERT INTO audit_old_design (id, prev_hash, hash) VALUES ($1, $2, $3)`, id, prev, h[:])
		return err
	}
	newAppend := func(tx pgx.Tx) error {
		return store.NewQueries(tx).AuditAppend(ctx, store.AuditEntry{Actor: "api_key:rate", Action: "patient.read",
			Resource: "patient/x", Outcome: "success"})
	}
	rate := func(writers, total int, hold time.Duration, appendFn func(pgx.Tx) error) float64 {
		var left atomic.Int64
		left.Store(int64(total))
		var wg sync.WaitGroup
		var failed atomic.Value
		start := time.Now()
		for range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for left.Add(-1) >= 0 {
					if err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
						if err := appendFn(tx); err != nil {
							return err
						}
						if hold > 0 {
							_, err := tx.Exec(ctx, `SELECT pg_sleep($1)`, hold.Seconds())
							return err
						}
						return nil
					}); err != nil {
						failed.Store(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		if err, _ := failed.Load().(error); err != nil {
			t.Fatal(err)
		}
		return float64(total) / time.Since(start).Seconds()
	}
	for _, hold := range []time.Duration{0, 2 * time.Millisecond} {
		old1, old16 := rate(1, 200, hold, oldAppend), rate(16, 400, hold, oldAppend)
		new1, new16 := rate(1, 200, hold, newAppend), rate(16, 400, hold, newAppend)
		testenv.Figure("audit appends/s (transaction held %v after the append): global lock 1 writer %.0f, 16 writers %.0f; 32 partitions 1 writer %.0f, 16 writers %.0f",
			hold, old1, old16, new1, new16)
	}
	if r := verify(t, store.NewQueries(pool), store.AuditVerifyOptions{}); !r.Intact() {
		t.Fatalf("after the measured appends: %v", r.Problems)
	}
}

package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/carepath/carepath/internal/embedded"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/store"
)

// These tests run their own PostgreSQL, which they stop, crash and
// restart; the package's shared test database is left alone.

func privatePostgres(t *testing.T) *embedded.Postgres {
	t.Helper()
	testenv.SkipShort(t)
	pg, err := embedded.StartPostgres(context.Background(), embedded.PostgresOptions{
		Dir: filepath.Join(t.TempDir(), "pg"), Database: "recovery", Ephemeral: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := pg.Stop(); err != nil {
			t.Error(err)
		}
	})
	return pg
}

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// A crash-restart of PostgreSQL under a running pool: the same Store
// serves queries again once the server is back, without being reopened.
func TestStoreRecoversFromPostgresCrashRestart(t *testing.T) {
	ctx := context.Background()
	pg := privatePostgres(t)
	st, err := store.Open(ctx, pg.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	if err := st.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	if err := pg.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := st.Ping(ctx); err == nil {
		t.Fatal("query succeeded with PostgreSQL down")
	}
	if err := pg.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for st.Ping(ctx) != nil {
		if time.Now().After(deadline) {
			t.Fatal("the pool did not reconnect within 30s of PostgreSQL's restart")
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Dead connections are gone: every query now succeeds.
	for i := range 20 {
		var n int
		if err := st.Pool.QueryRow(ctx, `SELECT $1::int`, i).Scan(&n); err != nil || n != i {
			t.Fatalf("query %d after restart: %v", i, err)
		}
	}
}

// Open waits for a server that is still starting instead of failing.
func TestOpenWaitsForPostgres(t *testing.T) {
	ctx := context.Background()
	pg := privatePostgres(t)
	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	restarted := make(chan error, 1)
	go func() {
		time.Sleep(time.Second)
		restarted <- pg.Restart(ctx)
	}()
	o := store.DefaultOptions
	o.ConnectWait = time.Minute
	st, err := store.OpenWith(ctx, pg.URL, o)
	if rerr := <-restarted; rerr != nil {
		t.Fatal(rerr)
	}
	if err != nil {
		t.Fatalf("Open gave up on a starting server: %v", err)
	}
	st.Close()
}

// The session limits turn a wait on a lock, a runaway statement and an
// abandoned transaction into errors instead of connections held forever.
func TestSessionTimeouts(t *testing.T) {
	ctx := context.Background()
	pg := privatePostgres(t)
	o := store.DefaultOptions
	o.LockTimeout, o.StatementTimeout, o.IdleInTransactionSessionTimeout = 300*time.Millisecond, 2*time.Second, time.Second
	st, err := store.OpenWith(ctx, pg.URL, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	if _, err := st.Pool.Exec(ctx, `CREATE TABLE held (id int PRIMARY KEY, n int); INSERT INTO held VALUES (1, 0)`); err != nil {
		t.Fatal(err)
	}
	// Without the limits each of these waits for the test's own deadline.
	tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()

	holder, err := pgx.Connect(ctx, pg.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := holder.Close(ctx); err != nil {
			t.Error(err)
		}
	}()
	tx, err := holder.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `SELECT * FROM held WHERE id = 1 FOR UPDATE`); err != nil {
		t.Fatal(err)
	}
	_, err = st.Pool.Exec(tctx, `UPDATE held SET n = n + 1 WHERE id = 1`)
	if pgCode(err) != "55P03" { // lock_not_available
		t.Errorf("update behind a held row lock: %v, want lock_timeout (55P03)", err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}

	_, err = st.Pool.Exec(tctx, `SELECT pg_sleep(60)`)
	if pgCode(err) != "57014" { // query_canceled
		t.Errorf("a minute-long statement: %v, want statement_timeout (57014)", err)
	}

	conn, err := st.Pool.Acquire(tctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	idle, err := conn.Begin(tctx)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second) // the transaction sits idle past its limit
	if _, err := idle.Exec(tctx, `SELECT 1`); err == nil {
		t.Error("a transaction left idle past idle_in_transaction_session_timeout still ran")
	}
	_ = idle.Rollback(ctx) // its connection is gone
	if err := st.Ping(tctx); err != nil {
		t.Errorf("pool after its connection was terminated: %v", err)
	}
}

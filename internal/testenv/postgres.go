package testenv

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/carepath/carepath/store"
)

var (
	mu       sync.Mutex
	migrated = map[string]bool{}
	// templateDB is a migrated database new ones are copied from.
	templateDB string
	databases  int
)

// Pool returns a pool on the test database with migrations applied.
func Pool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	s := Get(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pool, err := pgxpool.New(ctx, s.DatabaseURL)
	if err != nil {
		t.Fatalf("testenv: connect: %v", err)
	}
	t.Cleanup(pool.Close)
	mu.Lock()
	defer mu.Unlock()
	if !migrated[s.DatabaseURL] {
		if _, err := store.Migrate(ctx, pool); err != nil {
			t.Fatalf("testenv: migrate: %v", err)
		}
		migrated[s.DatabaseURL] = true
	}
	return pool
}

// Tx returns a transaction rolled back when the test ends, so tests sharing
// one database never see each other's rows.
func Tx(t testing.TB) pgx.Tx {
	t.Helper()
	pool := Pool(t)
	tx, err := pool.Begin(context.Background())
	if err != nil {
		t.Fatalf("testenv: begin: %v", err)
	}
	t.Cleanup(func() {
		if err := tx.Rollback(context.Background()); err != nil && err != pgx.ErrTxClosed {
			t.Errorf("testenv: rollback: %v", err)
		}
	})
	return tx
}

// Database creates a fresh, migrated database on the shared cluster for one
// test (a program under test that commits, so Tx cannot isolate it) and
// returns its URL; it is dropped when the test ends. Copying a migrated
// template takes a fraction of a second, against seconds for a cluster.
func Database(t testing.TB) string {
	t.Helper()
	s := Get(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	mu.Lock()
	defer mu.Unlock()
	admin, err := pgx.Connect(ctx, s.DatabaseURL)
	if err != nil {
		t.Fatalf("testenv: connect: %v", err)
	}
	defer closeConn(t, admin)
	if templateDB == "" {
		if err := makeTemplate(ctx, admin, s.DatabaseURL, "carepath_template"); err != nil {
			t.Fatalf("testenv: template database: %v", err)
		}
		templateDB = "carepath_template"
	}
	databases++
	name := fmt.Sprintf("carepath_t%d", databases)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+templateDB); err != nil {
		t.Fatalf("testenv: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, s.DatabaseURL)
		if err != nil {
			t.Errorf("testenv: connect to drop %s: %v", name, err)
			return
		}
		defer closeConn(t, c)
		if _, err := c.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("testenv: drop database %s: %v", name, err)
		}
	})
	u, err := withDatabase(s.DatabaseURL, name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// makeTemplate creates and migrates the database the others are copied
// from; its pool is closed, since PostgreSQL copies only an idle template.
func makeTemplate(ctx context.Context, admin *pgx.Conn, baseURL, name string) error {
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return err
	}
	u, err := withDatabase(baseURL, name)
	if err != nil {
		return err
	}
	pool, err := pgxpool.New(ctx, u)
	if err != nil {
		return err
	}
	defer pool.Close()
	if _, err := store.Migrate(ctx, pool); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// withDatabase returns the PostgreSQL URL u pointing at database name.
func withDatabase(u, name string) (string, error) {
	p, err := url.Parse(u)
	if err != nil {
		return "", fmt.Errorf("testenv: database URL: %w", err)
	}
	p.Path = "/" + name
	return p.String(), nil
}

// closeConn closes an administrative connection, reporting a failure.
func closeConn(t testing.TB, c *pgx.Conn) {
	if err := c.Close(context.Background()); err != nil {
		t.Errorf("testenv: close connection: %v", err)
	}
}

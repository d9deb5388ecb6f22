// Package testenv starts the real services integration tests run against:
// a private PostgreSQL cluster and a Temporal dev server, once per test
// binary, from the same code `carepath dev` uses. A service that cannot be
// started fails the whole package loudly; nothing is skipped.
package testenv

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/carepath/carepath/internal/embedded"
	"github.com/carepath/carepath/store"
)

// Services is what Main started.
type Services struct {
	DatabaseURL     string
	TemporalAddress string
	Dir             string
}

var current *Services

// Needs says which services a package's tests use.
type Needs struct {
	Postgres bool
	Temporal bool
}

// Main starts the services, runs the tests and stops the services. Use it
// from TestMain: os.Exit(testenv.Main(m, testenv.Needs{Postgres: true})).
func Main(m *testing.M, needs Needs) int {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "carepath-test-*")
	if err != nil {
		fmt.Fprintln(os.Stderr, "testenv:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	s := &Services{Dir: dir}
	var stops []func() error
	defer func() {
		for i := len(stops) - 1; i >= 0; i-- {
			if err := stops[i](); err != nil {
				fmt.Fprintln(os.Stderr, "testenv: stop:", err)
			}
		}
	}()
	if needs.Postgres {
		pg, err := embedded.StartPostgres(ctx, embedded.PostgresOptions{
			Dir: filepath.Join(dir, "postgres"), Database: "carepath_test", Ephemeral: true,
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, "testenv: PostgreSQL could not be started:", err)
			return 1
		}
		stops = append(stops, pg.Stop)
		s.DatabaseURL = pg.URL
	}
	if needs.Temporal {
		bin, err := TemporalBin()
		if err != nil {
			fmt.Fprintln(os.Stderr, "testenv:", err)
			return 1
		}
		t, err := embedded.StartTemporal(ctx, embedded.TemporalOptions{
			Bin: bin, DBFile: filepath.Join(dir, "temporal.db"), UIPort: -1,
			Namespace: "default", LogPath: filepath.Join(dir, "temporal.log"),
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, "testenv: Temporal dev server could not be started:", err)
			return 1
		}
		stops = append(stops, t.Stop)
		s.TemporalAddress = t.Address
	}
	current = s
	return m.Run()
}

// Get returns the running services; it fails the test if Main was not used.
func Get(t testing.TB) *Services {
	t.Helper()
	if current == nil {
		t.Fatal("testenv: services not started; call testenv.Main from TestMain")
	}
	return current
}

// ModuleRoot finds the directory holding go.mod.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// TemporalBin finds the temporal CLI for tests: CAREPATH_TEMPORAL_BIN, PATH,
// or <module root>/bin/temporal (built by `make bin/temporal`).
func TemporalBin() (string, error) {
	if p := os.Getenv("CAREPATH_TEMPORAL_BIN"); p != "" {
		return embedded.FindTemporal(p)
	}
	if p, err := embedded.FindTemporal(""); err == nil {
		return p, nil
	}
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	return embedded.FindTemporal(filepath.Join(root, "bin", "temporal"))
}

var migrated = map[string]bool{}

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

// ZoneAt returns a fixed-offset IANA zone (Etc/GMT±N) where the local hour
// is now the given one, so tests that depend on the patient's time of day
// behave the same whenever they run.
func ZoneAt(localHour int) string {
	n := time.Now().UTC().Hour() - localHour // Etc/GMT+N is UTC−N
	for n > 12 {
		n -= 24
	}
	for n < -14 {
		n += 24
	}
	switch {
	case n > 0:
		return fmt.Sprintf("Etc/GMT+%d", n)
	case n < 0:
		return fmt.Sprintf("Etc/GMT%d", n)
	}
	return "Etc/GMT"
}

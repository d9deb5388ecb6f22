// Package testenv starts the real services integration tests run against:
// a private PostgreSQL cluster and a Temporal dev server, once per test
// binary, from the same code `carepath dev` uses. A service that cannot be
// started fails the whole package loudly; nothing is skipped.
//
// The one exception is -short (`make test-unit`): Main starts nothing and
// every test that needs a service skips itself, so the unit tier runs with
// no PostgreSQL, no Temporal and a warm test cache.
package testenv

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/carepath/carepath/internal/embedded"
)

// Services is what Main started.
type Services struct {
	DatabaseURL     string
	TemporalAddress string
	// Dir holds the services' files: postgres/, temporal.db (and its WAL)
	// and temporal.log.
	Dir string
}

var current *Services

// Needs says which services a package's tests use.
type Needs struct {
	Postgres bool
	Temporal bool
}

const skipReason = "needs PostgreSQL/Temporal: run make test"

// SkipShort skips, under -short, a test that needs a service (shared or
// its own).
func SkipShort(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip(skipReason)
	}
}

// Main starts the services, runs the tests and stops the services. Use it
// from TestMain: os.Exit(testenv.Main(m, testenv.Needs{Postgres: true})).
// Under -short it starts nothing.
func Main(m *testing.M, needs Needs) int {
	// testing.Short needs the flags; TestMain runs before m.Run parses them.
	flag.Parse()
	if testing.Short() {
		return m.Run()
	}
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "carepath-test-*")
	if err != nil {
		fmt.Fprintln(os.Stderr, "testenv:", err)
		return 1
	}
	defer func() {
		if err := os.RemoveAll(dir); err != nil {
			fmt.Fprintln(os.Stderr, "testenv: remove the services' files:", err)
		}
	}()
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

// Get returns the running services. Under -short it skips the test; it
// fails the test if Main was not used.
func Get(t testing.TB) *Services {
	t.Helper()
	SkipShort(t)
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

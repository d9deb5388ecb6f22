package main

import (
	"fmt"
	"os"
	"testing"

	"github.com/carepath/carepath/internal/testenv"
)

// The end-to-end tests start their own PostgreSQL and Temporal through
// `carepath dev`; the command tests (audit verify) use a test PostgreSQL.
// A missing temporal CLI fails the package loudly rather than skipping.
func TestMain(m *testing.M) {
	if _, err := testenv.TemporalBin(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e tests need the temporal CLI:", err)
		os.Exit(1)
	}
	os.Exit(testenv.Main(m, testenv.Needs{Postgres: true}))
}

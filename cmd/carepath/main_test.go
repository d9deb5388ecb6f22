package main

import (
	"os"
	"testing"

	"github.com/carepath/carepath/internal/testenv"
)

// One PostgreSQL cluster and one Temporal dev server serve the whole
// package: each end-to-end test runs `carepath dev` against them in a
// database and a namespace of its own (startDevWith); the recovery tests,
// which crash their services, start private ones. A missing temporal CLI
// fails the package loudly rather than skipping. Under -short nothing is
// started and only the tests needing no service run.
func TestMain(m *testing.M) {
	os.Exit(testenv.Main(m, testenv.Needs{Postgres: true, Temporal: true}))
}

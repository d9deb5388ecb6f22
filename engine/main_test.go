package engine

import (
	"os"
	"testing"

	"github.com/carepath/carepath/internal/testenv"
)

// Tests that touch the database or Temporal use the real services,
// started once for the package.
func TestMain(m *testing.M) {
	os.Exit(testenv.Main(m, testenv.Needs{Postgres: true, Temporal: true}))
}

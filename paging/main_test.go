package paging

import (
	"os"
	"testing"

	"github.com/carepath/carepath/internal/testenv"
)

// The runner's tests use a real PostgreSQL, started once for the package.
func TestMain(m *testing.M) {
	os.Exit(testenv.Main(m, testenv.Needs{Postgres: true}))
}

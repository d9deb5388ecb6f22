package chaos

import (
	"testing"

	"github.com/carepath/carepath/internal/tcluster"
)

// TestClusterShort runs in `make test` (beside TestChaosShort): every
// journey finishes with no duplicate and no lost message across a real
// Temporal cluster and a fleet of carepath processes while a worker, an
// api and Temporal's history service are killed and restarted.
func TestClusterShort(t *testing.T) {
	if *full {
		t.Skip("the full run is TestChaosFull")
	}
	if testing.Short() {
		t.Skip("-short: the cluster test starts a Temporal cluster and seven carepath processes (make test runs it)")
	}
	if _, _, err := tcluster.Bins(); err != nil {
		t.Fatalf("the Temporal server binaries are missing: %v (make test builds them)", err)
	}
	res := runChaos(t, ClusterShort)
	if res.Faults.APIKills < ClusterShort.APIKills {
		t.Fatalf("no carepath api was killed: %+v", res.Faults)
	}
}

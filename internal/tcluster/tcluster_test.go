package tcluster

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
)

// TestClusterKillRestart starts the cluster, starts a workflow, kills and
// restarts the history service, and finds the workflow still there and a
// new one accepted.
func TestClusterKillRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: starts PostgreSQL and four Temporal processes")
	}
	if _, _, err := Bins(); err != nil {
		t.Fatalf("%v (make test builds them)", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dir := t.TempDir()
	c, err := Start(ctx, Options{Dir: dir, Namespace: "tcluster-test", Log: t.Logf})
	if err != nil {
		logs, _ := filepath.Glob(filepath.Join(dir, "*.log"))
		for _, l := range logs {
			b, _ := os.ReadFile(l) // shown to explain the failure: a read error leaves it out
			t.Logf("%s:\n%s", l, tail(string(b), 3000))
		}
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Stop(); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	tc, err := client.Dial(client.Options{HostPort: c.Address, Namespace: c.Namespace, Logger: quietLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	start := func(id string) {
		t.Helper()
		// No worker polls the queue: the workflow stays running.
		if _, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: "tcluster-test"}, "NoSuchWorkflow"); err != nil {
			t.Fatalf("start %s: %v", id, err)
		}
	}
	start("before")
	if err := c.Kill(History); err != nil {
		t.Fatal(err)
	}
	if c.PID(History) != 0 {
		t.Fatal("history still has a PID after Kill")
	}
	if err := c.Restart(ctx, History); err != nil {
		t.Fatal(err)
	}
	start("after")
	for _, id := range []string{"before", "after"} {
		d, err := tc.DescribeWorkflowExecution(ctx, id, "")
		if err != nil {
			t.Fatalf("describe %s: %v", id, err)
		}
		if st := d.GetWorkflowExecutionInfo().GetStatus(); st != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			t.Errorf("%s: status %v, want running", id, st)
		}
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"go.temporal.io/sdk/client"
)

// TestRolloutRunbook runs docs/operations.md's steps with two builds of
// carepath in one deployment: build-a (a versioned `dev`, which makes its
// own build current) and build-b (a `carepath worker` started beside it).
// It checks what the runbook promises: a journey started on A stays on A
// after B is current, and A's workers still serve it; new journeys go to
// the current build; a ramp splits new journeys between the two; a
// rollback sends new journeys back to A; and drain-status reports A
// drained only once nothing is pinned to it.
func TestRolloutRunbook(t *testing.T) {
	in := startDevWith(t, map[string]string{"CAREPATH_WORKER_DEPLOYMENT": "carepath", "CAREPATH_BUILD_ID": "build-a"})
	c := in.temporalClient()

	// A journey on build A, waiting for its answer.
	phoneA, onA := in.enrollWaiting()
	if b, pinned := waitBuild(t, c, onA); b != "build-a" || !pinned {
		t.Fatalf("first journey on %q (pinned %v), want pinned to build-a", b, pinned)
	}

	// Roll out: B's workers start, B replays the live histories, then takes
	// a share of new journeys.
	in.startWorkerProcess(map[string]string{"CAREPATH_BUILD_ID": "build-b"})
	eventually(t, "build-b's workers seen by the server", func() bool {
		out, err := in.carepath("deploy", "status")
		return err == nil && strings.Contains(out, "build build-b")
	})
	if out, err := in.carepath("verify-replay"); err != nil {
		t.Fatalf("verify-replay before the ramp: %v\n%s", err, out)
	}
	// The server refuses the ramp until B's workers poll every task queue
	// A's do (a few seconds after they start): the runbook says to retry.
	eventually(t, "the ramp to build-b accepted", func() bool {
		_, err := in.carepath("deploy", "ramp", "-build", "build-b", "-percent", "50")
		return err == nil
	})
	if out, err := in.carepath("deploy", "status"); err != nil || !strings.Contains(out, "ramping: build-b at 50%") {
		t.Fatalf("status after the ramp: %v\n%s", err, out)
	}
	ramped := map[string][]string{}
	for range 20 {
		_, id := in.enrollWaiting()
		b, pinned := waitBuild(t, c, id)
		if !pinned {
			t.Fatalf("%s not pinned", id)
		}
		ramped[b] = append(ramped[b], id)
	}
	fmt.Printf("ramp at 50%%: %d journeys on build-a, %d on build-b\n", len(ramped["build-a"]), len(ramped["build-b"]))
	if len(ramped["build-a"]) == 0 || len(ramped["build-b"]) == 0 || len(ramped) != 2 {
		out, _ := in.carepath("deploy", "status")
		t.Fatalf("a 50%% ramp did not split 20 new journeys between the builds: %v\n%s", ramped, out)
	}

	// Set current: new journeys go to B, A's stay on A and A still serves them.
	if out, err := in.carepath("deploy", "set-current", "-build", "build-b"); err != nil {
		t.Fatalf("set-current build-b: %v\n%s", err, out)
	}
	if _, id := in.enrollWaiting(); mustBuild(t, c, id) != "build-b" {
		t.Fatal("a journey started after build-b became current is not on build-b")
	}
	if out, err := in.carepath("deploy", "drain-status", "-build", "build-a"); err == nil || !strings.Contains(out, "draining") {
		t.Fatalf("drain-status of build-a with journeys pinned to it: %v\n%s", err, out)
	}
	eventually(t, "the first journey's question", func() bool { return len(in.twilio.To(phoneA)) >= 1 })
	if st := in.sms(testAuthToken, "SMrollout1", phoneA, "3"); st != http.StatusOK {
		t.Fatalf("reply: %d", st)
	}
	eventually(t, "the first journey finishing on build-a", func() bool {
		d, err := c.DescribeWorkflowExecution(context.Background(), onA, "")
		return err == nil && d.GetWorkflowExecutionInfo().GetCloseTime() != nil
	})
	if b := mustBuild(t, c, onA); b != "build-a" {
		t.Fatalf("the journey started on build-a finished on %q", b)
	}

	// Roll back: new journeys go to A again; B's stay on B.
	if out, err := in.carepath("deploy", "set-current", "-build", "build-a"); err != nil {
		t.Fatalf("roll back to build-a: %v\n%s", err, out)
	}
	if _, id := in.enrollWaiting(); mustBuild(t, c, id) != "build-a" {
		t.Fatal("a journey started after the rollback is not on build-a")
	}
	for _, id := range ramped["build-b"] {
		if b := mustBuild(t, c, id); b != "build-b" {
			t.Fatalf("%s moved from build-b to %s on rollback", id, b)
		}
	}

	// Roll forward and drain A: once its journeys end (cancelled here; in
	// production they finish), drain-status says its workers may stop.
	if out, err := in.carepath("deploy", "set-current", "-build", "build-b"); err != nil {
		t.Fatalf("set-current build-b again: %v\n%s", err, out)
	}
	open, err := c.ListWorkflow(context.Background(), listRequest(in.namespace,
		"TemporalWorkerDeploymentVersion = 'carepath:build-a' AND ExecutionStatus = 'Running'"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range open.GetExecutions() {
		if e.GetType().GetName() != "post_visit_checkin" {
			continue
		}
		eid := strings.TrimPrefix(e.GetExecution().GetWorkflowId(), "enrollment-")
		if st := in.call("POST", "/v1/enrollments/"+eid+"/cancel", item{}, nil); st != http.StatusAccepted {
			t.Fatalf("cancel %s: %d", eid, st)
		}
	}
	eventually(t, "build-a drained", func() bool {
		_, err := in.carepath("deploy", "drain-status", "-build", "build-a")
		return err == nil
	})
	out, _ := in.carepath("deploy", "drain-status", "-build", "build-a")
	fmt.Print(out)
	if !strings.Contains(out, "drained") {
		t.Fatalf("drain-status: %s", out)
	}
}

// mustBuild is the build a workflow is on, failing the test if it has none.
func mustBuild(t *testing.T, c client.Client, workflowID string) string {
	t.Helper()
	b, _ := waitBuild(t, c, workflowID)
	return b
}

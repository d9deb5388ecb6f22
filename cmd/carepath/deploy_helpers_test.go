package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/workflows"
)

// cmdEnv is the instance's environment with the key file `dev` generated,
// so other commands (worker, deploy, verify-replay) share its codec.
func (in *instance) cmdEnv(extra map[string]string) func(string) string {
	env := map[string]string{"CAREPATH_ENCRYPTION_KEY_FILE": filepath.Join(in.dataDir, devKeyFile)}
	for k, v := range in.env {
		env[k] = v
	}
	for k, v := range extra {
		env[k] = v
	}
	return func(k string) string { return env[k] }
}

// carepath runs one carepath command against the instance and returns what
// it printed and the error it ended with.
func (in *instance) carepath(args ...string) (string, error) {
	in.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out bytes.Buffer
	err := run(ctx, args, in.cmdEnv(nil), &out, io.Discard)
	return out.String(), err
}

// startWorkerProcess runs `carepath worker` with extra environment (its
// build ID) beside the instance, until the test ends.
func (in *instance) startWorkerProcess(extra map[string]string) {
	t := in.t
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	getenv := in.cmdEnv(extra)
	go func() { done <- run(ctx, []string{"worker"}, getenv, io.Discard, os.Stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("carepath worker ended with an error: %v", err)
			}
		case <-time.After(60 * time.Second):
			t.Error("carepath worker did not stop within 60s of cancellation")
		}
	})
}

// temporalClient is a plain client of the instance's namespace, for
// describing workflows (no payloads are read through it).
func (in *instance) temporalClient() client.Client {
	in.t.Helper()
	c, err := client.Dial(client.Options{HostPort: in.temporal, Namespace: in.namespace})
	if err != nil {
		in.t.Fatal(err)
	}
	in.t.Cleanup(c.Close)
	return c
}

var deployPatients atomic.Int64

// enrollWaiting enrolls a new patient in a post-visit check-in that asks at
// once and then waits for the answer; it returns the patient's phone and
// the journey's workflow ID.
func (in *instance) enrollWaiting() (phone, workflowID string) {
	in.t.Helper()
	phone = fmt.Sprintf("+1555888%04d", deployPatients.Add(1))
	var p, e item
	if st := in.call("POST", "/v1/patients", item{"given_name": "Deploy", "family_name": "Test", "birth_date": "1970-01-01",
		"phone": phone, "timezone": testenv.ZoneAt(12)}, &p); st != http.StatusCreated {
		in.t.Fatalf("create patient: %d", st)
	}
	if st := in.call("POST", "/v1/patients/"+p["id"].(string)+"/enrollments",
		item{"journey": "post_visit_checkin", "params": item{"delay": "0s"}}, &e); st != http.StatusCreated {
		in.t.Fatalf("enroll: %d", st)
	}
	return phone, workflows.WorkflowID(e["id"].(string))
}

// buildOfWorkflow is the build a workflow's last task ran on, and whether
// it is pinned there; "" until its first task completed.
func buildOfWorkflow(t *testing.T, c client.Client, workflowID string) (build string, pinned bool) {
	t.Helper()
	d, err := c.DescribeWorkflowExecution(context.Background(), workflowID, "")
	if err != nil {
		t.Fatalf("describe %s: %v", workflowID, err)
	}
	vi := d.GetWorkflowExecutionInfo().GetVersioningInfo()
	return vi.GetDeploymentVersion().GetBuildId(), vi.GetBehavior() == enumspb.VERSIONING_BEHAVIOR_PINNED
}

// waitBuild waits until the workflow's first task has run and returns its build.
func waitBuild(t *testing.T, c client.Client, workflowID string) (build string, pinned bool) {
	t.Helper()
	eventually(t, workflowID+" on a build", func() bool {
		build, pinned = buildOfWorkflow(t, c, workflowID)
		return build != ""
	})
	return build, pinned
}

// listRequest lists up to 1,000 workflows of namespace matching query.
func listRequest(namespace, query string) *workflowservice.ListWorkflowExecutionsRequest {
	return &workflowservice.ListWorkflowExecutionsRequest{Namespace: namespace, PageSize: 1000, Query: query}
}

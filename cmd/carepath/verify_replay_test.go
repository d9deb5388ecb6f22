package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/worker"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/internal/config"
	"github.com/carepath/carepath/journeys"
	"github.com/carepath/carepath/telemetry"
	"github.com/carepath/carepath/workflows"
)

// TestVerifyReplay runs journeys on a live namespace, then replays their
// histories (through the codec) against this build: every run replays.
// Against a build whose post-visit check-in no longer does what it did,
// the same histories fail, and the report names exactly those workflows.
func TestVerifyReplay(t *testing.T) {
	in := startDev(t)
	phone, done := in.enrollWaiting()
	phone2, waiting := in.enrollWaiting()
	eventually(t, "the question", func() bool { return len(in.twilio.To(phone)) >= 1 })
	if st := in.sms(testAuthToken, "SMreplay1", phone, "3"); st != http.StatusOK {
		t.Fatalf("reply: %d", st)
	}
	c := in.temporalClient()
	eventually(t, "the answered journey finishing", func() bool {
		d, err := c.DescribeWorkflowExecution(context.Background(), done, "")
		return err == nil && d.GetWorkflowExecutionInfo().GetCloseTime() != nil
	})
	// Its question went out: there is history to replay, mid-journey.
	eventually(t, "the second question", func() bool { return len(in.twilio.To(phone2)) >= 1 })

	out, err := in.carepath("verify-replay")
	fmt.Print(out)
	if err != nil {
		t.Fatalf("verify-replay on the build that wrote the histories: %v", err)
	}
	var runs, failedRuns int
	if _, err := fmt.Sscanf(out, "verify-replay: %d run(s) replayed, %d failed", &runs, &failedRuns); err != nil || runs < 2 || failedRuns != 0 {
		t.Fatalf("expected at least the two journeys replayed and none failed (%v): %s", err, out)
	}

	// The incompatible build: post_visit_checkin escalates at once instead
	// of asking (a change made without workflow.GetVersion).
	altered := *journeys.PostVisitCheckin
	altered.Run = func(j *workflows.J, p journeys.PostVisitParams) (string, error) {
		j.Escalate(workflows.Task{Priority: carepath.PriorityLow, Reason: "changed"})
		return journeys.OutcomeNoResponse, nil
	}
	defs := journeys.All()
	for i, d := range defs {
		if d.JourneyName() == altered.Name {
			defs[i] = &altered
		}
	}
	reg, err := workflows.NewRegistry(defs...)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.FromEnv(in.cmdEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	keys, err := loadKeys(cfg)
	if err != nil {
		t.Fatal(err)
	}
	metrics, err := telemetry.New()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	tc, err := dialTemporal(context.Background(), cfg, log, metrics)
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	rep, err := verifyReplay(context.Background(), tc, in.namespace, keys, func(r worker.WorkflowRegistry) { reg.RegisterWorkflows(r) },
		replayOptions{Since: 72 * time.Hour, Limit: 1000}, log)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	err = printReplayReport(&b, rep)
	fmt.Print(b.String())
	if err == nil {
		t.Fatal("histories of the post-visit check-in replayed on a build that changed it")
	}
	failed := map[string]bool{}
	for _, f := range rep.Failed {
		failed[f.WorkflowID] = true
	}
	if !failed[done] || !failed[waiting] || len(failed) != 2 {
		t.Fatalf("failed runs %v, want exactly %s and %s", failed, done, waiting)
	}
	for _, id := range []string{done, waiting} {
		if !strings.Contains(err.Error(), id) {
			t.Fatalf("the error does not name %s: %v", id, err)
		}
	}
}

package journeys_test

import (
	"path/filepath"
	"strings"
	"testing"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/codec"
	"github.com/carepath/carepath/journeys"
	"github.com/carepath/carepath/workflows"
)

// newReplayer replays with the product's converters and the test-only key
// the histories were recorded with (make record-histories).
func newReplayer(t *testing.T) worker.WorkflowReplayer {
	t.Helper()
	keys, err := codec.LoadKeyFile(filepath.Join("testdata", "histories", "test.keys"))
	if err != nil {
		t.Fatal(err)
	}
	dc, fc := codec.Converters(keys)
	r, err := worker.NewWorkflowReplayerWithOptions(worker.WorkflowReplayerOptions{DataConverter: dc, FailureConverter: fc})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func histories(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "histories", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no recorded histories (%v)", err)
	}
	return files
}

// TestReplayRecordedHistories replays every recorded journey history with
// today's code: a change to a running journey's sequence of steps that is
// not behind workflow.GetVersion fails here.
func TestReplayRecordedHistories(t *testing.T) {
	reg, err := journeys.Registry()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range histories(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := newReplayer(t)
			reg.RegisterWorkflows(r)
			if err := r.ReplayWorkflowHistoryFromJSONFile(nil, f); err != nil {
				t.Fatalf("replay: %v", err)
			}
		})
	}
}

// TestReplayCatchesUnversionedChange proves the replay test has teeth: a
// post-visit check-in that no longer waits before asking must not replay.
func TestReplayCatchesUnversionedChange(t *testing.T) {
	altered := *journeys.PostVisitCheckin
	altered.Run = func(j *workflows.J, p journeys.PostVisitParams) (string, error) {
		j.Escalate(workflows.Task{Priority: carepath.PriorityLow, Reason: "changed"})
		return journeys.OutcomeNoResponse, nil
	}
	for _, f := range histories(t) {
		if !strings.Contains(f, "worse") {
			continue
		}
		r := newReplayer(t)
		r.RegisterWorkflowWithOptions(altered.WorkflowFunc(), workflow.RegisterOptions{Name: altered.Name})
		if err := r.ReplayWorkflowHistoryFromJSONFile(nil, f); err == nil {
			t.Fatal("an altered journey replayed a recorded history without error")
		}
		return
	}
	t.Fatal("no worse-branch history to test with")
}

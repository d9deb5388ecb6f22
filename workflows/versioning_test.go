package workflows

import (
	"errors"
	"testing"

	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

// recordingRegistry keeps the options each workflow was registered with.
type recordingRegistry struct {
	opts map[string]workflow.RegisterOptions
}

func (r *recordingRegistry) RegisterWorkflow(any) { panic("carepath registers every workflow by name") }
func (r *recordingRegistry) RegisterWorkflowWithOptions(_ any, o workflow.RegisterOptions) {
	r.opts[o.Name] = o
}
func (r *recordingRegistry) RegisterDynamicWorkflow(any, workflow.DynamicRegisterOptions) {
	panic("carepath registers no dynamic workflow")
}

// Every workflow is pinned except the never-ending task sweeper, which
// would otherwise keep its first build's workers needed for ever.
func TestVersioningBehaviors(t *testing.T) {
	reg, err := NewRegistry(&Journey[struct{}]{Name: "j", Version: 1,
		Run: func(*J, struct{}) (string, error) { return "", nil }})
	if err != nil {
		t.Fatal(err)
	}
	r := &recordingRegistry{opts: map[string]workflow.RegisterOptions{}}
	reg.RegisterWorkflows(r)
	if len(r.opts) < 2 {
		t.Fatalf("registered %v", r.opts)
	}
	for name, o := range r.opts {
		want := workflow.VersioningBehaviorPinned
		if name == TaskSweeperWorkflow {
			want = workflow.VersioningBehaviorAutoUpgrade
		}
		if o.VersioningBehavior != want {
			t.Errorf("%s: behavior %v, want %v", name, o.VersioningBehavior, want)
		}
	}
}

// A journey that continues as new asks for its next run to start on the
// deployment's current build (upgrade on continue-as-new).
func TestContinueJourneyUpgrades(t *testing.T) {
	var ts testsuite.WorkflowTestSuite
	env := ts.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(func(ctx workflow.Context) error {
		return continueJourney(ctx, "next", "carried")
	}, workflow.RegisterOptions{Name: "next"})
	env.ExecuteWorkflow("next")
	var can *workflow.ContinueAsNewError
	if !errors.As(env.GetWorkflowError(), &can) {
		t.Fatalf("want continue-as-new, got %v", env.GetWorkflowError())
	}
	if can.InitialVersioningBehavior != workflow.ContinueAsNewVersioningBehaviorAutoUpgrade {
		t.Fatalf("next run's initial behavior %v, want auto-upgrade", can.InitialVersioningBehavior)
	}
}

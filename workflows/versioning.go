package workflows

import (
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Worker Versioning (docs/operations.md): which build a workflow runs on
// when the workers poll as a deployment version. Unversioned workers
// ignore all of this.
//
// Every workflow is pinned to the build it started on, so a new build's
// code never meets a history an older build wrote, except the task
// sweeper: it runs for ever, one per namespace, and pinned it would keep
// its first build's workers needed for ever. It moves to the current build
// at its next task; a change to it still needs workflow.GetVersion.
func versioningBehavior(name string) workflow.VersioningBehavior {
	if name == TaskSweeperWorkflow {
		return workflow.VersioningBehaviorAutoUpgrade
	}
	return workflow.VersioningBehaviorPinned
}

// versioned registers each workflow with its versioning behavior.
type versioned struct{ worker.WorkflowRegistry }

func (v versioned) RegisterWorkflowWithOptions(w any, o workflow.RegisterOptions) {
	if o.VersioningBehavior == workflow.VersioningBehaviorUnspecified {
		o.VersioningBehavior = versioningBehavior(o.Name)
	}
	v.WorkflowRegistry.RegisterWorkflowWithOptions(w, o)
}

// continueJourney ends a journey's run and starts the next with in. The
// next run's first task goes to the deployment's current (or ramping)
// build, and the run is pinned there: a year-long journey moves to new
// code where it carries only its state, never mid-history. Temporal
// servers before upgrade-on-continue-as-new (the dev server and 1.29.1
// among them) ignore the option: the next run stays pinned to the same
// build (docs/operations.md, "Long-lived journeys").
func continueJourney(ctx workflow.Context, name string, in any) error {
	return workflow.NewContinueAsNewErrorWithOptions(ctx,
		workflow.ContinueAsNewErrorOptions{InitialVersioningBehavior: workflow.ContinueAsNewVersioningBehaviorAutoUpgrade},
		name, in)
}

package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/carepath/carepath/internal/config"
)

// deploymentOptions are the workers' Worker Versioning settings: unversioned
// unless CAREPATH_WORKER_DEPLOYMENT is set. Workflows say whether they are
// pinned or auto-upgrade when registered (workflows/versioning.go); Pinned
// is the default for any that does not.
func deploymentOptions(d config.Deployment) sdkworker.DeploymentOptions {
	if !d.Enabled() {
		return sdkworker.DeploymentOptions{}
	}
	return sdkworker.DeploymentOptions{
		UseVersioning:             true,
		Version:                   sdkworker.WorkerDeploymentVersion{DeploymentName: d.Name, BuildID: d.BuildID},
		DefaultVersioningBehavior: workflow.VersioningBehaviorPinned,
	}
}

// makeCurrent makes this process's build the deployment's current version,
// waiting for the server to have seen its workers poll (a version exists
// from its first poll). `dev` does this at start when versioned: it is the
// only worker, so nothing would run otherwise. `worker` never does: an
// operator does it (carepath deploy set-current, docs/operations.md).
func makeCurrent(ctx context.Context, c client.Client, d config.Deployment, log *slog.Logger) error {
	if !d.Enabled() {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	h := c.WorkerDeploymentClient().GetHandle(d.Name)
	for {
		_, err := h.SetCurrentVersion(ctx, client.WorkerDeploymentSetCurrentVersionOptions{BuildID: d.BuildID, Identity: "carepath dev"})
		if err == nil {
			log.Info("worker deployment version is current", "version", d.Version())
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("make %s current: %w", d.Version(), err)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// startInterceptors are the Temporal client's interceptors for d. With
// versioned workers, workflows start without eager dispatch: an eager
// start hands the first task to a worker in the starting process, and a
// server before 1.30 (1.29.1, the dev server) does not check that worker's
// build against the current or ramping one, so a worker being rolled out
// (its bulk launches, pages and reconciler start journeys) would pin new
// journeys to itself, and a rollback would not stop it.
func startInterceptors(d config.Deployment) []interceptor.ClientInterceptor {
	if !d.Enabled() {
		return nil
	}
	return []interceptor.ClientInterceptor{&noEagerStart{}}
}

type noEagerStart struct {
	interceptor.ClientInterceptorBase
}

func (*noEagerStart) InterceptClient(next interceptor.ClientOutboundInterceptor) interceptor.ClientOutboundInterceptor {
	return &noEagerStartOut{ClientOutboundInterceptorBase: interceptor.ClientOutboundInterceptorBase{Next: next}}
}

type noEagerStartOut struct {
	interceptor.ClientOutboundInterceptorBase
}

func (o *noEagerStartOut) ExecuteWorkflow(ctx context.Context, in *interceptor.ClientExecuteWorkflowInput) (client.WorkflowRun, error) {
	if in.Options != nil && in.Options.EnableEagerStart {
		opts := *in.Options
		opts.EnableEagerStart = false
		in.Options = &opts
	}
	return o.Next.ExecuteWorkflow(ctx, in)
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/carepath/carepath/internal/config"
)

const deployUsage = `usage: carepath deploy <status | set-current | ramp | drain-status> [flags]

  status                         the deployment's current and ramping builds and every version's drainage
  set-current  [-build ID]       make a build current: new journeys start on it (default: CAREPATH_BUILD_ID)
  ramp -build ID -percent P      send P% of new journeys to a build, the rest to the current one
  ramp -stop                     end the ramp
  drain-status -build ID         whether a build still has journeys pinned to it; exits non-zero until
                                 its workers may be stopped

The deployment is CAREPATH_WORKER_DEPLOYMENT (or -deployment). See docs/operations.md.
`

// runDeploy implements `carepath deploy ...`: the Worker Versioning steps
// of the runbook (docs/operations.md) through the SDK's deployment client,
// with the same Temporal connection settings as every other command.
func runDeploy(ctx context.Context, cfg *config.Config, log *slog.Logger, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(strings.TrimSpace(deployUsage))
	}
	fs := flag.NewFlagSet("deploy "+args[0], flag.ContinueOnError)
	fs.SetOutput(stdout)
	name := fs.String("deployment", cfg.Deployment.Name, "worker deployment name")
	build := fs.String("build", cfg.Deployment.BuildID, "build ID")
	percent := fs.Float64("percent", 0, "ramp: share of new journeys for -build, 0-100")
	stop := fs.Bool("stop", false, "ramp: end the ramp")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *name == "" {
		return errors.New("deploy: no deployment: set CAREPATH_WORKER_DEPLOYMENT or -deployment")
	}
	tc, err := dialTool(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer tc.Close()
	d := deployer{c: tc, namespace: cfg.TemporalNamespace, name: *name, out: stdout}
	switch args[0] {
	case "status":
		return d.status(ctx)
	case "set-current":
		return d.setCurrent(ctx, *build)
	case "ramp":
		if *stop {
			return d.ramp(ctx, "", 0)
		}
		if *build == "" || *percent <= 0 || *percent > 100 {
			return errors.New("deploy ramp: needs -build and -percent above 0 and at most 100 (or -stop)")
		}
		return d.ramp(ctx, *build, float32(*percent))
	case "drain-status":
		if *build == "" {
			return errors.New("deploy drain-status: needs -build")
		}
		return d.drainStatus(ctx, *build)
	}
	return errors.New("deploy: unknown step " + args[0] + "\n" + strings.TrimSpace(deployUsage))
}

// deployer runs the deployment steps against one worker deployment.
type deployer struct {
	c         client.Client
	namespace string
	name      string
	out       io.Writer
}

func (d deployer) handle() client.WorkerDeploymentHandle {
	return d.c.WorkerDeploymentClient().GetHandle(d.name)
}

const deployIdentity = "carepath deploy"

func (d deployer) setCurrent(ctx context.Context, build string) error {
	if build == "" {
		return errors.New("deploy set-current: needs -build (or CAREPATH_BUILD_ID)")
	}
	if _, err := d.handle().SetCurrentVersion(ctx, client.WorkerDeploymentSetCurrentVersionOptions{BuildID: build, Identity: deployIdentity}); err != nil {
		return fmt.Errorf("deploy set-current %s: %w", build, err)
	}
	_, err := fmt.Fprintf(d.out, "%s: current build %s\n", d.name, build)
	return err
}

// ramp sends percent of new workflows (and auto-upgrade ones) to build;
// build "" ends the ramp.
func (d deployer) ramp(ctx context.Context, build string, percent float32) error {
	_, err := d.handle().SetRampingVersion(ctx, client.WorkerDeploymentSetRampingVersionOptions{BuildID: build, Percentage: percent,
		Identity: deployIdentity})
	if err != nil {
		return fmt.Errorf("deploy ramp %s: %w", build, err)
	}
	if build == "" {
		_, err = fmt.Fprintf(d.out, "%s: no ramp\n", d.name)
	} else {
		_, err = fmt.Fprintf(d.out, "%s: ramping %g%% to build %s\n", d.name, percent, build)
	}
	return err
}

func (d deployer) status(ctx context.Context) error {
	r, err := d.handle().Describe(ctx, client.WorkerDeploymentDescribeOptions{})
	if err != nil {
		return fmt.Errorf("deploy status: %w", err)
	}
	rc := r.Info.RoutingConfig
	var b strings.Builder
	fmt.Fprintf(&b, "deployment %s\n  current: %s\n", d.name, buildOf(rc.CurrentVersion))
	if rc.RampingVersion != nil {
		fmt.Fprintf(&b, "  ramping: %s at %g%%\n", buildOf(rc.RampingVersion), rc.RampingVersionPercentage)
	}
	for _, v := range r.Info.VersionSummaries {
		fmt.Fprintf(&b, "  build %s: %s\n", v.Version.BuildID, drainageName(v.DrainageStatus))
	}
	_, err = io.WriteString(d.out, b.String())
	return err
}

// drainStatus says whether build's workers may be stopped: it is neither
// current nor ramping, and no open workflow is pinned to it. The count
// comes from visibility at once; the server's own drainage status (also
// printed) lags by minutes (matching.wv.VersionDrainageStatus*).
func (d deployer) drainStatus(ctx context.Context, build string) error {
	desc, err := d.handle().DescribeVersion(ctx, client.WorkerDeploymentDescribeVersionOptions{BuildID: build})
	if err != nil {
		return fmt.Errorf("deploy drain-status %s: %w", build, err)
	}
	pinned, err := d.pinnedOpen(ctx, build)
	if err != nil {
		return err
	}
	info := desc.Info
	server := "unknown (never current)"
	if info.DrainageInfo != nil {
		server = drainageName(info.DrainageInfo.DrainageStatus) + " (checked " + info.DrainageInfo.LastCheckedTime.UTC().Format(time.RFC3339) + ")"
	}
	routed := ""
	switch {
	case !info.CurrentSinceTime.IsZero():
		routed = "current"
	case !info.RampingSinceTime.IsZero():
		routed = "ramping"
	}
	var verdict string
	switch {
	case routed != "":
		verdict = "in use: it is " + routed
	case pinned > 0:
		verdict = fmt.Sprintf("draining: %d open workflow(s) pinned to it", pinned)
	default:
		verdict = "drained: no open workflow is pinned to it; its workers may be stopped"
	}
	if _, err := fmt.Fprintf(d.out, "%s build %s: %s\n  pinned open workflows: %d\n  server drainage: %s\n",
		d.name, build, verdict, pinned, server); err != nil {
		return fmt.Errorf("print drain status: %w", err)
	}
	if routed != "" || pinned > 0 {
		return fmt.Errorf("build %s is not drained", build)
	}
	return nil
}

// pinnedOpen counts running workflows pinned to build, as the server's own
// drainage check does (a pinned override included).
func (d deployer) pinnedOpen(ctx context.Context, build string) (int64, error) {
	q := fmt.Sprintf("TemporalWorkerDeploymentVersion = '%s:%s' AND TemporalWorkflowVersioningBehavior = 'Pinned' AND ExecutionStatus = 'Running'",
		d.name, build)
	r, err := d.c.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Namespace: d.namespace, Query: q})
	if err != nil {
		return 0, fmt.Errorf("count pinned workflows: %w", err)
	}
	return r.GetCount(), nil
}

func buildOf(v *sdkworker.WorkerDeploymentVersion) string {
	if v == nil {
		return "none (unversioned workers)"
	}
	return v.BuildID
}

func drainageName(s client.WorkerDeploymentVersionDrainageStatus) string {
	switch s {
	case client.WorkerDeploymentVersionDrainageStatusDraining:
		return "draining"
	case client.WorkerDeploymentVersionDrainageStatusDrained:
		return "drained"
	}
	return "active or unknown"
}

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

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/carepath/carepath/codec"
	"github.com/carepath/carepath/internal/config"
	"github.com/carepath/carepath/journeys"
	"github.com/carepath/carepath/workflows"
)

// replayTarget is what a build would run: carepath's workflows registered
// on a replayer (the journey registry's RegisterWorkflows in production, an
// altered registry in the test that proves a failure is caught).
type replayTarget func(sdkworker.WorkflowRegistry)

// replayOptions choose the histories to replay.
type replayOptions struct {
	Since time.Duration // closed runs that ended within it; open runs always
	Limit int           // at most this many runs, newest first
}

// replayReport is what verify-replay found; Failed holds workflow IDs
// (never PHI: they are enrollment-<uuid> and the like) and why.
type replayReport struct {
	Replayed int
	Failed   []replayFailure
}

type replayFailure struct {
	WorkflowID, RunID, Type string
	Err                     error
}

// runVerifyReplay implements `carepath verify-replay`: before a new build
// takes traffic, replay recent histories from the live namespace against
// this build's workflows, decrypting payloads with the codec keys. It exits
// non-zero naming every workflow that does not replay.
func runVerifyReplay(ctx context.Context, cfg *config.Config, log *slog.Logger, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("verify-replay", flag.ContinueOnError)
	fs.SetOutput(stdout)
	o := replayOptions{}
	fs.DurationVar(&o.Since, "since", 72*time.Hour, "also replay runs closed within this long")
	fs.IntVar(&o.Limit, "limit", 1000, "replay at most this many runs, newest first")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.Limit < 1 || o.Since < 0 {
		return errors.New("verify-replay: -limit must be at least 1 and -since not negative")
	}
	reg, err := journeys.Registry()
	if err != nil {
		return fmt.Errorf("journey catalogue: %w", err)
	}
	keys, err := loadKeys(cfg)
	if err != nil {
		return err
	}
	tc, err := dialTool(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer tc.Close()
	r, err := verifyReplay(ctx, tc, cfg.TemporalNamespace, keys, reg.RegisterWorkflows, o, log)
	if err != nil {
		return err
	}
	return printReplayReport(stdout, r)
}

// verifyReplay lists the task queue's open runs and the runs closed within
// o.Since (newest first, at most o.Limit), fetches each history through tc
// (whose data converter holds the codec), and replays it against target.
func verifyReplay(ctx context.Context, tc client.Client, namespace string, keys *codec.Keyring, target replayTarget,
	o replayOptions, log *slog.Logger) (replayReport, error) {
	dc, fc := codec.Converters(keys)
	replayer, err := sdkworker.NewWorkflowReplayerWithOptions(sdkworker.WorkflowReplayerOptions{DataConverter: dc, FailureConverter: fc})
	if err != nil {
		return replayReport{}, fmt.Errorf("workflow replayer: %w", err)
	}
	target(replayer)
	// The SDK logs every replayed task at debug and a failure at error: the
	// report below says what failed, once.
	quiet := tlog.NewStructuredLogger(slog.New(minLevel{log.Handler(), slog.LevelError + 4}))
	since := time.Now().Add(-o.Since).UTC().Format(time.RFC3339)
	query := fmt.Sprintf("TaskQueue = '%s' AND (ExecutionStatus = 'Running' OR CloseTime > '%s')", workflows.TaskQueue, since)
	var rep replayReport
	var token []byte
	for rep.Replayed+len(rep.Failed) < o.Limit {
		resp, err := tc.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: namespace,
			PageSize: int32(min(o.Limit, 100)), NextPageToken: token, Query: query})
		if err != nil {
			return rep, fmt.Errorf("list workflows: %w", err)
		}
		for _, e := range resp.GetExecutions() {
			if rep.Replayed+len(rep.Failed) >= o.Limit {
				break
			}
			id, run := e.GetExecution().GetWorkflowId(), e.GetExecution().GetRunId()
			h, err := fetchHistory(ctx, tc, id, run)
			if err != nil {
				return rep, err
			}
			err = replayer.ReplayWorkflowHistoryWithOptions(quiet, h, sdkworker.ReplayWorkflowHistoryOptions{
				OriginalExecution: workflow.Execution{ID: id, RunID: run}})
			if err != nil {
				rep.Failed = append(rep.Failed, replayFailure{WorkflowID: id, RunID: run, Type: e.GetType().GetName(), Err: err})
				continue
			}
			rep.Replayed++
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			break
		}
	}
	return rep, nil
}

// fetchHistory reads one run's whole history.
func fetchHistory(ctx context.Context, tc client.Client, id, run string) (*historypb.History, error) {
	it := tc.GetWorkflowHistory(ctx, id, run, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	h := &historypb.History{}
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("history of %s: %w", id, err)
		}
		h.Events = append(h.Events, ev)
	}
	return h, nil
}

// printReplayReport prints the summary and, if any run failed, returns an
// error naming them, so the command exits non-zero.
func printReplayReport(w io.Writer, r replayReport) error {
	var b strings.Builder
	fmt.Fprintf(&b, "verify-replay: %d run(s) replayed, %d failed\n", r.Replayed+len(r.Failed), len(r.Failed))
	ids := make([]string, 0, len(r.Failed))
	for _, f := range r.Failed {
		// The first line names the mismatch (event and command types); the
		// SDK's stack trace after it is no use here.
		msg, _, _ := strings.Cut(f.Err.Error(), "\n")
		fmt.Fprintf(&b, "  FAILED %s (run %s, %s): %s\n", f.WorkflowID, f.RunID, f.Type, msg)
		ids = append(ids, f.WorkflowID)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("print the report: %w", err)
	}
	if len(ids) > 0 {
		return fmt.Errorf("verify-replay: %d run(s) do not replay on this build: %s", len(ids), strings.Join(ids, ", "))
	}
	return nil
}

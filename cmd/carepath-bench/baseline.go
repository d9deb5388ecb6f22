package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/carepath/carepath/messaging"
)

// The baseline is the floor a journey step costs on the bare engine: a
// workflow that runs one activity (an SMS through twilio-go to the same
// fake provider), then waits for one signal and runs the activity again.
// No codec, no database, no policy: just Temporal.
const (
	baselineQueue    = "bench-baseline"
	baselineWorkflow = "bench_minimal"
	baselineSignal   = "reply"
)

func minimalWorkflow(ctx workflow.Context, to string) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second},
	})
	if err := workflow.ExecuteActivity(ctx, "bench_send", to, "first").Get(ctx, nil); err != nil {
		return err
	}
	var reply string
	workflow.GetSignalChannel(ctx, baselineSignal).Receive(ctx, &reply)
	return workflow.ExecuteActivity(ctx, "bench_send", to, "next").Get(ctx, nil)
}

// baseline runs the minimal workflows in the bench process, against the
// same Temporal server and fake provider carepath uses.
type baseline struct {
	c      client.Client
	w      sdkworker.Worker
	runID  string
	sender messaging.Sender
}

func startBaseline(c client.Client, providerURL, runID string) (*baseline, error) {
	tw, err := messaging.NewTwilio(messaging.TwilioConfig{AccountSID: benchSID, AuthToken: benchAuthToken,
		From: baselineFrom, APIURL: providerURL})
	if err != nil {
		return nil, err
	}
	b := &baseline{c: c, runID: runID, sender: tw}
	b.w = sdkworker.New(c, baselineQueue, sdkworker.Options{})
	b.w.RegisterWorkflowWithOptions(minimalWorkflow, workflow.RegisterOptions{Name: baselineWorkflow})
	b.w.RegisterActivityWithOptions(b.send, activity.RegisterOptions{Name: "bench_send"})
	if err := b.w.Start(); err != nil {
		return nil, fmt.Errorf("start baseline worker: %w", err)
	}
	return b, nil
}

func (b *baseline) send(ctx context.Context, to, text string) error {
	_, err := b.sender.Send(ctx, messaging.Outbound{To: to, Text: text})
	return err
}

func (b *baseline) workflowID(i int) string { return fmt.Sprintf("bench-%s-%d", b.runID, i) }

// launch starts one workflow per number, concurrency at a time, and
// returns when the starts have been accepted.
func (b *baseline) launch(ctx context.Context, numbers []string, concurrency int) error {
	return parallel(ctx, len(numbers), concurrency, func(i int) error {
		_, err := b.c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: b.workflowID(i), TaskQueue: baselineQueue},
			baselineWorkflow, numbers[i])
		return err
	})
}

// reply signals workflow i, as a patient's answer would.
func (b *baseline) reply(ctx context.Context, i int) error {
	return b.c.SignalWorkflow(ctx, b.workflowID(i), "", baselineSignal, "3")
}

func (b *baseline) stop() { b.w.Stop() }

// parallel runs fn(0..n-1) on up to concurrency goroutines and returns the
// first error.
func parallel(ctx context.Context, n, concurrency int, fn func(i int) error) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		ferr error
	)
	next := make(chan int)
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := fn(i); err != nil {
					mu.Lock()
					if ferr == nil {
						ferr = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		select {
		case next <- i:
		case <-ctx.Done():
			close(next)
			wg.Wait()
			return ctx.Err()
		}
	}
	close(next)
	wg.Wait()
	return ferr
}

package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// A worker process must outlive Temporal outages. The SDK's pollers retry
// an unreachable server forever, but a worker cannot start while the
// server is down, and it stops itself for good after about two minutes of
// errors it counts as permanent (namespace not found, invalid argument;
// internal/internal_worker_base.go in the SDK). The supervisor starts the
// worker, retrying with backoff, and replaces it when it stops, so the
// process never sits alive with no worker polling.

// Worker states, as /healthz reports them.
const (
	workerStarting   = "starting"
	workerRunning    = "running"
	workerRestarting = "restarting"
	workerStopped    = "stopped"
)

// stopper is a started worker.
type stopper interface{ Stop() }

// supervisor keeps one worker running until stopped.
type supervisor struct {
	log *slog.Logger
	// start builds and starts a new worker; onFatal is called if it later
	// stops itself.
	start func(ctx context.Context, onFatal func(error)) (stopper, error)
	// afterStart runs once per started worker, retried until it succeeds
	// or that worker ends (ensuring the deployment's singletons).
	afterStart func(ctx context.Context) error
	// minDelay and maxDelay bound the wait between start attempts.
	minDelay, maxDelay time.Duration
	// background, if set, runs beside the worker until Stop (the reconciler).
	background func(ctx context.Context)

	mu      sync.Mutex
	state   string
	lastErr error
	up      chan struct{} // closed when a worker first runs
	cancel  context.CancelFunc
	done    chan struct{}
}

func newSupervisor(log *slog.Logger, start func(context.Context, func(error)) (stopper, error), afterStart func(context.Context) error) *supervisor {
	return &supervisor{log: log, start: start, afterStart: afterStart, minDelay: time.Second, maxDelay: 30 * time.Second,
		state: workerStarting, up: make(chan struct{}), done: make(chan struct{})}
}

// run supervises in the background until Stop or ctx ends.
func (s *supervisor) run(ctx context.Context) {
	ctx, s.cancel = context.WithCancel(ctx)
	go func() {
		defer close(s.done)
		var bg sync.WaitGroup
		if s.background != nil {
			bg.Go(func() { s.background(ctx) })
		}
		s.loop(ctx)
		bg.Wait()
	}()
}

// waitUp waits up to wait for the first worker to run.
func (s *supervisor) waitUp(ctx context.Context, wait time.Duration) error {
	select {
	case <-s.up:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(wait):
		_, err := s.status()
		return fmt.Errorf("worker could not start within %s (is Temporal reachable?): %w", wait, err)
	}
}

// Stop stops the supervisor and its worker, waiting for both.
func (s *supervisor) Stop() {
	s.cancel()
	<-s.done
}

// status is the worker's state and the error behind it, if any.
func (s *supervisor) status() (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state, s.lastErr
}

func (s *supervisor) set(state string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if state == workerRunning && s.state != workerRunning {
		select {
		case <-s.up:
		default:
			close(s.up)
		}
	}
	s.state, s.lastErr = state, err
}

func (s *supervisor) loop(ctx context.Context) {
	defer s.set(workerStopped, nil)
	delay := s.minDelay
	for {
		fatal := make(chan error, 1)
		w, err := s.start(ctx, func(err error) {
			select {
			case fatal <- err:
			default:
			}
		})
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			s.log.Warn("worker could not start; retrying", "in", delay, "error", err)
			s.set(workerStarting, err)
			if !sleep(ctx, delay) {
				return
			}
			delay = min(2*delay, s.maxDelay)
			continue
		}
		s.set(workerRunning, nil)
		delay = s.minDelay
		runCtx, endRun := context.WithCancel(ctx)
		afterDone := make(chan struct{})
		go func() {
			defer close(afterDone)
			s.retry(runCtx, s.afterStart)
		}()
		select {
		case <-ctx.Done():
		case err = <-fatal:
			s.log.Error("worker stopped itself; starting a new one", "error", err)
			s.set(workerRestarting, err)
		}
		endRun()
		<-afterDone
		w.Stop()
		if ctx.Err() != nil {
			return
		}
	}
}

// retry runs fn until it succeeds or ctx ends, backing off to maxDelay.
func (s *supervisor) retry(ctx context.Context, fn func(context.Context) error) {
	if fn == nil {
		return
	}
	for delay := s.minDelay; ; delay = min(2*delay, s.maxDelay) {
		err := fn(ctx)
		if err == nil || ctx.Err() != nil {
			return
		}
		s.log.Warn("worker start-up step failed; retrying", "in", delay, "error", err)
		if !sleep(ctx, delay) {
			return
		}
	}
}

// sleep waits d, or less if ctx ends; false when ctx ended.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

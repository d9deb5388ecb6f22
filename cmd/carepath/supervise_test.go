package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"
)

// fakeWorker records its stop.
type fakeWorker struct{ stopped chan struct{} }

func (f *fakeWorker) Stop() { close(f.stopped) }

// The supervisor retries a worker that cannot start, and replaces one that
// stops itself (the SDK's fatal error), until it is stopped.
func TestSupervisorRestartsWorker(t *testing.T) {
	var mu sync.Mutex
	attempts := 0
	fatals := make(chan func(error), 4)
	workers := make(chan *fakeWorker, 4)
	start := func(_ context.Context, onFatal func(error)) (stopper, error) {
		mu.Lock()
		defer mu.Unlock()
		attempts++
		if attempts <= 2 {
			return nil, errors.New("temporal unreachable")
		}
		w := &fakeWorker{stopped: make(chan struct{})}
		workers <- w
		fatals <- onFatal
		return w, nil
	}
	ensured := make(chan struct{}, 4)
	s := newSupervisor(slog.New(slog.NewTextHandler(io.Discard, nil)), start, func(context.Context) error {
		ensured <- struct{}{}
		return nil
	})
	s.minDelay, s.maxDelay = time.Millisecond, time.Millisecond
	s.run(context.Background())
	if err := s.waitUp(context.Background(), time.Minute); err != nil {
		t.Fatal(err)
	}
	first := <-workers
	<-ensured
	(<-fatals)(errors.New("namespace not found"))
	<-first.stopped // the dead worker is stopped...
	second := <-workers
	<-ensured // ...and its replacement started and set up
	s.Stop()
	<-second.stopped
	if state, _ := s.status(); state != workerStopped {
		t.Fatalf("state after Stop: %s", state)
	}
	if attempts != 4 {
		t.Fatalf("%d start attempts, want 2 failed, 1 first run, 1 restart", attempts)
	}
}

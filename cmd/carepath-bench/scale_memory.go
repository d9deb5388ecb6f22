package main

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// memSample is the processes' resident memory at one moment of the phase.
type memSample struct {
	Seconds     float64 `json:"seconds"`
	Stage       string  `json:"stage"` // register, launch, settle, idle
	Launched    int64   `json:"launched"`
	WorkerMiB   float64 `json:"worker_rss_mib"`
	APIMiB      float64 `json:"api_rss_mib"`
	TemporalMiB float64 `json:"temporal_rss_mib,omitempty"`
	StickyCache int     `json:"sticky_cache_entries"` // the worker's temporal_sticky_cache_size gauge
}

// memSampler records memSamples every period until stopped.
type memSampler struct {
	mu      sync.Mutex
	samples []memSample
	stage   atomic.Value
	stop    chan struct{}
	done    chan struct{}
}

func startSampler(ctx context.Context, s *split, temporalPID int, launched *atomic.Int64, period time.Duration) *memSampler {
	m := &memSampler{stop: make(chan struct{}), done: make(chan struct{})}
	m.stage.Store("register")
	t0 := time.Now()
	go func() {
		defer close(m.done)
		for {
			x := memSample{Seconds: time.Since(t0).Seconds(), Stage: m.stage.Load().(string), Launched: launched.Load()}
			x.WorkerMiB, _ = rssMiB(s.worker.pid()) // a failed read leaves 0, visible in the series
			x.APIMiB, _ = rssMiB(s.api.pid())
			if temporalPID != 0 {
				x.TemporalMiB, _ = rssMiB(temporalPID)
			}
			x.StickyCache = stickyEntries(ctx, s.workerAddr)
			m.mu.Lock()
			m.samples = append(m.samples, x)
			m.mu.Unlock()
			select {
			case <-time.After(period):
			case <-m.stop:
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	return m
}

// setStage names what the samples from now on were taken during.
func (m *memSampler) setStage(s string) { m.stage.Store(s) }

// finish stops sampling and returns the series.
func (m *memSampler) finish() []memSample {
	close(m.stop)
	<-m.done
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.samples
}

// stickyEntries reads the worker's sticky cache gauge from its /metrics
// (the SDK's temporal_sticky_cache_size); -1 if it cannot be read.
func stickyEntries(ctx context.Context, addr string) int {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	m, err := readMetrics(ctx, "http://"+addr)
	if err != nil {
		return -1
	}
	// The SDK sets the gauge with the workflow type of the task at hand as
	// a label, so the exporter keeps one line per type, each the size when
	// that type last ran: the cache only grows to its bound and stays
	// there, so the largest is the current size.
	n := -1
	for k, v := range m {
		if name, _ := splitSample(k); name == "temporal_sticky_cache_size" {
			n = max(n, int(v))
		}
	}
	return n
}

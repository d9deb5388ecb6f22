package main

import (
	"testing"
	"time"
)

// Pooling rounds takes the launch rate over all launches (not the mean of
// the rates) and the percentiles over all replies (not the mean of each
// round's percentiles).
func TestPoolMergesRoundsOverAllSamples(t *testing.T) {
	msd := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	var a, b side
	a.LaunchSeconds, a.launches, a.EventsPerRun = 10, 100, 20
	a.replied(msd(10, 10, 10, 10), msd(1, 1, 1, 1))
	b.LaunchSeconds, b.launches, b.EventsPerRun = 30, 100, 22
	b.replied(msd(100, 100, 100, 100), msd(3, 3, 3, 3))
	got := pool([]comparison{{Carepath: a}, {Carepath: b}}, func(c comparison) side { return c.Carepath })
	if got.LaunchPerSecond != 5 { // 200 launches in 40 s, not (10+3.33)/2
		t.Errorf("launch rate %.2f/s, want 5", got.LaunchPerSecond)
	}
	if got.ReplyP50Ms != 10 || got.ReplyP99Ms != 100 || got.AckP50Ms != 1 {
		t.Errorf("pooled p50 %.0f, p99 %.0f, accepted p50 %.0f; want 10, 100, 1", got.ReplyP50Ms, got.ReplyP99Ms, got.AckP50Ms)
	}
	if got.EventsPerRun != 21 {
		t.Errorf("events per run %.1f, want 21", got.EventsPerRun)
	}
}

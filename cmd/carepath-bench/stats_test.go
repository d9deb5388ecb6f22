package main

import (
	"testing"
	"time"
)

func TestPercentileIsNearestRank(t *testing.T) {
	var d []time.Duration
	for i := 100; i >= 1; i-- { // unsorted on purpose
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	for p, want := range map[int]time.Duration{50: 50 * time.Millisecond, 99: 99 * time.Millisecond, 100: 100 * time.Millisecond, 1: time.Millisecond} {
		if got := percentile(d, p); got != want {
			t.Errorf("p%d = %v, want %v", p, got, want)
		}
	}
	if got := percentile([]time.Duration{7}, 99); got != 7 {
		t.Errorf("p99 of one value = %v", got)
	}
}

func TestMaxInWindowAndSteadyRate(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	var at []time.Time
	// Five per second for four seconds, evenly spaced, then a burst of three.
	for i := range 20 {
		at = append(at, t0.Add(time.Duration(i)*200*time.Millisecond))
	}
	at = append(at, t0.Add(4*time.Second), t0.Add(4*time.Second+time.Millisecond), t0.Add(4*time.Second+2*time.Millisecond))
	if got := maxInWindow(at, time.Second); got != 7 {
		// 3.2s, 3.4s, 3.6s, 3.8s and the three at 4.0s fall within one second.
		t.Errorf("max in window = %d, want 7", got)
	}
	if got := steadyRate(at[:20]); got != 5 {
		t.Errorf("steady rate = %v, want 5 per second", got)
	}
	// A slow first second (the launch filling the queue) does not count.
	slowStart := append([]time.Time{t0.Add(-900 * time.Millisecond)}, at[:20]...)
	if got := steadyRate(slowStart); got != 5 {
		t.Errorf("steady rate after a slow start = %v, want 5 per second", got)
	}
}

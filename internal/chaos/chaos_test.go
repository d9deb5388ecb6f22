package chaos

import (
	"context"
	"flag"
	"os"
	"strconv"
	"testing"
	"time"
)

var full = flag.Bool("chaos.full", false, "run the full chaos schedule (make chaos)")

// seed is CHAOS_SEED, or a new one printed so the run can be replayed.
func seed(t *testing.T) int64 {
	if s := os.Getenv("CHAOS_SEED"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("CHAOS_SEED=%q: not a number", s)
		}
		return n
	}
	return time.Now().UnixNano() % 1_000_000_000
}

func runChaos(t *testing.T, s Schedule) *Result {
	sd := seed(t)
	t.Logf("chaos %s run, seed %d (CHAOS_SEED=%d replays its choices)", s.Name, sd, sd)
	start := time.Now()
	logf := func(format string, args ...any) {
		t.Logf("[%s +%5.1fs] %s", time.Now().Format(time.TimeOnly), time.Since(start).Seconds(), sprintf(format, args...))
	}
	res, err := Run(context.Background(), s, sd, logf)
	if err != nil {
		t.Fatalf("chaos harness (logs in %s): %v", res.Dir, err)
	}
	for _, v := range res.Report.Violations {
		t.Errorf("%s: %s", v.Kind, v.Detail)
	}
	t.Log(res.Summary)
	// The summary line on stdout is what `make test` prints from the run.
	if _, err := os.Stdout.WriteString(res.Summary + "\n"); err != nil {
		t.Errorf("print the summary: %v", err)
	}
	if res.Report.Failed() {
		t.Fatalf("%d invariant violation(s); process logs in %s", len(res.Report.Violations), res.Dir)
	}
	if res.Faults.WorkerKills < s.WorkerKills-1 || res.Faults.TemporalOutages < s.TemporalOutages || res.Faults.PGRestarts < s.PGRestarts {
		t.Fatalf("the schedule's faults were not all injected: %+v", res.Faults)
	}
	return res
}

// TestChaosShort runs in `make test`: about three minutes.
func TestChaosShort(t *testing.T) {
	if *full {
		t.Skip("the full run is TestChaosFull")
	}
	if testing.Short() {
		t.Skip("-short")
	}
	runChaos(t, Short)
}

// TestChaosFull is `make chaos`.
func TestChaosFull(t *testing.T) {
	if !*full {
		t.Skip("run with -chaos.full (make chaos)")
	}
	runChaos(t, Full)
}

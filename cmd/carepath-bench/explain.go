package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
)

// -explain: where the reply path's time goes and what each reply asks of
// the server, so a ratio that misses its target says why.

// stage is one step of the reply path: the time from the event before it
// to this event, over the sampled histories.
type stage struct {
	Name     string
	N        int
	P50, P90 float64 // ms
}

// replyStages reads the histories and, from each one's first signal on,
// times every event after the one before it (except scheduling events,
// which follow their predecessor at once), keyed by position and type.
func replyStages(ctx context.Context, tc client.Client, ids []string) ([]stage, error) {
	byKey := map[string][]time.Duration{}
	for _, id := range ids {
		it := tc.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		signalled, n := false, 0
		var prev time.Time
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				return nil, fmt.Errorf("history of %s: %w", id, err)
			}
			at := ev.GetEventTime().AsTime()
			switch {
			case ev.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED && !signalled:
				signalled = true
			case signalled && ev.GetEventType() != enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
				n++
				k := fmt.Sprintf("%02d %s", n, strings.TrimPrefix(ev.GetEventType().String(), "EVENT_TYPE_"))
				byKey[k] = append(byKey[k], at.Sub(prev))
			}
			prev = at
		}
	}
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]stage, 0, len(keys))
	for _, k := range keys {
		v := byKey[k]
		out = append(out, stage{Name: k[3:], N: len(v), P50: ms(percentile(v, 50)), P90: ms(percentile(v, 90))})
	}
	return out, nil
}

// printStages prints a side's reply stages.
func printStages(side string, st []stage) {
	fmt.Printf("%s: after the reply's signal (time since the event before, over %d histories)\n", side, maxN(st))
	for _, s := range st {
		fmt.Printf("  %-40s p50 %8.1f ms  p90 %8.1f ms\n", s.Name, s.P50, s.P90)
	}
}

func maxN(st []stage) int {
	n := 0
	for _, s := range st {
		n = max(n, s.N)
	}
	return n
}

// promLabels parses a Prometheus label list (values without commas or
// escaped quotes, as the SDK's are).
func promLabels(s string) map[string]string {
	out := map[string]string{}
	for kv := range strings.SplitSeq(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if ok {
			out[k] = strings.Trim(v, `"`)
		}
	}
	return out
}

package main

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// samples is one read of carepath's /metrics: every sample's value by its
// name and labels as printed ("name{labels}").
type samples map[string]float64

// readMetrics reads carepath's /metrics.
func readMetrics(ctx context.Context, base string) (samples, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("carepath metrics: %w", err)
	}
	body, err := readAll(resp)
	if err != nil {
		return nil, fmt.Errorf("carepath metrics: %w", err)
	}
	out := samples{}
	for line := range strings.Lines(string(body)) {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			out[line[:i]] = v
		}
	}
	return out, nil
}

// splitSample parses "name{labels}" into the name and its labels.
func splitSample(key string) (string, map[string]string) {
	name, labels, ok := strings.Cut(key, "{")
	if !ok {
		return key, nil
	}
	return name, promLabels(strings.TrimSuffix(labels, "}"))
}

// printCalls prints carepath's Temporal requests between two reads, by
// operation and workflow (and activity) type, per reply.
func printCalls(before, after samples, replies int) {
	calls := map[string]float64{}
	for k, v := range after {
		name, l := splitSample(k)
		if name != "temporal_request_total" && name != "temporal_request" || l["operation"] == "" {
			continue
		}
		what := l["workflow_type"]
		if a := l["activity_type"]; a != "" && a != "none" {
			what += " " + a
		}
		calls[l["operation"]+" ("+what+")"] += v - before[k]
	}
	fmt.Printf("carepath: Temporal calls during the reply phase (%d replies)\n", replies)
	for _, k := range sortedKeys(calls) {
		if d := calls[k]; d > 0 {
			fmt.Printf("  %-90s %6.0f  (%.2f per reply)\n", k, d, d/float64(max(replies, 1)))
		}
	}
}

// printLatencies prints the mean of each SDK latency histogram between two
// reads (schedule-to-start and execution of workflow tasks, local
// activities and activities), by task queue and type: where a stage of
// the reply path waits in carepath's worker rather than on the server.
func printLatencies(before, after samples) {
	type acc struct{ sum, n float64 }
	by := map[string]*acc{}
	for k, v := range after {
		name, l := splitSample(k)
		base, ok := strings.CutSuffix(name, "_sum")
		if !ok || !strings.HasPrefix(base, "temporal_") || !strings.Contains(base, "latency") {
			continue
		}
		countKey := base + "_count" + k[len(name):]
		n := after[countKey] - before[countKey]
		if n <= 0 {
			continue
		}
		what := strings.TrimSuffix(strings.TrimPrefix(base, "temporal_"), "_seconds")
		for _, lk := range []string{"task_queue", "workflow_type", "activity_type"} {
			if x := l[lk]; x != "" && x != "none" {
				what += " " + x
			}
		}
		a := by[what]
		if a == nil {
			a = &acc{}
			by[what] = a
		}
		a.sum += v - before[k]
		a.n += n
	}
	fmt.Println("carepath: SDK latencies during the reply phase (mean)")
	for _, k := range sortedKeys(by) {
		fmt.Printf("  %-96s %8.1f ms  (n=%.0f)\n", k, 1000*by[k].sum/by[k].n, by[k].n)
	}
}

// printPool prints the PostgreSQL pool's acquires and waits between two
// reads, per reply.
func printPool(before, after samples, replies int) {
	d := func(k string) float64 { return after[k] - before[k] }
	acq, waits, secs := d("carepath_db_pool_acquires_total"), d("carepath_db_pool_waits_total"), d("carepath_db_pool_acquire_seconds_total")
	r := float64(max(replies, 1))
	fmt.Printf("carepath: PostgreSQL pool during the reply phase (size %.0f): %.1f acquires per reply, %.2f waited per reply, mean acquire %.2f ms\n",
		after["carepath_db_pool_max"], acq/r, waits/r, 1000*secs/max(acq, 1))
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

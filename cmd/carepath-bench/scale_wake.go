package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// wakeResult is what a sticky-cache miss costs: journeys woken (cancelled
// through the API, which signals their workflow) one at a time, some long
// evicted from the worker's cache, some still in it.
type wakeResult struct {
	// From the cancel request to the journey having recorded its end in
	// carepath's database (its workflow task ran and finished it).
	Evicted wakeDelays `json:"evicted"`
	Cached  wakeDelays `json:"cached"`
	// The SDK's temporal_workflow_task_replay_latency for the woken
	// journeys' workflow tasks, mean, from the worker's metrics.
	ReplayMeanMs float64 `json:"replay_mean_ms"`
	CacheHits    int     `json:"sticky_cache_hits"` // the hit counter's rise over the wakes
}

// wakeCost cancels k of the first patients' journeys (launched first, so
// long since evicted when the population outgrows the cache) and k of the
// last's, alternating, one at a time.
func wakeCost(ctx context.Context, cp *api, databaseURL, workerAddr string, first, last []string) (_ *wakeResult, err error) {
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	defer func() { err = errors.Join(err, conn.Close(ctx)) }()
	enrollments := func(patients []string) ([]string, error) {
		rows, err := conn.Query(ctx, `SELECT id::text FROM enrollments WHERE patient_id = ANY($1::uuid[]) AND status = 'active'`, patients)
		if err != nil {
			return nil, fmt.Errorf("enrollments: %w", err)
		}
		return pgx.CollectRows(rows, pgx.RowTo[string])
	}
	evicted, err := enrollments(first)
	if err != nil {
		return nil, err
	}
	cached, err := enrollments(last)
	if err != nil {
		return nil, err
	}
	wake := func(id string) (time.Duration, error) {
		t0 := time.Now()
		if err := cp.call(ctx, http.MethodPost, "/v1/enrollments/"+id+"/cancel", map[string]any{}, nil); err != nil {
			return 0, err
		}
		for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			var status string
			if err := conn.QueryRow(ctx, `SELECT status FROM enrollments WHERE id = $1`, id).Scan(&status); err != nil {
				return 0, fmt.Errorf("enrollment status: %w", err)
			}
			if status != "active" {
				return time.Since(t0), nil
			}
		}
		return 0, fmt.Errorf("enrollment %s still active a minute after its cancel", id)
	}
	before := scrape(ctx, workerAddr)
	var ev, ca []time.Duration
	for i := range max(len(evicted), len(cached)) {
		if i < len(evicted) {
			d, err := wake(evicted[i])
			if err != nil {
				return nil, err
			}
			ev = append(ev, d)
		}
		if i < len(cached) {
			d, err := wake(cached[i])
			if err != nil {
				return nil, err
			}
			ca = append(ca, d)
		}
	}
	after := scrape(ctx, workerAddr)
	r := &wakeResult{Evicted: delaysOf(ev), Cached: delaysOf(ca),
		CacheHits: int(after["hit"] - before["hit"])}
	if n := after["replay_count"] - before["replay_count"]; n > 0 {
		r.ReplayMeanMs = 1000 * (after["replay_sum"] - before["replay_sum"]) / n
	}
	return r, nil
}

// wakeDelays summarize one group's wakes.
type wakeDelays struct {
	Count int     `json:"count"`
	P50Ms float64 `json:"p50_ms"`
	P90Ms float64 `json:"p90_ms"`
	MaxMs float64 `json:"max_ms"`
}

// delaysOf summarizes a sample of delays.
func delaysOf(ds []time.Duration) wakeDelays {
	if len(ds) == 0 {
		return wakeDelays{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	return wakeDelays{Count: len(s), P50Ms: ms(s[len(s)/2]), P90Ms: ms(s[len(s)*9/10]), MaxMs: ms(s[len(s)-1])}
}

// scrape reads the journeys' sticky cache hits and replay latency (sum and
// count) from the worker's /metrics; missing figures read as 0.
func scrape(ctx context.Context, addr string) map[string]float64 {
	out := map[string]float64{}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	m, err := readMetrics(ctx, "http://"+addr)
	if err != nil {
		return out
	}
	figure := map[string]string{"temporal_sticky_cache_hit": "hit",
		"temporal_workflow_task_replay_latency_seconds_sum":   "replay_sum",
		"temporal_workflow_task_replay_latency_seconds_count": "replay_count"}
	for k, v := range m {
		name, labels := splitSample(k)
		if f, ok := figure[name]; ok && labels["workflow_type"] == "post_visit_checkin" {
			out[f] += v
		}
	}
	return out
}

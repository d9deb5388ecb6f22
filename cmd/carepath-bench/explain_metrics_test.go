package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The scale phases read the worker's /metrics through readMetrics: the
// sticky cache's largest gauge and the journeys' hit and replay figures.
func TestMetricsReadsTheScalePhasesFigures(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(strings.Join([]string{
			"# HELP temporal_sticky_cache_size x",
			`temporal_sticky_cache_size{workflow_type="post_visit_checkin"} 40`,
			`temporal_sticky_cache_size{workflow_type="carepath.task_sweeper"} 12`,
			`temporal_sticky_cache_hit{task_queue="q",workflow_type="post_visit_checkin"} 7`,
			`temporal_sticky_cache_hit{task_queue="q",workflow_type="carepath.task_sweeper"} 100`,
			`temporal_workflow_task_replay_latency_seconds_sum{workflow_type="post_visit_checkin"} 0.5`,
			`temporal_workflow_task_replay_latency_seconds_count{workflow_type="post_visit_checkin"} 5`,
		}, "\n") + "\n"))
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	if n := stickyEntries(context.Background(), addr); n != 40 {
		t.Errorf("sticky entries %d, want 40 (the largest gauge)", n)
	}
	got := scrape(context.Background(), addr)
	if got["hit"] != 7 || got["replay_sum"] != 0.5 || got["replay_count"] != 5 {
		t.Errorf("scrape %v, want hit 7, replay_sum 0.5, replay_count 5 (post_visit_checkin only)", got)
	}
}

package main

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"
)

// launchChunks bulk-launches ids in jobs of chunk patients (the API takes
// at most 10,000 per launch), at most inFlight jobs pending at once, and
// returns when nothing is pending. After submitFor (0: no limit) it submits
// no more launches and waits for those submitted. launched is kept up to
// date for the memory sampler; it returns how many patients were submitted.
func launchChunks(ctx context.Context, cp *api, journey string, params map[string]any, ids []string, chunk, inFlight int,
	submitFor time.Duration, launched *atomic.Int64) (int, error) {
	type running struct {
		id   string
		size int
	}
	var (
		active []running
		done   int // launched by finished jobs
		next   int // first id not yet submitted
	)
	start, lastLog := time.Now(), time.Now()
	last := len(ids) // submit up to here
	for next < last || len(active) > 0 {
		if submitFor > 0 && time.Since(start) > submitFor && last == len(ids) {
			last = next
			logf("idle: -scale-launch-for %s reached: no more launches after the %d submitted", submitFor, next)
		}
		for len(active) < inFlight && next < last {
			end := min(next+chunk, len(ids))
			job, err := cp.bulkLaunch(ctx, journey, params, ids[next:end])
			if err != nil {
				return next, fmt.Errorf("bulk launch of patients %d–%d: %w", next, end, err)
			}
			active = append(active, running{job.ID, end - next})
			next = end
		}
		select {
		case <-ctx.Done():
			return next, ctx.Err()
		case <-time.After(2 * time.Second):
		}
		inJobs := 0
		still := active[:0]
		for _, r := range active {
			var job batchJob
			if err := cp.call(ctx, "GET", "/v1/enrollments/batch/"+r.id, nil, &job); err != nil {
				return next, err
			}
			if job.Counts["pending"] > 0 {
				inJobs += job.Counts["launched"]
				still = append(still, r)
				continue
			}
			if job.Counts["launched"] != r.size {
				return next, fmt.Errorf("bulk launch %s launched %d of %d: %v", r.id, job.Counts["launched"], r.size, job.Counts)
			}
			done += r.size
		}
		active = still
		launched.Store(int64(done + inJobs))
		if time.Since(lastLog) >= 30*time.Second {
			logf("idle: %d of %d launched", done+inJobs, len(ids))
			lastLog = time.Now()
		}
	}
	return next, nil
}

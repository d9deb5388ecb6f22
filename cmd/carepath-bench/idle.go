package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"go.temporal.io/sdk/client"
)

// idleResult is the cost of a large population waiting on long timers.
type idleResult struct {
	Patients              int     `json:"patients"`
	LaunchSeconds         float64 `json:"launch_seconds"`
	Window                string  `json:"window"`
	CarepathRSSMiB        float64 `json:"carepath_rss_mib"`
	TemporalRSSMiB        float64 `json:"temporal_rss_mib,omitempty"`
	TemporalDBMiB         float64 `json:"temporal_db_mib,omitempty"`
	PostgresMiB           float64 `json:"postgres_database_mib"`
	PostgresKiBPerPatient float64 `json:"postgres_kib_per_patient"`
	EventsPerEnrollment   float64 `json:"history_events_per_enrollment"`
	CarepathCPUPercent    float64 `json:"carepath_cpu_percent"`
	TemporalCPUPercent    float64 `json:"temporal_cpu_percent,omitempty"`
	PostgresCPUPercent    float64 `json:"postgres_cpu_percent,omitempty"`
}

// idle enrolls many patients in a journey that first waits 30 days, then
// measures what the waiting costs: memory, storage, history, and CPU.
func idle(ctx context.Context, o options, st *stack, tc client.Client, res *result, prefix int) error {
	if err := st.startCarepath(ctx, 1); err != nil {
		return err
	}
	cp := newAPI(st.carepath.base)
	before, err := databaseBytes(ctx, st.databaseURL)
	if err != nil {
		return err
	}
	nums := numbersFrom(prefix, 1_000_000, o.idle)
	logf("idle: registering %d patients", o.idle)
	ids, err := cp.createPatients(ctx, nums)
	if err != nil {
		return err
	}
	logf("idle: bulk launch of post_visit_checkin (first message in 30 days) for %d patients", o.idle)
	t0 := time.Now()
	job, err := cp.bulkLaunch(ctx, "post_visit_checkin", map[string]any{"delay": "720h"}, ids)
	if err != nil {
		return err
	}
	final, err := cp.waitJob(ctx, job.ID, 30*time.Minute)
	if err != nil {
		return err
	}
	if final.Counts["launched"] != o.idle {
		return fmt.Errorf("idle: launched %d of %d: %v", final.Counts["launched"], o.idle, final.Counts)
	}
	r := &idleResult{Patients: o.idle, LaunchSeconds: time.Since(t0).Seconds(), Window: o.idleWindow.String()}
	pid := st.carepath.cmd.Process.Pid
	logf("idle: launched in %.1fs; waiting for the first workflow tasks to settle", r.LaunchSeconds)
	if err := settle(ctx, pid, st.temporalPID); err != nil {
		return err
	}

	logf("idle: measuring CPU for %s", o.idleWindow)
	cpMeter, err := newMeter(func() (time.Duration, error) { _, c, err := procStat(pid); return c, err })
	if err != nil {
		return err
	}
	var tMeter, pgMeter *cpuMeter
	if st.temporalPID != 0 {
		if tMeter, err = newMeter(func() (time.Duration, error) { _, c, err := procStat(st.temporalPID); return c, err }); err != nil {
			return err
		}
	}
	if st.postgresPID != 0 {
		if pgMeter, err = newMeter(func() (time.Duration, error) { return treeCPU(st.postgresPID) }); err != nil {
			return err
		}
	}
	select {
	case <-time.After(o.idleWindow):
	case <-ctx.Done():
		return ctx.Err()
	}
	if r.CarepathCPUPercent, err = cpMeter.percent(); err != nil {
		return err
	}
	if tMeter != nil {
		if r.TemporalCPUPercent, err = tMeter.percent(); err != nil {
			return err
		}
		if r.TemporalRSSMiB, err = rssMiB(st.temporalPID); err != nil {
			return err
		}
		for _, f := range []string{"temporal.db", "temporal.db-wal"} {
			if fi, err := os.Stat(filepath.Join(st.dir, f)); err == nil {
				r.TemporalDBMiB += float64(fi.Size()) / (1 << 20)
			}
		}
	}
	if pgMeter != nil {
		if r.PostgresCPUPercent, err = pgMeter.percent(); err != nil {
			return err
		}
	}
	if r.CarepathRSSMiB, err = rssMiB(pid); err != nil {
		return err
	}
	after, err := databaseBytes(ctx, st.databaseURL)
	if err != nil {
		return err
	}
	r.PostgresMiB = float64(after) / (1 << 20)
	r.PostgresKiBPerPatient = float64(after-before) / 1024 / float64(o.idle)
	wfIDs, err := enrollmentWorkflows(ctx, st.databaseURL, ids, 20)
	if err != nil {
		return err
	}
	if r.EventsPerEnrollment, err = historyEvents(ctx, tc, wfIDs); err != nil {
		return err
	}
	res.Idle = r
	return st.stopCarepath()
}

// settle waits until carepath and Temporal use under 5% of a core over
// five seconds: every journey has run its first workflow task and sleeps.
func settle(ctx context.Context, pids ...int) error {
	deadline := time.Now().Add(10 * time.Minute)
	for {
		m, err := newMeter(func() (time.Duration, error) {
			var total time.Duration
			for _, pid := range pids {
				if pid == 0 {
					continue
				}
				_, c, err := procStat(pid)
				if err != nil {
					return 0, err
				}
				total += c
			}
			return total, nil
		})
		if err != nil {
			return err
		}
		select {
		case <-time.After(5 * time.Second):
		case <-ctx.Done():
			return ctx.Err()
		}
		p, err := m.percent()
		if err != nil {
			return err
		}
		if p < 5 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("idle: still %.0f%% CPU after 10 minutes", p)
		}
	}
}

package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/carepath/carepath/internal/config"
)

// idleResult is the cost of a large population waiting on long timers
// (`make bench-scale`).
type idleResult struct {
	Patients int `json:"patients"` // registered and launched
	// Registered is how many were registered; more than Patients when
	// -scale-launch-for stopped the launch early.
	Registered      int     `json:"registered"`
	StickyCacheSize int     `json:"sticky_cache_size"`
	RegisterSeconds float64 `json:"register_seconds"`
	// BundlesRetried counts registration Bundles sent again after a 5xx.
	BundlesRetried int     `json:"bundles_retried"`
	LaunchSeconds  float64 `json:"launch_seconds"`
	SettleSeconds  float64 `json:"settle_seconds"`
	Window         string  `json:"window"`
	// CarepathRSSMiB is api and worker together, once idle.
	CarepathRSSMiB float64 `json:"carepath_rss_mib"`
	WorkerRSSMiB   float64 `json:"worker_rss_mib"`
	WorkerPeakMiB  float64 `json:"worker_rss_peak_mib"`
	APIRSSMiB      float64 `json:"api_rss_mib"`
	// KiBPerCachedJourney is the worker's growth from before the launch to
	// the first sample with the sticky cache (nearly) full, per cached
	// journey: an upper bound, as it includes the launch's own buffers.
	KiBPerCachedJourney   float64        `json:"worker_kib_per_cached_journey"`
	TemporalRSSMiB        float64        `json:"temporal_rss_mib,omitempty"`
	TemporalDBMiB         float64        `json:"temporal_db_mib,omitempty"`
	PostgresMiB           float64        `json:"postgres_database_mib"`
	PostgresKiBPerPatient float64        `json:"postgres_kib_per_patient"`
	Tables                []relationSize `json:"largest_tables"`
	EventsPerEnrollment   float64        `json:"history_events_per_enrollment"`
	CarepathCPUPercent    float64        `json:"carepath_cpu_percent"`
	WorkerCPUPercent      float64        `json:"worker_cpu_percent"`
	APICPUPercent         float64        `json:"api_cpu_percent"`
	TemporalCPUPercent    float64        `json:"temporal_cpu_percent,omitempty"`
	PostgresCPUPercent    float64        `json:"postgres_cpu_percent,omitempty"`
	Wake                  *wakeResult    `json:"wake,omitempty"`
	WakeError             string         `json:"wake_error,omitempty"`
	Memory                []memSample    `json:"memory"`
}

// idle registers many patients, bulk-launches them into a journey that
// first waits 30 days, then measures what the waiting costs: memory over
// time (bounded by the worker's sticky cache), storage, history and CPU.
// carepath runs as a deployment does, `api` and `worker` apart.
func idle(ctx context.Context, o options, st *stack, tc client.Client, res *result, prefix int) (err error) {
	r := &idleResult{Registered: o.idle, Window: o.idleWindow.String(), StickyCacheSize: *scaleStickyCache}
	if r.StickyCacheSize < 0 {
		r.StickyCacheSize = config.DefaultStickyCacheSize
	}
	s, err := startSplit(ctx, st, *scaleStickyCache)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, s.stop()) }()
	cp := newAPI(s.apiBase)
	before, err := databaseBytes(ctx, st.databaseURL)
	if err != nil {
		return err
	}
	var launched atomic.Int64
	mem := startSampler(ctx, s, st.temporalPID, &launched, *scaleSample)
	defer func() {
		if r.Memory == nil {
			mem.finish()
		}
	}()

	logf("idle: registering %d patients (%d Patients per FHIR Bundle, %d at a time)", o.idle, *scaleBundle, *scaleRegister)
	t0 := time.Now()
	var ids []string
	if nums := numbersFrom(prefix, 1_000_000, o.idle); *scaleBundle > 0 {
		var retried atomic.Int64
		ids, err = registerPatientsFHIR(ctx, cp, nums, *scaleBundle, *scaleRegister, &retried)
		r.BundlesRetried = int(retried.Load())
	} else {
		ids, err = registerPatients(ctx, cp, nums, *scaleRegister)
	}
	if err != nil {
		return err
	}
	r.RegisterSeconds = time.Since(t0).Seconds()
	logf("idle: registered in %.0fs; bulk launch of post_visit_checkin (first message in 30 days), %d per launch, %d at once",
		r.RegisterSeconds, *scaleChunk, *scaleJobs)
	mem.setStage("launch")
	t0 = time.Now()
	if r.Patients, err = launchChunks(ctx, cp, "post_visit_checkin", map[string]any{"delay": "720h"}, ids, *scaleChunk, *scaleJobs,
		*scaleLaunchFor, &launched); err != nil {
		return err
	}
	r.LaunchSeconds = time.Since(t0).Seconds()
	logf("idle: %d launched in %.1fs (%.1f/s); waiting for the first workflow tasks to settle", r.Patients, r.LaunchSeconds,
		float64(r.Patients)/r.LaunchSeconds)
	mem.setStage("settle")
	t0 = time.Now()
	if err := settle(ctx, s.worker.pid(), s.api.pid(), st.temporalPID); err != nil {
		return err
	}
	r.SettleSeconds = time.Since(t0).Seconds()

	logf("idle: measuring CPU for %s", o.idleWindow)
	mem.setStage("idle")
	if err := r.measureCPU(ctx, s, st, o.idleWindow); err != nil {
		return err
	}
	r.Memory = mem.finish()
	r.summarizeMemory()
	if st.temporalPID != 0 {
		r.TemporalDBMiB = sqliteMiB(st.dir)
	}
	after, err := databaseBytes(ctx, st.databaseURL)
	if err != nil {
		return err
	}
	r.PostgresMiB = float64(after) / (1 << 20)
	r.PostgresKiBPerPatient = float64(after-before) / 1024 / float64(o.idle) // every patient registered, Patients of them launched
	if r.Tables, err = largestTables(ctx, st.databaseURL, 8); err != nil {
		return err
	}
	wfIDs, err := enrollmentWorkflows(ctx, st.databaseURL, ids[:r.Patients], 20)
	if err != nil {
		return err
	}
	if r.EventsPerEnrollment, err = historyEvents(ctx, tc, wfIDs); err != nil {
		return err
	}
	res.Idle = r
	// The figures so far are kept whatever the wake below does.
	if err := writeJSON(filepath.Join(st.dir, "scale.json"), r); err != nil {
		return err
	}
	if k := min(*scaleWake, r.Patients/4); k > 0 {
		logf("idle: waking %d evicted and %d cached journeys, one at a time (a cancel each)", k, k)
		// The first launched have long left the cache; the last have just run.
		if r.Wake, err = wakeCost(ctx, cp, st.databaseURL, s.workerAddr, ids[:k], ids[r.Patients-k:r.Patients]); err != nil {
			r.WakeError = err.Error()
			logf("idle: wake: %v", err)
		}
	}
	return r.print()
}

// measureCPU is each process's CPU over window, in percent of one core.
func (r *idleResult) measureCPU(ctx context.Context, s *split, st *stack, window time.Duration) error {
	one := func(pid int) func() (time.Duration, error) {
		return func() (time.Duration, error) { _, c, err := procStat(pid); return c, err }
	}
	meters := map[*float64]func() (time.Duration, error){
		&r.WorkerCPUPercent: one(s.worker.pid()),
		&r.APICPUPercent:    one(s.api.pid()),
	}
	if st.temporalPID != 0 {
		meters[&r.TemporalCPUPercent] = one(st.temporalPID)
	}
	if st.postgresPID != 0 {
		since, err := treeCPUSince(st.postgresPID)
		if err != nil {
			return err
		}
		meters[&r.PostgresCPUPercent] = since
	}
	started := map[*float64]*cpuMeter{}
	for into, read := range meters {
		m, err := newMeter(read)
		if err != nil {
			return err
		}
		started[into] = m
	}
	select {
	case <-time.After(window):
	case <-ctx.Done():
		return ctx.Err()
	}
	for into, m := range started {
		p, err := m.percent()
		if err != nil {
			return err
		}
		*into = p
	}
	r.CarepathCPUPercent = r.WorkerCPUPercent + r.APICPUPercent
	return nil
}

// summarizeMemory reads the series: memory once idle, the worker's peak,
// and its growth per cached journey while the cache filled.
func (r *idleResult) summarizeMemory() {
	if len(r.Memory) == 0 {
		return
	}
	last := r.Memory[len(r.Memory)-1]
	r.WorkerRSSMiB, r.APIRSSMiB, r.TemporalRSSMiB = last.WorkerMiB, last.APIMiB, last.TemporalMiB
	r.CarepathRSSMiB = last.WorkerMiB + last.APIMiB
	var base *memSample
	for i := range r.Memory {
		m := &r.Memory[i]
		r.WorkerPeakMiB = max(r.WorkerPeakMiB, m.WorkerMiB)
		if base == nil && m.Stage == "launch" {
			base = &r.Memory[max(i-1, 0)] // the last sample before the launch
		}
		if base != nil && r.KiBPerCachedJourney == 0 && m.StickyCache > 0 && m.StickyCache >= r.StickyCacheSize*9/10 {
			r.KiBPerCachedJourney = (m.WorkerMiB - base.WorkerMiB) * 1024 / float64(m.StickyCache)
		}
	}
}

// print writes the phase's own table: the memory series, thinned, then
// the figures.
func (r *idleResult) print() error {
	fmt.Printf("\nscale: %d patients registered, %d launched and waiting; worker sticky cache %d\n", r.Registered, r.Patients, r.StickyCacheSize)
	fmt.Printf("  %8s  %-8s  %9s  %12s  %10s  %9s  %12s\n", "t (s)", "stage", "launched", "cache", "worker MiB", "api MiB", "Temporal MiB")
	step := max(len(r.Memory)/30, 1)
	for i, m := range r.Memory {
		if i%step == 0 || i == len(r.Memory)-1 {
			fmt.Printf("  %8.0f  %-8s  %9d  %12d  %10.0f  %9.0f  %12.0f\n", m.Seconds, m.Stage, m.Launched, m.StickyCache, m.WorkerMiB, m.APIMiB, m.TemporalMiB)
		}
	}
	fmt.Printf("  registration %.0fs (%.0f/s) · launch %.0fs (%.1f/s) · settle %.0fs\n", r.RegisterSeconds, float64(r.Registered)/r.RegisterSeconds,
		r.LaunchSeconds, float64(r.Patients)/r.LaunchSeconds, r.SettleSeconds)
	fmt.Printf("  worker RSS %.0f MiB (peak %.0f) · api RSS %.0f MiB · ~%.1f KiB per cached journey · Temporal RSS %.0f MiB, SQLite %.0f MiB (%.2f KiB per patient)\n",
		r.WorkerRSSMiB, r.WorkerPeakMiB, r.APIRSSMiB, r.KiBPerCachedJourney, r.TemporalRSSMiB, r.TemporalDBMiB, r.TemporalDBMiB*1024/float64(max(r.Patients, 1)))
	fmt.Printf("  PostgreSQL %.0f MiB (+%.2f KiB per patient); largest tables:", r.PostgresMiB, r.PostgresKiBPerPatient)
	for _, t := range r.Tables {
		fmt.Printf(" %s %.1f MiB;", t.Table, t.MiB)
	}
	fmt.Printf("\n  history events per waiting journey %.1f · idle CPU over %s (of one core): worker %.2f%%, api %.2f%%, Temporal %.2f%%, PostgreSQL %.2f%%\n\n",
		r.EventsPerEnrollment, r.Window, r.WorkerCPUPercent, r.APICPUPercent, r.TemporalCPUPercent, r.PostgresCPUPercent)
	if w := r.Wake; w != nil {
		fmt.Printf("  wake (cancel → journey ended), one at a time: evicted p50 %.0f ms p90 %.0f ms (n=%d) · cached p50 %.0f ms p90 %.0f ms (n=%d) · replay mean %.2f ms · cache hits %d\n\n",
			w.Evicted.P50Ms, w.Evicted.P90Ms, w.Evicted.Count, w.Cached.P50Ms, w.Cached.P90Ms, w.Cached.Count, w.ReplayMeanMs, w.CacheHits)
	}
	return nil
}

// settle waits until the given processes use under 5% of a core over
// five seconds: every journey has run its first workflow task and sleeps.
func settle(ctx context.Context, pids ...int) error {
	deadline := time.Now().Add(20 * time.Minute)
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
			return fmt.Errorf("idle: still %.0f%% CPU after 20 minutes", p)
		}
	}
}

package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"go.temporal.io/sdk/client"
)

// compare measures the baseline and carepath on the same server, in the
// order -order names. Whichever runs second finds the server holding the
// first one's finished runs (and, on the dev server, a larger SQLite
// file), so `make bench` measures both orders and reports each figure as
// the mean of the two (see rounds in main.go).
func compare(ctx context.Context, o options, st *stack, tc client.Client, runID string, prefix, offset int, carepathFirst bool) (res comparison, err error) {
	// Enough provider capacity that neither side waits for it here; the
	// outbound-rate phase measures the limit on its own.
	st.twilio.Limit(1000)
	if err := st.startCarepath(ctx, 1000); err != nil {
		return res, err
	}
	base := func() error {
		res.Baseline, err = baselineSide(ctx, o, st, tc, runID, prefix, offset)
		return err
	}
	cp := func() error {
		res.Carepath, err = carepathSide(ctx, o, st, tc, runID, prefix, offset)
		return err
	}
	order := []func() error{base, cp}
	if carepathFirst {
		order = []func() error{cp, base}
	}
	for _, run := range order {
		if err := run(); err != nil {
			return res, err
		}
	}
	res.ratios()
	return res, st.stopCarepath()
}

// baselineSide launches o.n minimal workflows with the bench's own worker
// and replies to each by a bare signal.
func baselineSide(ctx context.Context, o options, st *stack, tc client.Client, runID string, prefix, offset int) (res side, err error) {
	b, err := startBaseline(tc, st.twilio.URL, runID)
	if err != nil {
		return res, err
	}
	defer b.stop()
	baseNumbers := numbersFrom(prefix, offset+3_000_000, o.n)
	logf("baseline: starting %d minimal workflows", o.n)
	t0 := time.Now()
	if err := b.launch(ctx, baseNumbers, o.concurrency); err != nil {
		return res, fmt.Errorf("baseline launch: %w", err)
	}
	first, err := st.arrivals.waitAll(ctx, baseNumbers, 1, 10*time.Minute)
	if err != nil {
		return res, fmt.Errorf("baseline launch: %w", err)
	}
	res.launched(t0, first)
	logf("baseline: %d first messages in %.2fs; replying at %.0f/s", o.n, res.LaunchSeconds, o.replyRate)
	lat, acks, err := replies(ctx, st.arrivals, baseNumbers, o.replyRate, func(ctx context.Context, i int) error { return b.reply(ctx, i) })
	if err != nil {
		return res, fmt.Errorf("baseline replies: %w", err)
	}
	res.replied(lat, acks)
	res.EventsPerRun, err = historyEvents(ctx, tc, sample(o.n, 20, b.workflowID))
	if err != nil {
		return res, err
	}
	if o.explain {
		st, err := replyStages(ctx, tc, sample(o.n, 20, b.workflowID))
		if err != nil {
			return res, err
		}
		printStages("baseline", st)
	}
	return res, nil
}

// carepathSide registers o.n patients, bulk-launches post_visit_checkin
// for them through the API and replies to each by a signed webhook.
func carepathSide(ctx context.Context, o options, st *stack, tc client.Client, runID string, prefix, offset int) (res side, err error) {
	cp := newAPI(st.carepath.base)
	cpNumbers := numbersFrom(prefix, offset, o.n)
	logf("carepath: registering %d patients (not timed)", o.n)
	ids, err := cp.createPatients(ctx, cpNumbers)
	if err != nil {
		return res, fmt.Errorf("create patients: %w", err)
	}
	var prof *profiler
	if o.profile {
		prof = startProfile(ctx, st.pprofAddr, filepath.Join(o.dir, "carepath-launch.pprof"))
	}
	logf("carepath: bulk launch of post_visit_checkin for %d patients", o.n)
	t0 := time.Now()
	job, err := cp.bulkLaunch(ctx, "post_visit_checkin", map[string]any{"delay": "0s"}, ids)
	if err != nil {
		return res, err
	}
	first, err := st.arrivals.waitAll(ctx, cpNumbers, 1, 10*time.Minute)
	if err != nil {
		return res, fmt.Errorf("carepath launch: %w", err)
	}
	res.launched(t0, first)
	prof.wait()
	final, err := cp.waitJob(ctx, job.ID, time.Minute)
	if err != nil {
		return res, err
	}
	if final.Counts["launched"] != o.n {
		return res, fmt.Errorf("bulk launch launched %d of %d: %v", final.Counts["launched"], o.n, final.Counts)
	}
	logf("carepath: %d first messages in %.2fs; replying at %.0f/s", o.n, res.LaunchSeconds, o.replyRate)
	if o.profile {
		prof = startProfile(ctx, st.pprofAddr, filepath.Join(o.dir, "carepath-reply.pprof"))
	}
	var before samples
	if o.explain {
		if before, err = readMetrics(ctx, st.carepath.base); err != nil {
			return res, err
		}
	}
	lat, acks, err := replies(ctx, st.arrivals, cpNumbers, o.replyRate, func(ctx context.Context, i int) error {
		return cp.reply(ctx, fmt.Sprintf("SMbench%s%07d", runID, i), cpNumbers[i], "3")
	})
	if err != nil {
		return res, fmt.Errorf("carepath replies: %w", err)
	}
	prof.wait()
	res.replied(lat, acks)
	wfIDs, err := enrollmentWorkflows(ctx, st.databaseURL, ids, 20)
	if err != nil {
		return res, err
	}
	if res.EventsPerRun, err = historyEvents(ctx, tc, wfIDs); err != nil {
		return res, err
	}
	if o.explain {
		after, err := readMetrics(ctx, st.carepath.base)
		if err != nil {
			return res, err
		}
		stages, err := replyStages(ctx, tc, wfIDs)
		if err != nil {
			return res, err
		}
		printStages("carepath", stages)
		printCalls(before, after, o.n)
		printLatencies(before, after)
		printPool(before, after, o.n)
	}
	return res, nil
}

package main

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// outboundResult is the send rate under a provider limit.
type outboundResult struct {
	LimitPerSecond    int     `json:"limit_per_second"`
	Messages          int     `json:"messages"`
	MeasuredPerSecond float64 `json:"measured_per_second"`
	ShareOfLimit      float64 `json:"share_of_limit"`
	MaxInAnyWindow    int     `json:"max_in_any_one_second_window"`
	Rejected429       int     `json:"provider_429s"`
	Workers           int     `json:"workers"`
	// PerSecond is the arrivals in each whole second from the first one, and
	// LaunchedSeconds when the bulk launch had started every journey: a
	// launch slower than the limit starves the sends, and the rate then
	// measures the launch, not the limiter.
	PerSecond       []int   `json:"arrivals_per_second"`
	LaunchedSeconds float64 `json:"launched_seconds"`
	// DelaySeconds is the campaign's delay: the first message is due this
	// long after each enrollment.
	DelaySeconds float64 `json:"delay_seconds"`
}

// fleetWorkers is how many worker processes share the number in the
// outbound phase: the limit must hold across all of them (issue 15).
const fleetWorkers = 3

// outboundTarget is the share of the limit the fleet must reach, never
// exceeding it in any one-second window.
const outboundTarget = 0.95

// outboundRate replaces carepath with a fleet (an api and three workers,
// fleet.go) configured for a provider limit of M messages per second,
// makes the fake provider enforce it, bulk-launches M×seconds first
// messages as a campaign (each due -rate-delay after its enrollment) and
// measures how fast they arrive.
//
// The delay is what a campaign scheduled for a time looks like, and it
// makes the figure the limiter's: with every first message due at once
// (delay 0s), the sends share two cores with the launch that creates
// them, and the first seconds measure how fast the launch feeds the
// queue. -rate-delay 0s measures that mix.
func outboundRate(ctx context.Context, o options, st *stack, res *result, prefix int) (err error) {
	m, k := o.rateLimit, o.rateLimit*o.rateSeconds
	st.twilio.Limit(m)
	f, err := st.startFleet(ctx, m, fleetWorkers)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, f.stop()) }()
	cp := newAPI(f.api.base)
	nums := numbersFrom(prefix, 2_000_000, k)
	logf("outbound rate: registering %d patients; provider limit %d/s", k, m)
	ids, err := cp.createPatients(ctx, nums)
	if err != nil {
		return err
	}
	t0 := time.Now()
	job, err := cp.bulkLaunch(ctx, "post_visit_checkin", map[string]any{"delay": o.rateDelay.String()}, ids)
	if err != nil {
		return err
	}
	wait := o.rateDelay + time.Duration(3*o.rateSeconds)*time.Second + 2*time.Minute
	if _, err := cp.waitJob(ctx, job.ID, wait); err != nil {
		return fmt.Errorf("outbound rate: %w", err)
	}
	launched := time.Since(t0)
	if _, err := st.arrivals.waitAll(ctx, nums, 1, wait); err != nil {
		return fmt.Errorf("outbound rate: %w", err)
	}
	at := st.arrivals.from(carepathFrom, t0)
	r := &outboundResult{LimitPerSecond: m, Messages: len(at), Rejected429: st.twilio.Rejected(), MaxInAnyWindow: maxInWindow(at, time.Second),
		Workers: fleetWorkers, PerSecond: perSecond(at), LaunchedSeconds: launched.Seconds(), DelaySeconds: o.rateDelay.Seconds()}
	if len(at) > 0 {
		logf("outbound rate: first message %.1fs after the launch began (campaign delay %s), every journey started at %.1fs; arrivals per second %v",
			at[0].Sub(t0).Seconds(), o.rateDelay, r.LaunchedSeconds, r.PerSecond)
		if o.rateDelay > 0 && at[0].Sub(t0) < launched {
			logf("outbound rate: the launch outlasted the campaign delay: the sends shared the machine with it")
		}
	}
	r.MeasuredPerSecond = steadyRate(at)
	r.ShareOfLimit = r.MeasuredPerSecond / float64(m)
	res.Outbound = r
	met := "met"
	if r.ShareOfLimit < outboundTarget || r.MaxInAnyWindow > m || r.Rejected429 > 0 {
		met = "NOT MET"
	}
	fmt.Printf("outbound: rate=%.2f/s (%.1f%%) max_in_window=%d 429s=%d workers=%d (target: >= %.0f%% of %d/s, never above %d in any 1s window: %s)\n",
		r.MeasuredPerSecond, 100*r.ShareOfLimit, r.MaxInAnyWindow, r.Rejected429, r.Workers, 100*outboundTarget, m, m, met)
	return nil
}

// steadyRate counts arrivals per second over the whole seconds after the
// first one: the first second measures how fast the bulk launch fills the
// queue, not the send rate, and the last, partial second would flatter or
// punish the figure by where it happens to cut.
func steadyRate(at []time.Time) float64 {
	if len(at) < 2 {
		return 0
	}
	from := at[0].Add(time.Second)
	whole := at[len(at)-1].Sub(from).Truncate(time.Second)
	if whole <= 0 {
		return float64(len(at)-1) / at[len(at)-1].Sub(at[0]).Seconds()
	}
	n := 0
	for _, t := range at {
		if !t.Before(from) && t.Sub(from) < whole {
			n++
		}
	}
	return float64(n) / whole.Seconds()
}

// perSecond counts arrivals in each whole second from the first one.
func perSecond(at []time.Time) []int {
	var out []int
	for _, t := range at {
		i := int(t.Sub(at[0]) / time.Second)
		for len(out) <= i {
			out = append(out, 0)
		}
		out[i]++
	}
	return out
}

// maxInWindow is the most arrivals within any window of the given length
// (at is in order).
func maxInWindow(at []time.Time, window time.Duration) int {
	best, j := 0, 0
	for i := range at {
		for at[i].Sub(at[j]) >= window {
			j++
		}
		best = max(best, i-j+1)
	}
	return best
}

// numbersFrom makes n E.164 numbers starting at index start of a block.
func numbersFrom(block, start, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("+1%03d%07d", block, start+i)
	}
	return out
}

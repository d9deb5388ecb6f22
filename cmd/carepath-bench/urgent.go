package main

import (
	"context"
	"fmt"
	"time"
)

// urgentResult is how long urgent messages waited during a bulk launch at
// the provider's per-number limit.
type urgentResult struct {
	LimitPerSecond int     `json:"limit_per_second"`
	Launched       int     `json:"bulk_launched"`     // patients in the bulk launch
	Seconds        float64 `json:"measured_seconds"`  // from the launch to the last urgent arrival (or the wait's end)
	BulkArrived    int     `json:"bulk_arrived"`      // bulk first messages that reached the provider meanwhile
	MaxInAnyWindow int     `json:"max_in_any_window"` // every message from the number, both lanes
	Rejected429    int     `json:"provider_429s"`
	// Help: a patient texts HELP (signed webhook); until the answer reaches
	// the provider (a compliance reply).
	Help delays `json:"help"`
	// Conversation: a patient answers the launch's question ("3", feeling
	// worse); until the journey's next message reaches the provider (the
	// conversation reply).
	Conversation delays `json:"conversation"`
}

// delays summarises one kind of urgent message. A message that had not
// arrived when the wait ended counts as the wait (so the percentiles are
// lower bounds then, and Undelivered says so).
type delays struct {
	Count       int     `json:"count"`
	Undelivered int     `json:"undelivered"`
	P50Ms       float64 `json:"p50_ms"`
	P99Ms       float64 `json:"p99_ms"`
	MaxMs       float64 `json:"max_ms"`
}

func summarise(lat []time.Duration, undelivered int) delays {
	return delays{Count: len(lat), Undelivered: undelivered,
		P50Ms: ms(percentile(lat, 50)), P99Ms: ms(percentile(lat, 99)), MaxMs: ms(percentile(lat, 100))}
}

// urgentDuringLaunch restarts carepath at the phase's per-number rate, makes
// the fake provider enforce it, bulk-launches post_visit_checkin for
// -urgent-launch patients and, while their first messages queue at that
// rate, sends one urgent message every -urgent-every, alternating: a HELP
// from a patient outside the launch, and an answer from a launched patient
// who has their question. It measures each from the inbound webhook to the reply reaching
// the provider. The launch is not waited out (at 1/s it is many minutes):
// this phase runs last and its leftover sends die with the stack.
func urgentDuringLaunch(ctx context.Context, o options, st *stack, res *result, prefix int) error {
	if err := st.stopCarepath(); err != nil {
		return err
	}
	m := o.urgentRate
	st.twilio.Limit(m)
	if err := st.startCarepath(ctx, m); err != nil {
		return err
	}
	cp := newAPI(st.carepath.base)
	bulk := numbersFrom(prefix, 4_000_000, o.urgentLaunch)
	help := numbersFrom(prefix, 5_000_000, o.urgentCount)
	logf("urgent: registering %d + %d patients; provider limit %d/s", len(bulk), len(help), m)
	ids, err := cp.createPatients(ctx, bulk)
	if err != nil {
		return err
	}
	if _, err := cp.createPatients(ctx, help); err != nil {
		return err
	}
	rejected0 := st.twilio.Rejected()
	t0 := time.Now()
	if _, err := cp.bulkLaunch(ctx, "post_visit_checkin", map[string]any{"delay": "0s"}, ids); err != nil {
		return err
	}
	// Let the launch fill the queues first: urgent traffic starts once the
	// first bulk message has gone out and the warm-up has passed.
	for len(st.arrivals.from(carepathFrom, t0)) == 0 {
		if time.Since(t0) > 2*time.Minute {
			return fmt.Errorf("urgent: launch: no message reached the provider within 2 minutes")
		}
		if err := sleepCtx(ctx, 10*time.Millisecond); err != nil {
			return err
		}
	}
	if err := sleepCtx(ctx, o.urgentWarmup); err != nil {
		return err
	}
	logf("urgent: %d HELPs and %d answers, alternating, one every %s, during the launch", o.urgentCount, o.urgentCount, o.urgentEvery)
	helpSent := make([]time.Time, o.urgentCount)
	answered := make([]string, 0, o.urgentCount)
	answerSent := make([]time.Time, 0, o.urgentCount)
	errc := make(chan error, 2*o.urgentCount)
	next := 0 // the next launched patient, in launch order, to look at for an answer
	start := time.Now()
	for tick := range 2 * o.urgentCount {
		if err := sleepCtx(ctx, time.Until(start.Add(time.Duration(tick)*o.urgentEvery))); err != nil {
			return err
		}
		if i := tick / 2; tick%2 == 0 {
			helpSent[i] = time.Now()
			go func() { errc <- cp.reply(ctx, fmt.Sprintf("SMurgenthelp%07d", i), help[i], "HELP") }()
			continue
		}
		// The answer of a patient whose question has arrived (the
		// earliest one not answered yet).
		for next < len(bulk) {
			n := bulk[next]
			next++
			if _, ok := st.arrivals.nth(n, 1); ok {
				answered = append(answered, n)
				answerSent = append(answerSent, time.Now())
				k := len(answered) - 1
				go func() { errc <- cp.reply(ctx, fmt.Sprintf("SMurgentanswer%07d", k), n, "3") }()
				break
			}
		}
	}
	for range o.urgentCount + len(answered) {
		if err := <-errc; err != nil {
			return fmt.Errorf("urgent: inbound: %w", err)
		}
	}
	deadline := time.Now().Add(o.urgentWait)
	helpLat, helpMissing := waitEach(ctx, st.arrivals, help, helpSent, 1, deadline)
	ansLat, ansMissing := waitEach(ctx, st.arrivals, answered, answerSent, 2, deadline)
	end := time.Now()
	at := st.arrivals.from(carepathFrom, t0)
	r := &urgentResult{LimitPerSecond: m, Launched: len(bulk), Seconds: end.Sub(t0).Seconds(),
		MaxInAnyWindow: maxInWindow(at, time.Second), Rejected429: st.twilio.Rejected() - rejected0,
		Help: summarise(helpLat, helpMissing), Conversation: summarise(ansLat, ansMissing)}
	for _, n := range bulk {
		if _, ok := st.arrivals.nth(n, 1); ok {
			r.BulkArrived++
		}
	}
	res.Urgent = r
	logf("urgent: HELP → answer p50 %.0f ms, p99 %.0f ms (%d, %d undelivered); answer → reply p50 %.0f ms, p99 %.0f ms (%d, %d undelivered)",
		r.Help.P50Ms, r.Help.P99Ms, r.Help.Count, r.Help.Undelivered, r.Conversation.P50Ms, r.Conversation.P99Ms, r.Conversation.Count, r.Conversation.Undelivered)
	return st.stopCarepath()
}

// waitEach waits until each number has its k-th message, or the deadline,
// and returns each one's delay from sent; a message still missing at the
// deadline counts as the time waited for it, and is counted as missing.
func waitEach(ctx context.Context, arr *arrivals, nums []string, sent []time.Time, k int, deadline time.Time) ([]time.Duration, int) {
	lat := make([]time.Duration, len(nums))
	missing := 0
	for i, n := range nums {
		for {
			if at, ok := arr.nth(n, k); ok {
				lat[i] = at.Sub(sent[i])
				break
			}
			if time.Now().After(deadline) || ctx.Err() != nil {
				lat[i] = time.Since(sent[i])
				missing++
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	return lat, missing
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

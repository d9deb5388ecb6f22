package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// result is every figure one run produced; it is written as JSON.
type result struct {
	Started   time.Time       `json:"started"`
	Finished  time.Time       `json:"finished"`
	N         int             `json:"n"`
	ReplyRate float64         `json:"reply_rate_per_second"`
	CPUs      int             `json:"cpus"`
	GoVersion string          `json:"go_version"`
	Embedded  map[string]bool `json:"embedded"` // services the bench started itself

	// Compare is the baseline against carepath, once per Temporal server
	// measured (the dev server, then the cluster), each in the same run.
	Compare []comparison `json:"compare,omitempty"`
	// ClusterError is why the cluster was not measured (-cluster).
	ClusterError string `json:"cluster_error,omitempty"`

	Outbound    *outboundResult `json:"outbound,omitempty"`
	Idle        *idleResult     `json:"idle,omitempty"`
	Urgent      *urgentResult   `json:"urgent,omitempty"`
	Rejected429 int             `json:"provider_429s"` // requests the fake provider refused for rate, whole run
}

// comparison is the baseline and carepath on one Temporal server.
type comparison struct {
	Server  string `json:"server"`  // dev, cluster
	Address string `json:"address"` // the frontend both used

	Baseline side `json:"baseline"`
	Carepath side `json:"carepath"`

	LaunchRatio   float64 `json:"launch_ratio"`    // carepath launches per second / baseline's
	ReplyP50Ratio float64 `json:"reply_p50_ratio"` // carepath p50 / baseline p50
	ReplyP99Ratio float64 `json:"reply_p99_ratio"`
	AckP50Ratio   float64 `json:"ack_p50_ratio"` // the webhook's 200 / a bare signal, p50

	// First is which side ran first in a single round; Rounds are the
	// rounds these figures pool (-rounds), each with its own figures.
	First  string       `json:"first,omitempty"`
	Rounds []comparison `json:"rounds,omitempty"`
}

// side is one contender's figures.
type side struct {
	LaunchSeconds   float64 `json:"launch_seconds"`
	LaunchPerSecond float64 `json:"launch_per_second"`
	ReplyP50Ms      float64 `json:"reply_p50_ms"`
	ReplyP90Ms      float64 `json:"reply_p90_ms"`
	ReplyP99Ms      float64 `json:"reply_p99_ms"`
	ReplyMaxMs      float64 `json:"reply_max_ms"`
	// AckP50Ms is how long the reply itself took to be accepted: the
	// signal call for the baseline, the webhook's 200 for carepath.
	AckP50Ms     float64 `json:"reply_ack_p50_ms"`
	AckP99Ms     float64 `json:"reply_ack_p99_ms"`
	EventsPerRun float64 `json:"history_events_per_run"` // mean over a sample of finished runs

	// What pooling rounds needs: how many launched, every reply's times.
	launches  int
	lat, acks []time.Duration
}

// launched records a launch that started at t0 and whose first messages
// arrived at the given times.
func (s *side) launched(t0 time.Time, firsts []time.Time) {
	last := slices.MaxFunc(firsts, func(a, b time.Time) int { return a.Compare(b) })
	s.LaunchSeconds = last.Sub(t0).Seconds()
	s.LaunchPerSecond = float64(len(firsts)) / s.LaunchSeconds
	s.launches = len(firsts)
}

func (s *side) replied(lat, acks []time.Duration) {
	s.lat, s.acks = lat, acks
	s.AckP50Ms = ms(percentile(acks, 50))
	s.AckP99Ms = ms(percentile(acks, 99))
	s.ReplyP50Ms = ms(percentile(lat, 50))
	s.ReplyP90Ms = ms(percentile(lat, 90))
	s.ReplyP99Ms = ms(percentile(lat, 99))
	s.ReplyMaxMs = ms(percentile(lat, 100))
}

func (r *comparison) ratios() {
	r.LaunchRatio = r.Carepath.LaunchPerSecond / r.Baseline.LaunchPerSecond
	r.ReplyP50Ratio = r.Carepath.ReplyP50Ms / r.Baseline.ReplyP50Ms
	r.ReplyP99Ratio = r.Carepath.ReplyP99Ms / r.Baseline.ReplyP99Ms
	r.AckP50Ratio = r.Carepath.AckP50Ms / r.Baseline.AckP50Ms
}

// percentile is the nearest-rank percentile (p in 1..100).
func percentile(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	rank := (p*len(s) + 99) / 100 // ceil(p/100 * n)
	return s[max(rank, 1)-1]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// printTable writes one server's baseline-against-carepath table.
func (c comparison) printTable(b *strings.Builder, n int, replyRate float64) {
	if len(c.Rounds) > 0 {
		fmt.Fprintf(b, "%s (%s): n=%d per side in each of %d rounds (alternating which side goes first; figures pool the rounds), replies at %.0f/s\n",
			c.Server, c.Address, n, len(c.Rounds), replyRate)
	} else {
		fmt.Fprintf(b, "%s (%s): n=%d, replies at %.0f/s\n", c.Server, c.Address, n, replyRate)
	}
	fmt.Fprintf(b, "%-34s %12s %12s %8s\n", "", "baseline", "carepath", "ratio")
	row := func(name string, base, cp, ratio float64) {
		fmt.Fprintf(b, "%-34s %12.1f %12.1f %8.2f\n", name, base, cp, ratio)
	}
	bl, cp := c.Baseline, c.Carepath
	row("launch (first messages/s)", bl.LaunchPerSecond, cp.LaunchPerSecond, c.LaunchRatio)
	row("launch time (s)", bl.LaunchSeconds, cp.LaunchSeconds, cp.LaunchSeconds/bl.LaunchSeconds)
	row("reply → next message p50 (ms)", bl.ReplyP50Ms, cp.ReplyP50Ms, c.ReplyP50Ratio)
	row("reply → next message p90 (ms)", bl.ReplyP90Ms, cp.ReplyP90Ms, cp.ReplyP90Ms/bl.ReplyP90Ms)
	row("reply → next message p99 (ms)", bl.ReplyP99Ms, cp.ReplyP99Ms, c.ReplyP99Ratio)
	row("reply → next message max (ms)", bl.ReplyMaxMs, cp.ReplyMaxMs, cp.ReplyMaxMs/bl.ReplyMaxMs)
	row("reply accepted p50 (ms)", bl.AckP50Ms, cp.AckP50Ms, c.AckP50Ratio)
	row("reply accepted p99 (ms)", bl.AckP99Ms, cp.AckP99Ms, cp.AckP99Ms/bl.AckP99Ms)
	row("history events per run", bl.EventsPerRun, cp.EventsPerRun, cp.EventsPerRun/bl.EventsPerRun)
	fmt.Fprintln(b)
	c.printRounds(b)
}

// print writes the report to w.
func (r *result) print(w io.Writer, jsonPath string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "\ncarepath bench — %d CPUs, %s\n\n", r.CPUs, r.GoVersion)
	for _, c := range r.Compare {
		c.printTable(&b, r.N, r.ReplyRate)
	}
	if o := r.Outbound; o != nil {
		fmt.Fprintf(&b, "outbound rate: provider limit %d/s per number; %d messages due %.0fs after enrollment (launch %.1fs); measured %.2f/s (%.1f%% of the limit); "+
			"most in any 1s window %d; 429s %d\n\n", o.LimitPerSecond, o.Messages, o.DelaySeconds, o.LaunchedSeconds, o.MeasuredPerSecond, 100*o.ShareOfLimit, o.MaxInAnyWindow, o.Rejected429)
	}
	if i := r.Idle; i != nil {
		fmt.Fprintf(&b, "idle: %d patients enrolled and waiting (launched in %.1fs, %.0f/s)\n", i.Patients, i.LaunchSeconds, float64(i.Patients)/i.LaunchSeconds)
		fmt.Fprintf(&b, "  carepath RSS %.0f MiB · Temporal RSS %.0f MiB · PostgreSQL database %.0f MiB (+%.1f KiB per patient)\n",
			i.CarepathRSSMiB, i.TemporalRSSMiB, i.PostgresMiB, i.PostgresKiBPerPatient)
		fmt.Fprintf(&b, "  history events per waiting enrollment %.1f · CPU while idle over %s: carepath %.2f%%, Temporal %.2f%%, PostgreSQL %.2f%% (of one core)\n\n",
			i.EventsPerEnrollment, i.Window, i.CarepathCPUPercent, i.TemporalCPUPercent, i.PostgresCPUPercent)
	}
	if u := r.Urgent; u != nil {
		fmt.Fprintf(&b, "urgent during a bulk launch: %d patients at %d/s per number; %d bulk messages and the replies below in %.0fs; "+
			"most in any 1s window %d; 429s %d\n", u.Launched, u.LimitPerSecond, u.BulkArrived, u.Seconds, u.MaxInAnyWindow, u.Rejected429)
		line := func(name string, d delays) {
			fmt.Fprintf(&b, "  %-34s p50 %8.1f ms  p99 %8.1f ms  max %8.1f ms  (n=%d", name, d.P50Ms, d.P99Ms, d.MaxMs, d.Count)
			if d.Undelivered > 0 {
				fmt.Fprintf(&b, ", %d not delivered within the wait: lower bounds", d.Undelivered)
			}
			fmt.Fprintln(&b, ")")
		}
		line("HELP → answer at the provider", u.Help)
		line("answer → conversation reply", u.Conversation)
		fmt.Fprintf(&b, "bench: urgent_p50_ms=%.0f urgent_p99_ms=%.0f urgent_n=%d\n\n", u.Help.P50Ms, u.Help.P99Ms, u.Help.Count)
	}
	fmt.Fprintf(&b, "figures: %s\n", jsonPath)
	printTargets(&b, r.Compare, r.N, r.ClusterError)
	_, err := io.WriteString(w, b.String())
	return err
}

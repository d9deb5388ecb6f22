package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
)

// Rounds. One comparison on a two-core machine varies from run to run by
// as much as the targets' margins (the baseline's own reply p50 ranged
// 63–100 ms in a day), and the side that runs second finds the server
// holding the first side's finished runs. So the comparison runs in rounds
// that alternate which side goes first, and each side's figures pool its
// rounds: launch rate over all of its launches, reply percentiles over all
// of its replies. Each round's own ratios are printed too.

// roundsOffset spaces each round's phone numbers: numbersFrom's block has
// seven digits, and maxRounds rounds of up to roundsOffset patients stay
// below the next phase's numbers (the idle phase's at 1,000,000, the
// urgent phase's at 4,000,000, the cluster's own above 6,000,000).
const (
	roundsOffset = 200_000
	maxRounds    = 4
)

// compareRounds runs o.rounds comparisons on the stack's server and pools
// them into one.
func compareRounds(ctx context.Context, o options, st *stack, tc client.Client, runID string, prefix, offset int) (comparison, error) {
	var rounds []comparison
	for r := range o.rounds {
		carepathFirst := o.order == "carepath-first"
		if o.rounds > 1 {
			carepathFirst = r%2 == 1
		}
		first := "baseline"
		if carepathFirst {
			first = "carepath"
		}
		logf("round %d of %d: %s first", r+1, o.rounds, first)
		c, err := compare(ctx, o, st, tc, fmt.Sprintf("%s%d", runID, r), prefix, offset+r*roundsOffset, carepathFirst)
		if err != nil {
			return comparison{}, fmt.Errorf("round %d: %w", r+1, err)
		}
		c.First = first
		rounds = append(rounds, c)
	}
	if len(rounds) == 1 {
		return rounds[0], nil
	}
	pooled := comparison{Baseline: pool(rounds, func(c comparison) side { return c.Baseline }),
		Carepath: pool(rounds, func(c comparison) side { return c.Carepath }), Rounds: rounds}
	pooled.ratios()
	return pooled, nil
}

// pool merges one side's rounds: launches per second over all launches,
// percentiles over all replies, history events averaged.
func pool(rounds []comparison, of func(comparison) side) side {
	var out side
	var lat, acks []time.Duration
	launched := 0
	for _, c := range rounds {
		s := of(c)
		out.LaunchSeconds += s.LaunchSeconds
		launched += s.launches
		out.EventsPerRun += s.EventsPerRun / float64(len(rounds))
		lat, acks = append(lat, s.lat...), append(acks, s.acks...)
	}
	out.launches = launched
	out.LaunchPerSecond = float64(launched) / out.LaunchSeconds
	out.replied(lat, acks)
	return out
}

// printRounds writes each round's ratios under the pooled table.
func (c comparison) printRounds(b *strings.Builder) {
	if len(c.Rounds) == 0 {
		return
	}
	for i, r := range c.Rounds {
		fmt.Fprintf(b, "  round %d (%s first): launch %.2f (%.1f vs %.1f/s) · reply p50 %.2f (%.1f vs %.1f ms) · p99 %.2f (%.1f vs %.1f ms) · accepted p50 %.2f (%.1f vs %.1f ms)\n",
			i+1, r.First, r.LaunchRatio, r.Carepath.LaunchPerSecond, r.Baseline.LaunchPerSecond,
			r.ReplyP50Ratio, r.Carepath.ReplyP50Ms, r.Baseline.ReplyP50Ms,
			r.ReplyP99Ratio, r.Carepath.ReplyP99Ms, r.Baseline.ReplyP99Ms,
			r.AckP50Ratio, r.Carepath.AckP50Ms, r.Baseline.AckP50Ms)
	}
	fmt.Fprintln(b)
}

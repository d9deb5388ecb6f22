package main

import (
	"fmt"
	"strings"
)

// target is one ratio carepath must meet against bare Temporal on the same
// server (issue 15): at least (min) or at most (max) a threshold.
type target struct {
	name      string
	threshold float64
	atLeast   bool
	value     func(comparison) float64
}

// targets are the ratios `make bench` checks, on every server measured.
var targets = []target{
	{"launch_ratio", 1.0, true, func(c comparison) float64 { return c.LaunchRatio }},
	{"reply_p50_ratio", 1.15, false, func(c comparison) float64 { return c.ReplyP50Ratio }},
	{"reply_p99_ratio", 1.5, false, func(c comparison) float64 { return c.ReplyP99Ratio }},
	{"ack_p50_ratio", 2.0, false, func(c comparison) float64 { return c.AckP50Ratio }},
}

func (t target) met(v float64) bool {
	if t.atLeast {
		return v >= t.threshold
	}
	return v <= t.threshold
}

func (t target) String() string {
	if t.atLeast {
		return fmt.Sprintf(">=%.2f", t.threshold)
	}
	return fmt.Sprintf("<=%.2f", t.threshold)
}

// failures lists the targets one comparison misses.
func (c comparison) failures() []string {
	var out []string
	for _, t := range targets {
		if !t.met(t.value(c)) {
			out = append(out, c.Server+" "+t.name)
		}
	}
	return out
}

// printTargets ends the report: per server, every target with its
// threshold and PASS or FAIL, then one line for the whole run.
func printTargets(b *strings.Builder, cs []comparison, n int, clusterErr string) {
	if len(cs) == 0 && clusterErr == "" {
		return
	}
	var failed []string
	for _, c := range cs {
		fmt.Fprintf(b, "bench: server=%s", c.Server)
		for _, t := range targets {
			v := t.value(c)
			verdict := "PASS"
			if !t.met(v) {
				verdict = "FAIL"
			}
			fmt.Fprintf(b, " %s=%.2f(%s %s)", t.name, v, t, verdict)
		}
		fmt.Fprintf(b, " n=%d\n", n)
		failed = append(failed, c.failures()...)
	}
	total := len(targets) * len(cs)
	if clusterErr != "" {
		fmt.Fprintf(b, "bench: server=cluster not measured: %s\n", clusterErr)
		for _, t := range targets {
			failed = append(failed, "cluster "+t.name)
		}
		total += len(targets)
	}
	if len(failed) == 0 {
		fmt.Fprintf(b, "bench: targets PASS (%d of %d on %d server(s))\n", total, total, len(cs))
		return
	}
	fmt.Fprintf(b, "bench: targets FAIL (%d of %d missed: %s)\n", len(failed), total, strings.Join(failed, ", "))
}

// allMet reports whether every comparison meets every target.
func allMet(cs []comparison) bool {
	for _, c := range cs {
		if len(c.failures()) > 0 {
			return false
		}
	}
	return true
}

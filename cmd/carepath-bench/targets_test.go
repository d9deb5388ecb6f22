package main

import (
	"strings"
	"testing"
)

// Each target passes at its threshold and fails just past it, and the
// summary names every miss by server.
func TestTargetsVerdicts(t *testing.T) {
	ok := comparison{Server: "dev", LaunchRatio: 1.0, ReplyP50Ratio: 1.15, ReplyP99Ratio: 1.5, AckP50Ratio: 2.0}
	bad := comparison{Server: "cluster", LaunchRatio: 0.99, ReplyP50Ratio: 1.16, ReplyP99Ratio: 1.51, AckP50Ratio: 2.01}
	if f := ok.failures(); len(f) != 0 {
		t.Fatalf("at the thresholds: %v", f)
	}
	if f := bad.failures(); len(f) != len(targets) {
		t.Fatalf("past every threshold, missed %v", f)
	}
	var b strings.Builder
	printTargets(&b, []comparison{ok, bad}, 10, "")
	out := b.String()
	for _, want := range []string{"server=dev launch_ratio=1.00(>=1.00 PASS)", "ack_p50_ratio=2.01(<=2.00 FAIL)",
		"bench: targets FAIL (4 of 8 missed: cluster launch_ratio, cluster reply_p50_ratio, cluster reply_p99_ratio, cluster ack_p50_ratio)"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if allMet([]comparison{ok, bad}) || !allMet([]comparison{ok}) {
		t.Error("allMet disagrees with the verdicts")
	}
}

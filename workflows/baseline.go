package workflows

import "go.temporal.io/sdk/workflow"

// changeBaseline (version 1, 2026-12-01) is one GetVersion at a run's start
// standing for every change in baselined: a run that records it takes all
// of them without asking each. The Go SDK upserts the TemporalChangeVersion
// search attribute with the first GetVersion of each change in a run (a
// visibility write per change), and two of the changes were asked on the
// reply path and one at the end: four upserts per journey, two of them
// between a patient's answer and the next message. With the baseline a new
// run records one marker and one upsert in its first workflow task.
//
// A run started before the baseline replays without its marker
// (DefaultVersion) and asks each change where it always did, so its
// history replays unchanged. A change made after the baseline is not in
// baselined: it is asked with its own GetVersion (a run that recorded the
// baseline may already have passed the changed code).
//
// Version 2 (2026-12-01, night) also stands for changeLocalReply: a run
// started since records version 2 in the same marker, and a run that
// recorded version 1 asks that change on its own. Version 3 (2026-12-01)
// also stands for changeLocalSend; runs that recorded 1 or 2 ask it on
// its own.
const changeBaseline = "baseline-2026-12"

// baselineVersion is the version a new run records.
const baselineVersion workflow.Version = 3

// baselined is the baseline version that first stands for changeID (0:
// none): the runtime's changes, and the journeys' own (asked through
// J.Changed; their IDs are journeys/legacy.go's, spelled out here so that
// each version's extent is in one place and fixed).
func baselined(changeID string) workflow.Version {
	switch changeID {
	case changeEscalateInTask, changeFinishInTask, changeConversationLane, changeEmailLane, changeBoundedCarry,
		"onboarding-clarify-and-decline-record", "reengagement-clarify-and-after-visit",
		"post-visit-clarify-and-decliner-touch", "treatment-readings-on-arrival", "treatment-calendar-days":
		return 1
	case changeLocalReply:
		return 2
	case changeLocalSend:
		return 3
	}
	return 0
}

// askBaseline records (or replays) the baseline; newJ calls it first, so a
// new run's marker comes before any other command.
func askBaseline(ctx workflow.Context) workflow.Version {
	return workflow.GetVersion(ctx, changeBaseline, workflow.DefaultVersion, baselineVersion)
}

// has reports whether this run takes changeID (version 1): at once for a
// change its recorded baseline stands for, otherwise by its own
// GetVersion on ctx.
func (j *J) has(ctx workflow.Context, changeID string) bool {
	if v := baselined(changeID); v != 0 && j.baseline >= v {
		return true
	}
	return workflow.GetVersion(ctx, changeID, workflow.DefaultVersion, 1) == 1
}

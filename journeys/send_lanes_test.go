package journeys_test

import (
	"slices"
	"testing"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/journeys"
	"github.com/carepath/carepath/workflows"
	"github.com/carepath/carepath/workflows/journeytest"
)

// Each send goes on its lane: the reply to an answer inside the workflow
// task, on the priority lane's slot; every other send inside the workflow
// task too when its slot is free, and otherwise on the SMS lane, or on the
// email lane once the run's messages go by email, the first one included
// when the start's channel hint says email (issue 15: email never waits
// behind the SMS rate). A run started without a hint sends its first
// message on the SMS lane.
func TestSendLanes(t *testing.T) {
	sms, email, priority, now := workflows.SendTaskQueue, workflows.SendEmailTaskQueue, journeytest.LocalReply, journeytest.LocalSend
	for _, tc := range []struct {
		name    string
		channel carepath.Channel
		busy    bool
		want    []string
	}{
		{"free", carepath.ChannelSMS, false, []string{now, priority, now, priority}},
		{"no hint", "", true, []string{sms, priority, sms, priority}},
		{"sms", carepath.ChannelSMS, true, []string{sms, priority, sms, priority}},
		{"email", carepath.ChannelEmail, true, []string{email, priority, email, priority}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, _ := newHarness(t, journeys.PostVisitCheckin, false)
			h.Channel = tc.channel
			h.SlotsBusy = tc.busy
			h.ReplyAt(time.Minute, "1")
			h.ReplyAt(2*time.Minute, "9")
			if out := run(t, h, `{"delay":"0s"}`); out != journeys.OutcomeBetter {
				t.Fatalf("outcome %q", out)
			}
			wantTemplates(t, h, "post_visit.feeling", "post_visit.glad", "post_visit.satisfaction", "post_visit.thanks")
			var lanes []string
			for _, s := range h.Sent() {
				lanes = append(lanes, s.Lane)
			}
			if !slices.Equal(lanes, tc.want) {
				t.Fatalf("lanes %v, want %v", lanes, tc.want)
			}
		})
	}
}

package journeys_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/carepath/carepath/journeys"
	"github.com/carepath/carepath/workflows"
	"github.com/carepath/carepath/workflows/journeytest"
)

// Each journey's declared Opening (what a bulk launch's dry run counts)
// matches what the journey really sends: run with no reply, the messages
// up to and including the first question are Opening.Messages, and the
// first goes with Opening.Purpose.
func TestOpeningMatchesTheJourney(t *testing.T) {
	cases := []struct {
		def    workflows.Definition
		params string
	}{
		{journeys.Onboarding, `{}`},
		{journeys.PostVisitCheckin, `{}`},
		{journeys.Reengagement, `{}`},
		{journeys.Reengagement, `{"first_attempt":"now"}`},
		{journeys.Reengagement, touchNow},
		{journeys.TreatmentFollowup, `{"length":"336h"}`},
	}
	for _, c := range cases {
		t.Run(c.def.JourneyName()+c.params, func(t *testing.T) {
			h, _ := newHarness(t, c.def, true, journeys.All()...)
			if _, err := h.Run(c.params); err != nil {
				t.Fatalf("journey failed: %v", err)
			}
			norm, err := c.def.NormalizeParams(json.RawMessage(c.params))
			if err != nil {
				t.Fatal(err)
			}
			want, err := c.def.OpeningFor(norm)
			if err != nil {
				t.Fatal(err)
			}
			sent := h.Sent()
			n := 0
			for _, s := range sent {
				n++
				if s.QuestionID != "" {
					break
				}
			}
			if n != want.Messages || len(sent) == 0 || sent[0].Purpose != want.Purpose {
				t.Fatalf("sends %d message(s) before the first reply, first as %q; Opening says %d, %q", n, firstPurpose(sent), want.Messages, want.Purpose)
			}
			fmt.Printf("opening %s %s: %d message(s), %s\n", c.def.JourneyName(), c.params, n, want.Purpose)
		})
	}
}

func firstPurpose(sent []journeytest.Sent) string {
	if len(sent) == 0 {
		return "none"
	}
	return string(sent[0].Purpose)
}

// Every journey in the catalogue declares its opening, so a dry run can
// count any of them.
func TestEveryJourneyDeclaresItsOpening(t *testing.T) {
	for _, def := range journeys.All() {
		norm, err := def.NormalizeParams(nil)
		if err != nil {
			t.Fatal(err)
		}
		if o, err := def.OpeningFor(norm); err != nil || o.Messages < 1 {
			t.Errorf("%s: opening %+v, %v", def.JourneyName(), o, err)
		}
	}
}

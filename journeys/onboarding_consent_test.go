package journeys_test

import (
	"testing"
	"time"

	"github.com/carepath/carepath/journeys"
)

// Onboarding's consent carries the reply it came from, so the ledger dates
// it by the reply's receipt: a STOP sent after the reply wins even if the
// consent is recorded after the STOP.
func TestOnboardingConsentCarriesTheReply(t *testing.T) {
	h, _ := newHarness(t, journeys.Onboarding, false, journeys.All()...)
	for i, r := range []string{"yes", "2", "yes", "2", "1"} {
		h.ReplyAt(time.Duration(i+1)*time.Hour, r)
	}
	if out := run(t, h, ""); out != journeys.OutcomeEngaged {
		t.Fatalf("outcome %q", out)
	}
	c := h.Consents()
	if len(c) != 2 {
		t.Fatalf("consents: %+v", c)
	}
	for _, rc := range c {
		if rc.ReplyMessageID == "" || rc.ReplyMessageID != c[0].ReplyMessageID {
			t.Fatalf("consent recorded without the reply that carried it: %+v", c)
		}
	}
}

package activities

import (
	"testing"

	"github.com/carepath/carepath/messaging"
	"github.com/carepath/carepath/store"
)

// pick's rule over the provider's unowned messages to one address (newest
// first, as providers list them).
func TestPickCorrelatesWithoutTrustingTheBodyAlone(t *testing.T) {
	acc := func(id, body string) messaging.Accepted { return messaging.Accepted{ProviderMessageID: id, Body: body} }
	rival := func(body string) store.UnknownOutcome { return store.UnknownOutcome{ID: "other", Body: body} }
	const ours = "Hello Ana, how is your pain today (0-10)?"
	cases := []struct {
		name   string
		free   []messaging.Accepted
		rivals []store.UnknownOutcome
		want   string
	}{
		{"exact body", []messaging.Accepted{acc("SM2", "something else"), acc("SM1", ours)}, nil, "SM1"},
		{"oldest of identical", []messaging.Accepted{acc("SM2", ours), acc("SM1", ours)}, []store.UnknownOutcome{rival(ours)}, "SM1"},
		{"altered, nobody else unknown", []messaging.Accepted{acc("SM1", ours+"\nReply STOP to opt out")}, nil, "SM1"},
		{"the other unknown message's exact body", []messaging.Accepted{acc("SM1", "Hi Bo")}, []store.UnknownOutcome{rival("Hi Bo")}, ""},
		{"altered, closer to the other one", []messaging.Accepted{acc("SM1", "Hi Bo, see you Tuesday.")},
			[]store.UnknownOutcome{rival("Hi Bo, see you Tuesday")}, ""},
		{"altered, closer to ours", []messaging.Accepted{acc("SM1", ours+" STOP=opt out")},
			[]store.UnknownOutcome{rival("Your appointment is on Tuesday")}, "SM1"},
		{"nothing", nil, nil, ""},
	}
	for _, c := range cases {
		if got := pick(c.free, ours, c.rivals); got != c.want {
			t.Errorf("%s: picked %q, want %q", c.name, got, c.want)
		}
	}
}

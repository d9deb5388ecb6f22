package messaging_test

import (
	"testing"

	"github.com/carepath/carepath/messaging"
)

func TestParsePreference(t *testing.T) {
	cases := map[string]messaging.PreferenceChange{
		"Email me instead":            {Channel: "email"},
		"please email me":             {Channel: "email"},
		"Text in Spanish":             {Locale: "es"},
		"en español por favor":        {Locale: "es"},
		"email me, in Spanish!":       {Channel: "email", Locale: "es"},
		"Less often please":           {LessOften: true},
		"too many messages":           {LessOften: true},
		"text me instead":             {Channel: "sms"},
		"3":                           {},
		"my email is broken":          {},
		"I speak Spanish and English": {},
		"worse":                       {},
	}
	for in, want := range cases {
		if got := messaging.ParsePreference(in); got != want {
			t.Errorf("ParsePreference(%q) = %+v, want %+v", in, got, want)
		}
	}
}

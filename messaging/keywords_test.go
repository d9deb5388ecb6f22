package messaging_test

import (
	"testing"

	"github.com/carepath/carepath/messaging"
)

func TestParseKeyword(t *testing.T) {
	cases := map[string]messaging.Keyword{
		"STOP": messaging.KeywordStop, "stop": messaging.KeywordStop, " Stop ": messaging.KeywordStop, "Stop.": messaging.KeywordStop,
		"STOPALL": messaging.KeywordStop, "unsubscribe": messaging.KeywordStop, "Cancel": messaging.KeywordStop,
		"END": messaging.KeywordStop, "quit!": messaging.KeywordStop, "REVOKE": messaging.KeywordStop,
		"OPTOUT": messaging.KeywordStop, "opt out": messaging.KeywordStop, "OPT   OUT": messaging.KeywordStop,
		"START": messaging.KeywordStart, "unstop": messaging.KeywordStart, "yes": messaging.KeywordYes,
		"HELP": messaging.KeywordHelp, "info?": messaging.KeywordHelp,
		"": messaging.KeywordNone, "3": messaging.KeywordNone, "I can't stop coughing": messaging.KeywordNone,
		"stop it please": messaging.KeywordNone, "stopp": messaging.KeywordNone, "OPT-OUT": messaging.KeywordNone,
	}
	for in, want := range cases {
		if got := messaging.ParseKeyword(in); got != want {
			t.Errorf("ParseKeyword(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParseKeyword(f *testing.F) {
	for _, s := range []string{"STOP", " opt out ", "Stop.", "help?", "I can't stop", "\u00a0STOP\u00a0", "ＳＴＯＰ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		switch messaging.ParseKeyword(s) {
		case messaging.KeywordNone, messaging.KeywordStop, messaging.KeywordStart, messaging.KeywordYes, messaging.KeywordHelp:
		default:
			t.Fatalf("ParseKeyword(%q) returned an unknown keyword", s)
		}
	})
}

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

func TestParseEmailKeyword(t *testing.T) {
	cases := []struct {
		subject, text string
		want          messaging.Keyword
	}{
		{"STOP", "", messaging.KeywordStop},
		{"Re: STOP", "", messaging.KeywordStop},
		{"RE: Fwd: unsubscribe", "", messaging.KeywordStop},
		{"Re: Your visit on Monday", "STOP", messaging.KeywordStop},
		{"Re: Your visit on Monday", "\n\n  Unsubscribe.  \n\nPat\nSent from my phone", messaging.KeywordStop},
		{"Re: Your visit on Monday", "STOP\n\nOn Mon, Nov 30, 2026 at 9:00 AM Care Team wrote:\n> Reply HELP for help", messaging.KeywordStop},
		{"Re: Your visit on Monday", "opt out", messaging.KeywordStop},
		{"", "start", messaging.KeywordStart},
		{"help", "", messaging.KeywordHelp},
		{"Re: HELP", "STOP", messaging.KeywordStop},   // a revocation beside another keyword wins
		{"START", "help", messaging.KeywordStart},     // START over HELP
		{"Re: Your visit", "", messaging.KeywordNone}, // no text at all
		// The keyword only in the quoted original, or inside a sentence.
		{"Re: Your visit", "On Mon, Nov 30, 2026 at 9:00 AM Care Team wrote:\n> Reply STOP to opt out", messaging.KeywordNone},
		{"Re: Your visit", "> STOP", messaging.KeywordNone},
		{"Re: Your visit", "-----Original Message-----\nSTOP", messaging.KeywordNone},
		{"Re: Your visit", "Thanks, see you then.\nSTOP", messaging.KeywordNone},
		{"Re: Help with my appointment", "I can't stop coughing", messaging.KeywordNone},
		{"Re: Your visit", "Stop the pain meds?", messaging.KeywordNone},
		// Email has no YES keyword and CANCEL may be about an appointment.
		{"Re: Your visit", "yes", messaging.KeywordNone},
		{"Re: Your visit", "Cancel", messaging.KeywordNone},
	}
	for _, c := range cases {
		if got := messaging.ParseEmailKeyword(c.subject, c.text); got != c.want {
			t.Errorf("ParseEmailKeyword(%q, %q) = %q, want %q", c.subject, c.text, got, c.want)
		}
	}
}

package messaging_test

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/messaging"
)

var revocationLabels = map[string]messaging.Revocation{
	"none": messaging.RevocationNone, "unclear": messaging.RevocationUnclear, "clear": messaging.RevocationClear,
}

type labelledMessage struct {
	want messaging.Revocation
	text string
	line int
}

func readLabelledRevocations(t *testing.T) []labelledMessage {
	t.Helper()
	f, err := os.Open("testdata/revocations_labelled.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	var out []labelledMessage
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		label, text, ok := strings.Cut(line, "\t")
		want, known := revocationLabels[label]
		if !ok || !known || strings.TrimSpace(text) == "" {
			t.Fatalf("revocations_labelled.tsv:%d: want label<TAB>text with label clear, unclear or none", n)
		}
		out = append(out, labelledMessage{want: want, text: text, line: n})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRevocationLabelled checks ParseRevocation against the labelled set:
// every clear revocation must read clear (recall 100%), and no message
// labelled none may read clear. Its figures go to make test's summary.
func TestRevocationLabelled(t *testing.T) {
	set := readLabelledRevocations(t)
	if len(set) < 200 {
		t.Fatalf("labelled set has %d messages, want at least 200", len(set))
	}
	var confusion [3][3]int // [want][got]
	for _, m := range set {
		got := messaging.ParseRevocation(m.text)
		confusion[m.want][got]++
		switch {
		case m.want == messaging.RevocationClear && got != messaging.RevocationClear:
			t.Errorf("line %d: clear revocation %q read as %v", m.line, m.text, got)
		case m.want == messaging.RevocationNone && got == messaging.RevocationClear:
			t.Errorf("line %d: %q (none) read as a clear revocation", m.line, m.text)
		case m.want != got:
			t.Logf("line %d: %q (%v) read as %v", m.line, m.text, m.want, got)
		}
	}
	clear := messaging.RevocationClear
	tp := confusion[clear][clear]
	predicted := confusion[0][clear] + confusion[1][clear] + tp
	actual := confusion[clear][0] + confusion[clear][1] + tp
	unclear := confusion[1][1] + confusion[1][2]
	testenv.Figure("opt-outs: n=%d clear: precision=%.3f (%d/%d) recall=%.3f (%d/%d); confusion rows labelled none/unclear/clear, "+
		"columns read as none/unclear/clear: %v %v %v; unclear caught %d/%d (as unclear %d, as clear %d)", len(set),
		ratio(tp, predicted), tp, predicted, ratio(tp, actual), tp, actual, confusion[0], confusion[1], confusion[2],
		unclear, confusion[1][0]+unclear, confusion[1][1], confusion[1][2])
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// TestParseRevocationText checks how text is read: folding, clauses and
// the guards, one case each beside the labelled set.
func TestParseRevocationText(t *testing.T) {
	cases := []struct {
		text string
		want messaging.Revocation
	}{
		{"", messaging.RevocationNone},
		{"   \n\t ", messaging.RevocationNone},
		{"ＳＴＯＰ ＴＥＸＴＩＮＧ ＭＥ", messaging.RevocationClear},                                 // full-width letters
		{"no me manden ma\u0301s mensajes", messaging.RevocationClear},                 // a combining accent
		{"NO ME MANDEN MÁS MENSAJES", messaging.RevocationClear},                       // upper case with an accent
		{"stop-texting-me", messaging.RevocationNone},                                  // hyphens join words: one unknown word
		{"I had pain last night.\nPlease stop texting me.", messaging.RevocationClear}, // a later clause
		{"please don't stop texting me", messaging.RevocationNone},                     // negated
		{"I never said stop texting me", messaging.RevocationNone},                     // negated saying
		{"stop texting me so much", messaging.RevocationUnclear},                       // frequency
		{"if you stop texting me I'll miss my pills", messaging.RevocationUnclear},     // condition
		{"don't text me in spanish", messaging.RevocationUnclear},                      // a language preference
		{"stop sending me pills", messaging.RevocationNone},                            // medicine after the match
		{"To unsubscribe, reply STOP", messaging.RevocationNone},                       // a quoted instruction
		{"why did you stop sending me reminders", messaging.RevocationNone},            // a question about the past
		{strings.Repeat("how are you ", 2000) + "stop texting me", messaging.RevocationClear},
	}
	for _, c := range cases {
		if got := messaging.ParseRevocation(c.text); got != c.want {
			t.Errorf("ParseRevocation(%.60q) = %v, want %v", c.text, got, c.want)
		}
	}
}

func FuzzParseRevocation(f *testing.F) {
	for _, s := range []string{"please stop texting me", "ya no me manden más mensajes", "stop the pain meds?", "ＳＴＯＰ", "\xff\xfe", "stooooop"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		switch messaging.ParseRevocation(s) {
		case messaging.RevocationNone, messaging.RevocationUnclear, messaging.RevocationClear:
		default:
			t.Fatalf("ParseRevocation(%q) returned an unknown level", s)
		}
	})
}

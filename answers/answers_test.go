package answers

import "testing"

var feeling = []Choice{
	{Value: "better", Words: []string{"1", "better", "good"}},
	{Value: "same", Words: []string{"2", "same", "about the same"}},
	{Value: "worse", Words: []string{"3", "worse", "bad"}},
}

func TestParseChoices(t *testing.T) {
	q := Spec{Choices: feeling}
	cases := map[string]string{
		"1": "better", " 3 ": "worse", "Worse!!": "worse", "WORSE": "worse", "about the same": "same",
		"I feel worse today": "worse", "3.": "worse", "pretty good thanks": "better", "About the same, I guess": "same",
		// unrecognised: ambiguous, negated, empty, or nothing matching
		"not better": "", "better or worse": "", "": "", "???": "", "who is this": "", "no": "", "4": "", "13": "",
	}
	for in, want := range cases {
		a, ok := q.Parse(in)
		if got := map[bool]string{true: a.Choice, false: ""}[ok]; got != want {
			t.Errorf("parse(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseNumber(t *testing.T) {
	q := Spec{Number: &NumberRange{Min: 0, Max: 10}}
	cases := map[string]int{"9": 9, "0": 0, "10!": 10, "I'd say 8": 8}
	for in, want := range cases {
		if a, ok := q.Parse(in); !ok || a.Number != want {
			t.Errorf("parse(%q) = %d,%v want %d", in, a.Number, ok, want)
		}
	}
	for _, in := range []string{"11", "-1 ", "8/10", "eight", "", "7 or 8"} {
		if a, ok := q.Parse(in); ok {
			t.Errorf("parse(%q) accepted %d", in, a.Number)
		}
	}
}

func TestParseFreeText(t *testing.T) {
	q := Spec{}
	if a, ok := q.Parse("  my knee hurts "); !ok || a.Text != "  my knee hurts " {
		t.Fatalf("free text: %+v %v", a, ok)
	}
	if _, ok := q.Parse("  "); ok {
		t.Fatal("blank free text accepted")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"1", "worse", "not better", "8/10", "I'd say 9", "ＷＯＲＳＥ", "\x00", "3 3 3"} {
		f.Add(s)
	}
	choices := Spec{Choices: feeling}
	number := Spec{Number: &NumberRange{Min: 0, Max: 10}}
	f.Fuzz(func(t *testing.T, s string) {
		if a, ok := choices.Parse(s); ok && a.Choice != "better" && a.Choice != "same" && a.Choice != "worse" {
			t.Fatalf("parse(%q) produced unknown choice %q", s, a.Choice)
		}
		if a, ok := number.Parse(s); ok && (a.Number < 0 || a.Number > 10) {
			t.Fatalf("parse(%q) produced out-of-range %d", s, a.Number)
		}
	})
}

package safety

import (
	"strings"
	"testing"
)

// render writes tokens as text: words, "|" for a break, "<w>" for a
// break word.
func render(toks []token) string {
	var parts []string
	for _, t := range toks {
		switch {
		case t.brk && t.word == "":
			parts = append(parts, "|")
		case t.brk:
			parts = append(parts, "<"+t.word+">")
		default:
			parts = append(parts, t.word)
		}
	}
	return strings.Join(parts, " ")
}

func TestRead(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Me DESMAYÉ en el baño", "me desmaye en el bano"},
		{"I can’t breathe!!", "i can not breathe |"},
		{"I cannot breathe", "i can not breathe"},
		{"I can not breathe", "i can not breathe"},
		{"isn't breathing", "is not breathing"},
		{"self-harm", "self harm"},
		{"No - chest pain", "no | chest pain"},
		{"no,   but\tchest   pain", "no | <but> chest pain"},
		{"chest pian 🙁", "chest pain"},
		{"line one\nline two", "line one | line two"},
		{"¿Sangrado q no para?", "| sangrado que no para |"},
		{"", ""},
	}
	for _, c := range cases {
		if got := render(lex.read(c.in)); got != c.want {
			t.Errorf("read(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestWithinOneEdit(t *testing.T) {
	cases := []struct {
		a, b string
		want bool
	}{
		{"chest", "chest", true},
		{"chest", "cheast", true}, // insertion
		{"chest", "chst", true},   // deletion
		{"chest", "chesr", true},  // substitution
		{"chest", "chset", true},  // swap
		{"breathe", "breahte", true},
		{"chest", "cheats", false}, // two edits
		{"chest", "chestxx", false},
		{"pain", "pian", true},
	}
	for _, c := range cases {
		if got := withinOneEdit(c.a, c.b); got != c.want {
			t.Errorf("withinOneEdit(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

// TestFuzzy: a typo is forgiven in a phrase of two or more words, on words
// of five letters or more; a one-word rule matches exactly.
func TestFuzzy(t *testing.T) {
	for _, s := range []string{"cheast pain", "chest presure", "bleading wont stop", "cant brething", "shortnes of breath", "chess pain"} {
		if _, ok := Screen(s); !ok {
			t.Errorf("Screen(%q): typo not forgiven", s)
		}
	}
	for _, s := range []string{"the steak was overdone", "I fill myself up with water"} {
		if f, ok := Screen(s); ok {
			t.Errorf("Screen(%q) = %+v: a typo forgiven where it should not be", s, f)
		}
	}
}

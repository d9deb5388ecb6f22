package safety

import "testing"

// TestNegation: negated and resolved mentions are not flags; negation
// never crosses a clause break, is undone by a reversal, and never touches
// a phrase that holds its own negation.
func TestNegation(t *testing.T) {
	cases := []struct {
		text string
		flag bool
	}{
		// negated before the phrase
		{"no chest pain", false},
		{"I don't have chest pain", false},
		{"I do not have any chest pain", false},
		{"denies chest pain", false},
		{"without shortness of breath", false},
		{"never had chest pain", false},
		{"no fever or chest pain", false},
		{"I don't have a fever or chest pain", false},
		{"sin dolor de pecho", false},
		{"no tengo dolor de pecho", false},
		{"no tengo fiebre ni dolor de pecho", false},
		{"ningún dolor en el pecho", false},
		{"I'm not going to hurt myself", false},
		// resolved after the phrase, with only filler words around it
		{"chest pain is gone", false},
		{"the chest pain went away", false},
		{"my chest pain is completely gone now", false},
		{"el dolor de pecho ya se me quitó", false},
		{"chest pain stopped me sleeping", true},
		{"chest pain went away after an hour", true},
		{"tengo dolor de pecho ya no aguanto", true},
		// a clause break stops the negation
		{"no, but I have chest pain now", true},
		{"not sure, chest pain since this morning", true},
		{"No. Chest pain.", true},
		{"no fever but my chest hurts", true},
		{"no tengo fiebre pero me duele el pecho", true},
		// words that are not fillers stop it too
		{"no i have chest pain", true},
		{"I didn't sleep chest pain all night", true},
		{"not sure if it's anxiety or chest pain", true},
		// a reversal undoes it
		{"I didn't have chest pain until an hour ago", true},
		{"I didn't have chest pain before but now I do", true},
		{"the chest pain was gone but it came back", true},
		{"I never had chest pain like this before", true},
		{"no tenía dolor de pecho hasta hoy", true},
		// a phrase with its own negation is never negated
		{"I can't breathe", true},
		{"no, no puedo respirar", true},
		{"no no puedo respirar", true},
		{"I don't want to live", true},
		{"it won't stop bleeding", true},
		{"sangrado que no para", true},
		// each mention is judged on its own
		{"no chest pain yesterday, chest pain today", true},
	}
	for _, c := range cases {
		f, got := Screen(c.text)
		if got != c.flag {
			t.Errorf("Screen(%q) flagged=%v (%+v), want %v", c.text, got, f, c.flag)
		}
	}
}

// TestHarmless: idioms listed as harmless never flag, but a real flag
// beside one still does.
func TestHarmless(t *testing.T) {
	for _, s := range []string{"what a stroke of luck", "breathing exercises are hard", "my chest of drawers hurts my back to move"} {
		if f, ok := Screen(s); ok {
			t.Errorf("Screen(%q) = %+v, want no flag", s, f)
		}
	}
	if _, ok := Screen("I can't breathe during breathing exercises"); !ok {
		t.Error("a real flag beside a harmless idiom was dropped")
	}
}

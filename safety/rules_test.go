package safety

import (
	"strings"
	"testing"
)

// TestCategoryExamples: each category is found in English and Spanish.
func TestCategoryExamples(t *testing.T) {
	cases := []struct {
		text string
		want Category
	}{
		{"I have chest pain", CategoryCardiac},
		{"pressure in my chest", CategoryCardiac},
		{"tengo dolor de pecho", CategoryCardiac},
		{"me duele el pecho", CategoryCardiac},
		{"I can't breathe", CategoryBreathing},
		{"short of breath", CategoryBreathing},
		{"no puedo respirar", CategoryBreathing},
		{"me falta el aire", CategoryBreathing},
		{"her face is drooping", CategoryStroke},
		{"slurred speech", CategoryStroke},
		{"my left side is numb", CategoryStroke},
		{"tiene la cara caída", CategoryStroke},
		{"habla arrastrando las palabras", CategoryStroke},
		{"I want to kill myself", CategorySuicide},
		{"I'm suicidal", CategorySuicide},
		{"quiero morirme", CategorySuicide},
		{"me quiero matar", CategorySuicide},
		{"I've been cutting myself", CategorySelfHarm},
		{"quiero hacerme daño", CategorySelfHarm},
		{"I took too many pills", CategoryOverdose},
		{"me tomé demasiadas pastillas", CategoryOverdose},
		{"it won't stop bleeding", CategoryBleeding},
		{"sangrado que no para", CategoryBleeding},
		{"I passed out", CategoryFainting},
		{"me desmayé", CategoryFainting},
		{"my throat is swelling", CategoryAllergy},
		{"se me cierra la garganta", CategoryAllergy},
	}
	for _, c := range cases {
		f, ok := Screen(c.text)
		if !ok || f.Category != c.want {
			t.Errorf("Screen(%q) = %+v, %v; want category %s", c.text, f, ok, c.want)
		}
		if crisis := c.want.crisisOnly(); f.Crisis != crisis {
			t.Errorf("Screen(%q).Crisis = %v, want %v", c.text, f.Crisis, crisis)
		}
	}
}

// TestEveryCategoryInBothLanguages: the list covers each category in
// English and Spanish, and crisis categories are all crisis.
func TestEveryCategoryInBothLanguages(t *testing.T) {
	have := map[Category]map[string]bool{}
	for _, r := range Rules() {
		if have[r.Category] == nil {
			have[r.Category] = map[string]bool{}
		}
		have[r.Category][r.Lang] = true
		if r.Category.crisisOnly() && !r.Crisis {
			t.Errorf("redflags.txt:%d: %s rule without crisis", r.Line, r.Category)
		}
	}
	for _, c := range Categories {
		for _, lang := range []string{"en", "es"} {
			if !have[c][lang] && !have[c]["any"] {
				t.Errorf("no %s rule for category %s", lang, c)
			}
		}
	}
}

// TestPhraseIsTheRules: the flag names the rule's canonical phrase, never
// the patient's words, typos or names.
func TestPhraseIsTheRules(t *testing.T) {
	cases := []struct{ text, phrase string }{
		{"Jane Doe here, I have cheast pain", "chest pain"},
		{"pressure on my chest, call 555-0100", "pain ... chest"},
		{"I cut myself again", "cut myself"},
		{"Me DESMAYÉ", "desmay*"},
	}
	for _, c := range cases {
		f, ok := Screen(c.text)
		if !ok || f.Phrase != c.phrase {
			t.Errorf("Screen(%q) = %+v, %v; want phrase %q", c.text, f, ok, c.phrase)
		}
	}
	phrases := map[string]bool{}
	for _, r := range Rules() {
		phrases[r.Phrase] = true
	}
	for _, m := range readLabelled(t) {
		for _, f := range ScreenAll(m.text) {
			if !phrases[f.Phrase] {
				t.Errorf("labelled line %d: phrase %q is no rule's", m.line, f.Phrase)
			}
		}
	}
}

// TestCrisisWins: crisis language is reported even when another flag
// comes first (its reply adds 988); otherwise the first match wins.
func TestCrisisWins(t *testing.T) {
	f, ok := Screen("chest pain since lunch and honestly I want to die")
	if !ok || f.Category != CategorySuicide || !f.Crisis {
		t.Errorf("crisis after chest pain: got %+v, %v", f, ok)
	}
	f, ok = Screen("I passed out and now I have chest pain")
	if !ok || f.Category != CategoryFainting {
		t.Errorf("first of two flags: got %+v, %v", f, ok)
	}
	all := ScreenAll("I passed out and now I have chest pain")
	if len(all) != 2 || all[0].Category != CategoryFainting || all[1].Category != CategoryCardiac {
		t.Errorf("ScreenAll: got %+v, want fainting then cardiac", all)
	}
}

// TestNumbers: "10+" is a number of at least 10, "50-89" one in that range.
func TestNumbers(t *testing.T) {
	if _, ok := Screen("I took 20 of my pills"); !ok {
		t.Error("took 20 pills: not flagged")
	}
	if f, ok := Screen("I took 2 of my pills"); ok {
		t.Errorf("took 2 pills: flagged %+v", f)
	}
	for _, c := range []struct {
		text string
		flag bool
	}{{"oxygen level is 82", true}, {"my oxygen was 89", true}, {"oxygen 90", false}, {"o2 sat 97%", false}, {"oxygen 49", false}} {
		if _, ok := Screen(c.text); ok != c.flag {
			t.Errorf("Screen(%q) flagged=%v, want %v (range 50-89)", c.text, ok, c.flag)
		}
	}
}

// TestMalformedRules: a bad line in redflags.txt is refused with its file
// and line named, and the loader used at start panics with that message.
func TestMalformedRules(t *testing.T) {
	cases := []struct{ name, data, want string }{
		{"fields", "cardiac | en\n", "redflags.txt:1: want category | language | phrase [| crisis], got 2 fields"},
		{"category", "# comment\n\ncardiak | en | chest pain\n", `redflags.txt:3: unknown category "cardiak"`},
		{"language", "cardiac | fr | chest pain\n", `redflags.txt:1: unknown language "fr"`},
		{"crisis field", "cardiac | en | chest pain | urgent\n", `redflags.txt:1: fourth field must be "crisis" or absent, got "urgent"`},
		{"crisis missing", "suicide | en | kill myself\n", "redflags.txt:1: suicide rules are crisis language"},
		{"empty phrase", "cardiac | en |  \n", "redflags.txt:1: empty phrase"},
		{"punctuation", "cardiac | en | chest, pain\n", `redflags.txt:1: "chest,"`},
		{"leading gap", "cardiac | en | ... chest\n", "redflags.txt:1: \"... chest\": a gap needs a word before it"},
		{"trailing gap", "cardiac | en | chest ...\n", "redflags.txt:1: \"chest ...\": a gap needs a word after it"},
		{"short stem", "cardiac | en | ch* pain\n", `redflags.txt:1: "ch*": a stem needs at least 3 letters`},
		{"bad range", "breathing | en | oxygen 89-50\n", `redflags.txt:1: "89-50": a word may hold only letters and digits`},
		{"break word", "cardiac | en | chest but pain\n", `redflags.txt:1: "but" is a break word`},
		{"respelled", "breathing | en | cant breathe\n", `redflags.txt:1: "cant" is rewritten to "can not" before matching: write "can not"`},
		{"respelled run", "breathing | en | do not want to live/exist\nbreathing | en | is not breathing\n", ""},
		{"duplicate", "cardiac | en | chest pain\ncardiac | es | Chest  Pain\n", `redflags.txt:2: phrase "Chest Pain" repeats line 1`},
		{"empty file", "# nothing\n", "safety: redflags.txt: no rules"},
	}
	for _, c := range cases {
		_, err := parseRules("redflags.txt", c.data, lex)
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: unexpected error %v", c.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got error %v, want it to contain %q", c.name, err, c.want)
		}
	}
	defer func() {
		r := recover()
		err, ok := r.(error)
		if !ok || !strings.Contains(err.Error(), `redflags.txt:1: unknown category "cardiak"`) {
			t.Errorf("mustRules on a bad file: recovered %v, want the line named", r)
		}
	}()
	mustRules("redflags.txt", "cardiak | en | chest pain\n", lex)
	t.Error("mustRules did not panic on a bad file")
}

// TestMalformedLanguage: a bad line in language.txt is refused the same way.
func TestMalformedLanguage(t *testing.T) {
	cases := []struct{ name, data, want string }{
		{"kind", "negate | en | no\n", `language.txt:1: unknown kind "negate"`},
		{"fields", "spelling | en | cannot\n", "language.txt:1: spelling takes 4 fields"},
		{"language", "negation | de | nicht\n", `language.txt:1: unknown language "de"`},
		{"one word", "break | en | but then\n", `language.txt:1: break is one word, got "but then"`},
		{"self", "spelling | en | pain | pain\n", `language.txt:1: spelling "pain" rewrites to itself`},
		{"respelled cue", "spelling | en | dont | do not\nnegation | en | dont\n", `language.txt:2: "dont" is rewritten to "do not" before matching`},
		{"chained spelling", "spelling | en | cnt | cant\nspelling | en | cant | can not\n", `language.txt:1: spelling result "cant" is itself rewritten to "can not"`},
		{"filler is a break", "break | en | but\nnegation-filler | en | but\n", `language.txt:2: "but" is also a break word`},
		{"punctuation", "negation | en | no!\n", `language.txt:1: "no!"`},
	}
	for _, c := range cases {
		_, err := parseLexicon("language.txt", c.data)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got error %v, want it to contain %q", c.name, err, c.want)
		}
	}
	defer func() {
		r := recover()
		err, ok := r.(error)
		if !ok || !strings.Contains(err.Error(), `language.txt:1: unknown kind "negate"`) {
			t.Errorf("mustLexicon on a bad file: recovered %v, want the line named", r)
		}
	}()
	mustLexicon("language.txt", "negate | en | no\n")
	t.Error("mustLexicon did not panic on a bad file")
}

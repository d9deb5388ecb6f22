// Package safety screens a patient's message for red flags: words that may
// describe an emergency (chest pain, trouble breathing, stroke signs,
// suicidal thoughts or self-harm, an overdose, severe bleeding, fainting, a
// severe allergic reaction), in English or Spanish.
//
// The phrases are data a clinical lead reviews and extends (redflags.txt),
// and so are the words that read them: spellings, negations, clause breaks
// (language.txt). Both are embedded and checked when the program starts: a
// malformed line stops it with the file and line named. docs/red-flags.md
// explains the format and the measured precision and recall.
//
// The screen is built for recall: when in doubt it flags, because a missed
// emergency costs more than a nurse's call about a harmless message.
package safety

// Category is the kind of emergency a red flag may describe.
type Category string

// Categories of red flags.
const (
	CategoryCardiac   Category = "cardiac"   // chest pain or pressure
	CategoryBreathing Category = "breathing" // can't breathe, short of breath
	CategoryStroke    Category = "stroke"    // face drooping, slurred speech, one-sided weakness
	CategorySuicide   Category = "suicide"   // suicidal thoughts (crisis)
	CategorySelfHarm  Category = "self_harm" // hurting oneself (crisis)
	CategoryOverdose  Category = "overdose"  // took too many pills
	CategoryBleeding  Category = "bleeding"  // bleeding that won't stop
	CategoryFainting  Category = "fainting"  // fainted, passed out
	CategoryAllergy   Category = "allergy"   // throat swelling, anaphylaxis
	CategorySeizure   Category = "seizure"   // a seizure, convulsions
	CategoryLowSugar  Category = "low_sugar" // a very low blood sugar in words
)

// Categories lists every category, in the order docs and tests show them.
var Categories = []Category{CategoryCardiac, CategoryBreathing, CategoryStroke, CategorySuicide,
	CategorySelfHarm, CategoryOverdose, CategoryBleeding, CategoryFainting, CategoryAllergy, CategorySeizure,
	CategoryLowSugar}

// Valid reports whether c is a known category.
func (c Category) Valid() bool {
	for _, k := range Categories {
		if c == k {
			return true
		}
	}
	return false
}

// crisisOnly are the categories whose every rule is crisis language: the
// rule file is refused if one of their lines forgets to say so.
func (c Category) crisisOnly() bool { return c == CategorySuicide || c == CategorySelfHarm }

// Flag is a red flag found in a message.
type Flag struct {
	Category Category
	// Phrase is the matching rule's canonical phrase: each position's
	// first spelling in redflags.txt ("chest pain", "kill myself",
	// "pain ... chest"), never the patient's own words.
	Phrase string
	// Crisis is crisis language (suicidal thoughts, self-harm): the
	// safety reply adds 988.
	Crisis bool
}

// Screen reads a patient's message (SMS or email text, English or Spanish)
// for red flags. When several rules match, crisis language wins (its reply
// adds 988), then the match that comes first in the message. A mention that
// is negated ("no chest pain", "sin dolor de pecho") or resolved ("the chest
// pain is gone") is not a flag; see negation.go.
func Screen(text string) (Flag, bool) {
	best, found := match{}, false
	for _, m := range screen(text) {
		if !found || better(m, best) {
			best, found = m, true
		}
	}
	if !found {
		return Flag{}, false
	}
	r := rules[best.rule]
	return Flag{Category: r.Category, Phrase: r.Phrase, Crisis: r.Crisis}, true
}

// ScreenAll returns every red flag in the message, one per rule, in the
// order their matches appear (for the care team's task note and for tests).
func ScreenAll(text string) []Flag {
	var out []Flag
	seen := map[int]bool{}
	for _, m := range screen(text) {
		if seen[m.rule] {
			continue
		}
		seen[m.rule] = true
		r := rules[m.rule]
		out = append(out, Flag{Category: r.Category, Phrase: r.Phrase, Crisis: r.Crisis})
	}
	return out
}

// better reports whether a should be reported rather than b.
func better(a, b match) bool {
	ca, cb := rules[a.rule].Crisis, rules[b.rule].Crisis
	if ca != cb {
		return ca
	}
	if a.start != b.start {
		return a.start < b.start
	}
	return a.rule < b.rule
}

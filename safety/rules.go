package safety

import (
	_ "embed"
	"math"
	"strconv"
	"strings"
)

// rulesFile is the red-flag list a clinical lead reviews and extends.
// Format: the file's header and docs/red-flags.md.
//
//go:embed redflags.txt
var rulesFile string

// rules is the checked list; a malformed line panics at start.
var rules = mustRules("redflags.txt", rulesFile, lex)

// Rule is one line of redflags.txt.
type Rule struct {
	Category Category
	Lang     string // "en", "es" or "any": for the reviewer; every rule screens every message
	Pattern  string // as written: words, "a/b" alternatives, "stem*", "10+", "50-89", "..." for up to five words
	Phrase   string // the canonical phrase: each position's first spelling ("hurt myself" for "hurt/cut myself")
	Crisis   bool
	Line     int // in redflags.txt

	pattern      []element
	fuzzy        bool // two or more words: a long word may carry one typo
	selfNegating bool // holds its own negation ("cant breathe"): never negated
}

// Rules lists the red-flag rules in file order.
func Rules() []Rule { return append([]Rule(nil), rules...) }

// element is one position of a phrase: a word with its alternatives, or a
// gap of up to maxGap words.
type element struct {
	gap  bool
	alts []alt
}

// alt is one spelling a word position accepts.
type alt struct {
	word string
	stem bool // "breath*": any word starting with "breath"
	num  bool // "10+" or "50-89": any number from min to max
	min  int
	max  int
}

// maxGap is how many words "..." may stand for ("pain in my chest").
const maxGap = 5

// gapMark writes a gap in a phrase.
const gapMark = "..."

// mustRules parses a rule file or panics naming the bad line.
func mustRules(file, data string, lx *lexicon) []Rule {
	rs, err := parseRules(file, data, lx)
	if err != nil {
		panic(err)
	}
	return rs
}

// parseRules parses and checks a rule file: category | language | phrase
// [| crisis].
func parseRules(file, data string, lx *lexicon) ([]Rule, error) {
	var out []Rule
	seen := map[string]int{}
	for _, l := range dataLines(file, data) {
		r, err := parseRule(l, lx)
		if err != nil {
			return nil, err
		}
		key := strings.Join(strings.Fields(foldString(r.Pattern)), " ")
		if prev, ok := seen[key]; ok {
			return nil, l.errorf("phrase %q repeats line %d", r.Pattern, prev)
		}
		seen[key] = l.num
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil, dataLine{file: file}.errorf("no rules")
	}
	return out, nil
}

// parseRule parses one rule line.
func parseRule(l dataLine, lx *lexicon) (Rule, error) {
	if len(l.fields) != 3 && len(l.fields) != 4 {
		return Rule{}, l.errorf("want category | language | phrase [| crisis], got %d fields", len(l.fields))
	}
	r := Rule{Category: Category(l.fields[0]), Pattern: l.fields[2], Line: l.num}
	if !r.Category.Valid() {
		names := make([]string, len(Categories))
		for i, c := range Categories {
			names[i] = string(c)
		}
		return Rule{}, l.errorf("unknown category %q (want one of %s)", l.fields[0], strings.Join(names, ", "))
	}
	lang, err := l.language(1)
	if err != nil {
		return Rule{}, err
	}
	r.Lang = lang
	if len(l.fields) == 4 {
		if l.fields[3] != "crisis" {
			return Rule{}, l.errorf("fourth field must be \"crisis\" or absent, got %q", l.fields[3])
		}
		r.Crisis = true
	}
	if r.Category.crisisOnly() && !r.Crisis {
		return Rule{}, l.errorf("%s rules are crisis language (the reply adds 988): end the line with | crisis", r.Category)
	}
	if r.pattern, err = parsePattern(l, lx); err != nil {
		return Rule{}, err
	}
	words := 0
	for _, e := range r.pattern {
		if e.gap {
			continue
		}
		words++
		for _, a := range e.alts {
			if lx.negationWord(a.word) {
				r.selfNegating = true
			}
		}
	}
	r.fuzzy = words >= 2
	r.Phrase = canonical(r.pattern)
	return r, nil
}

// canonical writes a pattern as the phrase a nurse reads in the task:
// each position's first spelling, a stem with its "*", a gap as "...".
func canonical(p []element) string {
	parts := make([]string, len(p))
	for i, e := range p {
		switch {
		case e.gap:
			parts[i] = gapMark
		case e.alts[0].stem:
			parts[i] = e.alts[0].word + "*"
		default: // a word, or a number "10+"
			parts[i] = e.alts[0].word
		}
	}
	return strings.Join(parts, " ")
}

// parsePattern reads a phrase: words separated by spaces, "a/b" for
// alternatives, "stem*" for a word's start, "..." for a short gap.
func parsePattern(l dataLine, lx *lexicon) ([]element, error) {
	phrase := l.fields[2]
	if phrase == "" {
		return nil, l.errorf("empty phrase")
	}
	var els []element
	var literal []string // runs of plain words, to check against spellings
	checkRun := func() error {
		if len(literal) == 0 {
			return nil
		}
		got := lx.respell(literal)
		if strings.Join(got, " ") != strings.Join(literal, " ") {
			return l.errorf("%q is rewritten to %q before matching, so the phrase never matches as written: write %q",
				strings.Join(literal, " "), strings.Join(got, " "), strings.Join(got, " "))
		}
		literal = literal[:0]
		return nil
	}
	for _, f := range strings.Fields(foldString(phrase)) {
		if f == gapMark {
			if len(els) == 0 || els[len(els)-1].gap {
				return nil, l.errorf("%q: a gap needs a word before it", phrase)
			}
			if err := checkRun(); err != nil {
				return nil, err
			}
			els = append(els, element{gap: true})
			continue
		}
		e, err := parseElement(l, f, lx)
		if err != nil {
			return nil, err
		}
		if len(e.alts) == 1 && !e.alts[0].stem && !e.alts[0].num {
			literal = append(literal, e.alts[0].word)
		} else if err := checkRun(); err != nil {
			return nil, err
		}
		els = append(els, e)
	}
	if err := checkRun(); err != nil {
		return nil, err
	}
	if els[len(els)-1].gap {
		return nil, l.errorf("%q: a gap needs a word after it", phrase)
	}
	return els, nil
}

// parseElement reads one word position.
func parseElement(l dataLine, f string, lx *lexicon) (element, error) {
	var e element
	for _, a := range strings.Split(f, "/") {
		if lo, hi, ok := numberRange(a); ok {
			e.alts = append(e.alts, alt{word: a, num: true, min: lo, max: hi})
			continue
		}
		stem := strings.HasSuffix(a, "*")
		w := strings.TrimSuffix(a, "*")
		if !plainWord(w) {
			return element{}, l.errorf("%q: a word may hold only letters and digits, with \"/\" between alternatives, \"*\" at the end of a stem, or be a number range (10+, 50-89)", f)
		}
		if stem && len(w) < 3 {
			return element{}, l.errorf("%q: a stem needs at least 3 letters before \"*\"", a)
		}
		if lx.breaks[w] {
			return element{}, l.errorf("%q is a break word (it ends a clause), so a phrase cannot hold it", w)
		}
		if !stem {
			if got := lx.respell([]string{w}); len(got) != 1 || got[0] != w {
				return element{}, l.errorf("%q is rewritten to %q before matching: write %q", w, strings.Join(got, " "), strings.Join(got, " "))
			}
		}
		e.alts = append(e.alts, alt{word: w, stem: stem})
	}
	return e, nil
}

// numberRange reads "10+" (a number of at least 10) or "50-89" (a number
// from 50 to 89): "took 20 pills", "oxygen 82".
func numberRange(a string) (lo, hi int, ok bool) {
	if digits, plus := strings.CutSuffix(a, "+"); plus {
		n, err := strconv.Atoi(digits)
		if err != nil || n < 0 {
			return 0, 0, false
		}
		return n, math.MaxInt, true
	}
	from, to, dash := strings.Cut(a, "-")
	if !dash {
		return 0, 0, false
	}
	l, err1 := strconv.Atoi(from)
	h, err2 := strconv.Atoi(to)
	if err1 != nil || err2 != nil || l < 0 || h < l {
		return 0, 0, false
	}
	return l, h, true
}

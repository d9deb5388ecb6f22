package safety

import (
	_ "embed"
	"sort"
	"strings"
)

// languageFile is how the screen reads words: spellings, negation,
// breaks and harmless idioms. Format and meaning: the file's header and
// docs/red-flags.md.
//
//go:embed language.txt
var languageFile string

// lex is the checked language file; a malformed line panics at start.
var lex = mustLexicon("language.txt", languageFile)

// spelling is one rewrite: a misspelling or contraction and its standard
// spelling ("cannot" → "cant", "chest pian" → "chest pain").
type spelling struct {
	variant, standard []string
}

// lexicon is the parsed language file.
type lexicon struct {
	spellings []spelling      // longest variant first
	negations [][]string      // before a phrase: "no", "denies"
	resolved  [][]string      // after a phrase: "is gone", "se quito"
	reversals [][]string      // after a negated phrase, undo it: "until", "but now"
	harmless  [][]string      // idioms that are never a flag: "stroke of luck"
	negFiller map[string]bool // may stand between a negation and a phrase
	resFiller map[string]bool // may stand between a phrase and "gone"
	joiners   map[string]bool // join a negated list: "no fever or chest pain"
	breaks    map[string]bool // end a clause like a comma: "but", "pero"
	negative  map[string]bool // make a phrase negative in itself: "cant"
}

// lexicon kinds: the first field of a language.txt line.
const (
	kindSpelling       = "spelling"
	kindNegation       = "negation"
	kindNegationFiller = "negation-filler"
	kindNegationList   = "negation-list"
	kindResolved       = "resolved"
	kindResolvedFiller = "resolved-filler"
	kindReversal       = "reversal"
	kindBreak          = "break"
	kindNegative       = "negative"
	kindHarmless       = "harmless"
)

// mustLexicon parses a language file or panics naming the bad line.
func mustLexicon(file, data string) *lexicon {
	lx, err := parseLexicon(file, data)
	if err != nil {
		panic(err)
	}
	return lx
}

// parseLexicon parses and checks a language file.
func parseLexicon(file, data string) (*lexicon, error) {
	lx := &lexicon{negFiller: map[string]bool{}, resFiller: map[string]bool{}, joiners: map[string]bool{},
		breaks: map[string]bool{}, negative: map[string]bool{}}
	single := map[string]map[string]bool{kindNegationFiller: lx.negFiller, kindResolvedFiller: lx.resFiller,
		kindNegationList: lx.joiners, kindBreak: lx.breaks, kindNegative: lx.negative}
	lines := dataLines(file, data)
	for _, l := range lines {
		if err := lx.add(l, single); err != nil {
			return nil, err
		}
	}
	sort.SliceStable(lx.spellings, func(i, j int) bool { return len(lx.spellings[i].variant) > len(lx.spellings[j].variant) })
	return lx, lx.check(lines)
}

// add parses one line into the lexicon.
func (lx *lexicon) add(l dataLine, single map[string]map[string]bool) error {
	kind := l.fields[0]
	sequences := map[string]*[][]string{kindNegation: &lx.negations, kindResolved: &lx.resolved,
		kindReversal: &lx.reversals, kindHarmless: &lx.harmless}
	set, isSingle := single[kind]
	seq, isSeq := sequences[kind]
	if !isSingle && !isSeq && kind != kindSpelling {
		return l.errorf("unknown kind %q (want one of %s)", kind, strings.Join([]string{kindSpelling, kindNegation,
			kindNegationFiller, kindNegationList, kindResolved, kindResolvedFiller, kindReversal, kindBreak,
			kindNegative, kindHarmless}, ", "))
	}
	want := 3
	if kind == kindSpelling {
		want = 4
	}
	if len(l.fields) != want {
		return l.errorf("%s takes %d fields separated by |, got %d", kind, want, len(l.fields))
	}
	if _, err := l.language(1); err != nil {
		return err
	}
	ws, err := l.words(2)
	if err != nil {
		return err
	}
	switch {
	case isSingle:
		if len(ws) != 1 {
			return l.errorf("%s is one word, got %q", kind, l.fields[2])
		}
		set[ws[0]] = true
	case isSeq:
		*seq = append(*seq, ws)
	default: // spelling
		std, err := l.words(3)
		if err != nil {
			return err
		}
		if strings.Join(std, " ") == strings.Join(ws, " ") {
			return l.errorf("spelling %q rewrites to itself", l.fields[2])
		}
		lx.spellings = append(lx.spellings, spelling{variant: ws, standard: std})
	}
	return nil
}

// check refuses entries that could never take effect: one rewritten by a
// spelling before matching, a spelling whose result is itself rewritten,
// a word that is both a filler and a break.
func (lx *lexicon) check(lines []dataLine) error {
	for _, l := range lines {
		kind := l.fields[0]
		ws, err := l.words(2)
		if err != nil {
			return err
		}
		if kind == kindSpelling {
			std, err := l.words(3)
			if err != nil {
				return err
			}
			if got := lx.respell(std); strings.Join(got, " ") != strings.Join(std, " ") {
				return l.errorf("spelling result %q is itself rewritten to %q", l.fields[3], strings.Join(got, " "))
			}
			continue
		}
		if got := lx.respell(ws); strings.Join(got, " ") != strings.Join(ws, " ") {
			return l.errorf("%q is rewritten to %q before matching, so it never matches as written: write %q",
				l.fields[2], strings.Join(got, " "), strings.Join(got, " "))
		}
		if (kind == kindNegationFiller || kind == kindResolvedFiller || kind == kindNegationList) && lx.breaks[ws[0]] {
			return l.errorf("%q is also a break word: a break ends the clause before it could be skipped", ws[0])
		}
	}
	return nil
}

// negationWord reports whether w makes a phrase negative in itself: a
// one-word negation ("no", "sin") or a negative verb ("cant", "wont").
func (lx *lexicon) negationWord(w string) bool {
	if lx.negative[w] {
		return true
	}
	for _, n := range lx.negations {
		if len(n) == 1 && n[0] == w {
			return true
		}
	}
	return false
}

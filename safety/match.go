package safety

import (
	"sort"
	"strconv"
)

// match is one occurrence of a rule in a message's tokens, [start, end).
type match struct {
	rule, start, end int
}

// screen finds every occurrence of every rule that is neither inside a
// harmless idiom nor negated, in message order.
func screen(text string) []match {
	toks := lex.read(text)
	harmless := lex.harmlessSpans(toks)
	var out []match
	for ri := range rules {
		r := &rules[ri]
		for s := range toks {
			e := matchAt(r, toks, 0, s)
			if e < 0 || overlaps(harmless, s, e) {
				continue
			}
			if !r.selfNegating && lex.negated(toks, s, e) {
				continue
			}
			out = append(out, match{rule: ri, start: s, end: e})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].start < out[j].start })
	return out
}

// matchAt matches r's pattern from element pi at token ti and returns the
// end of the match, or -1. A gap tries the fewest words first; nothing
// matches across a break.
func matchAt(r *Rule, toks []token, pi, ti int) int {
	if pi == len(r.pattern) {
		return ti
	}
	el := r.pattern[pi]
	if el.gap {
		for k := 0; k <= maxGap && ti+k <= len(toks); k++ {
			if k > 0 && toks[ti+k-1].brk {
				break
			}
			if e := matchAt(r, toks, pi+1, ti+k); e >= 0 {
				return e
			}
		}
		return -1
	}
	if ti >= len(toks) || toks[ti].brk || !el.accepts(toks[ti].word, r.fuzzy) {
		return -1
	}
	return matchAt(r, toks, pi+1, ti+1)
}

// accepts reports whether word w fills the position. In a phrase of two
// or more words a word of five letters or more may carry one typo
// (insertion, deletion, substitution or swap: "cheast pain", "bleading");
// one-word rules match exactly, their misspellings listed in language.txt,
// because one word alone has no context to keep a typo honest
// ("overdose" is one letter from "overdone").
func (e element) accepts(w string, fuzzy bool) bool {
	for _, a := range e.alts {
		switch {
		case a.num:
			if n, err := strconv.Atoi(w); err == nil && n >= a.min && n <= a.max {
				return true
			}
		case a.stem:
			if len(w) >= len(a.word) && w[:len(a.word)] == a.word {
				return true
			}
			if fuzzy && len(a.word) >= 5 && stemWithinOneEdit(a.word, w) {
				return true
			}
		case w == a.word:
			return true
		case fuzzy && len(a.word) >= 5 && len(w) >= 4 && withinOneEdit(a.word, w):
			return true
		}
	}
	return false
}

// harmlessSpans finds the harmless idioms in the tokens.
func (lx *lexicon) harmlessSpans(toks []token) [][2]int {
	var out [][2]int
	for _, h := range lx.harmless {
		for s := range toks {
			if seqAt(toks, s, h) {
				out = append(out, [2]int{s, s + len(h)})
			}
		}
	}
	return out
}

// overlaps reports whether [s, e) overlaps any span.
func overlaps(spans [][2]int, s, e int) bool {
	for _, sp := range spans {
		if s < sp[1] && sp[0] < e {
			return true
		}
	}
	return false
}

package safety

// Negation, in the spirit of NegEx but narrower, because a wrongly negated
// emergency is the one mistake the screen must not make:
//
//   - before: a negation cue ("no", "denies", "sin") negates a phrase only
//     when nothing but filler words ("have", "any", "tengo") stand between
//     them, or a short list joined by "or"/"ni" ("no fever or chest pain").
//     "I didn't sleep, chest pain" and "no I have chest pain" stay flags.
//   - after: a resolution ("is gone", "went away", "se me quitó") negates
//     the phrase it follows, again across filler words only.
//   - never across a clause break (punctuation, "but", "pero").
//   - undone by a later reversal anywhere after the phrase ("until",
//     "came back", "but now"): "no chest pain until an hour ago" flags.
//   - a phrase holding its own negation ("can't breathe", "won't stop
//     bleeding", "no puedo respirar") is never negated.
//
// The words are data: language.txt.

// maxNegationReach bounds how far back a negation cue is looked for.
const maxNegationReach = 8

// listReach is how many words a list joiner ("or") lets the look-back
// skip: "no fever, cough or chest pain" has a comma, "no fever or chest pain"
// does not.
const listReach = 3

// negated reports whether the phrase at toks[s:e] is negated or resolved,
// and not reversed later.
func (lx *lexicon) negated(toks []token, s, e int) bool {
	if !lx.negatedBefore(toks, s) && !lx.resolvedAfter(toks, e) {
		return false
	}
	return !lx.reversedAfter(toks, e)
}

// negatedBefore looks back from the phrase's first word for a negation cue.
func (lx *lexicon) negatedBefore(toks []token, s int) bool {
	free := 0
	for j, steps := s-1, 0; j >= 0 && !toks[j].brk && steps < maxNegationReach; j, steps = j-1, steps+1 {
		if lx.cueEndsAt(toks, j, lx.negations) {
			return true
		}
		w := toks[j].word
		switch {
		case lx.negFiller[w]:
		case lx.joiners[w]:
			free = listReach
		case free > 0:
			free--
		default:
			return false
		}
	}
	return false
}

// resolvedAfter looks forward from the phrase's end for a resolution,
// with only filler words around it up to the end of the clause: "the chest
// pain is gone now" is resolved, "chest pain stopped me sleeping" and
// "dolor de pecho ya no aguanto" are not.
func (lx *lexicon) resolvedAfter(toks []token, e int) bool {
	for j := e; j < len(toks) && !toks[j].brk; j++ {
		for _, c := range lx.resolved {
			if seqAt(toks, j, c) && lx.onlyFillerFrom(toks, j+len(c)) {
				return true
			}
		}
		if !lx.resFiller[toks[j].word] {
			return false
		}
	}
	return false
}

// onlyFillerFrom reports whether toks[j:] up to the next break are all
// resolution fillers.
func (lx *lexicon) onlyFillerFrom(toks []token, j int) bool {
	for ; j < len(toks) && !toks[j].brk; j++ {
		if !lx.resFiller[toks[j].word] {
			return false
		}
	}
	return true
}

// reversedAfter looks anywhere after the phrase for words that undo a
// negation ("until", "again", "but now").
func (lx *lexicon) reversedAfter(toks []token, e int) bool {
	for j := e; j < len(toks); j++ {
		for _, c := range lx.reversals {
			if seqAt(toks, j, c) {
				return true
			}
		}
	}
	return false
}

// cueEndsAt reports whether one of cues ends at toks[j].
func (lx *lexicon) cueEndsAt(toks []token, j int, cues [][]string) bool {
	for _, c := range cues {
		if seqAt(toks, j-len(c)+1, c) {
			return true
		}
	}
	return false
}

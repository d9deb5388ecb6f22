package safety

import (
	"strings"
	"unicode"
)

// token is one word of a message as the screen reads it, or a clause
// break. Negation and patterns never reach across a break, so "no, but I
// have chest pain now" still flags.
type token struct {
	word string // "" for a punctuation break
	brk  bool   // a punctuation break, or a break word ("but", "pero")
}

// foldRune lowers r and strips its accent (é→e, ñ→n), so "dolor de pecho"
// matches however it was typed.
func foldRune(r rune) rune {
	r = unicode.ToLower(r)
	switch r {
	case 'á', 'à', 'â', 'ä', 'ã', 'å':
		return 'a'
	case 'é', 'è', 'ê', 'ë':
		return 'e'
	case 'í', 'ì', 'î', 'ï':
		return 'i'
	case 'ó', 'ò', 'ô', 'ö', 'õ':
		return 'o'
	case 'ú', 'ù', 'û', 'ü':
		return 'u'
	case 'ñ':
		return 'n'
	case 'ç':
		return 'c'
	}
	return r
}

// foldString folds every rune of s.
func foldString(s string) string { return strings.Map(foldRune, s) }

// isBreakRune reports whether r ends a clause: sentence punctuation,
// brackets, quotes, dashes, line breaks.
func isBreakRune(r rune) bool {
	return strings.ContainsRune(".,;:!?¿¡()[]{}\"“”«»—–…|\n\r", r)
}

// isApostrophe covers the apostrophes phones and mail clients type.
func isApostrophe(r rune) bool { return strings.ContainsRune("'’‘`´", r) }

// tokenize splits a message into words and breaks. An apostrophe inside a
// word joins it (can't → cant); a hyphen inside a word separates it
// (self-harm → self harm) but a free-standing one is a break; any other
// symbol or emoji separates words.
func tokenize(text string) []token {
	rs := []rune(foldString(text))
	var out []token
	var word []rune
	flush := func() {
		if len(word) > 0 {
			out = append(out, token{word: string(word)})
			word = word[:0]
		}
	}
	brk := func() {
		flush()
		if len(out) > 0 && out[len(out)-1].brk && out[len(out)-1].word == "" {
			return // one break is enough
		}
		out = append(out, token{brk: true})
	}
	letter := func(i int) bool {
		return i >= 0 && i < len(rs) && (unicode.IsLetter(rs[i]) || unicode.IsDigit(rs[i]))
	}
	for i, r := range rs {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			word = append(word, r)
		case isApostrophe(r) && letter(i-1) && letter(i+1):
			// joined: can't → cant
		case r == '-' && letter(i-1) && letter(i+1):
			flush()
		case r == '-' || isBreakRune(r):
			brk()
		default:
			flush()
		}
	}
	flush()
	return out
}

// read turns a message into the tokens the rules see: tokenized, common
// misspellings and contractions rewritten, break words marked.
func (lx *lexicon) read(text string) []token {
	toks := lx.respellTokens(tokenize(text))
	for i := range toks {
		if lx.breaks[toks[i].word] {
			toks[i].brk = true
		}
	}
	return toks
}

// respellTokens rewrites spelling variants, longest first, never across a
// punctuation break.
func (lx *lexicon) respellTokens(toks []token) []token {
	out := make([]token, 0, len(toks))
	for i := 0; i < len(toks); {
		if sp, ok := lx.spellingAt(toks, i); ok {
			for _, w := range sp.standard {
				out = append(out, token{word: w})
			}
			i += len(sp.variant)
			continue
		}
		out = append(out, toks[i])
		i++
	}
	return out
}

// spellingAt finds the longest spelling variant starting at toks[i].
func (lx *lexicon) spellingAt(toks []token, i int) (spelling, bool) {
	for _, sp := range lx.spellings { // longest first
		if seqAt(toks, i, sp.variant) {
			return sp, true
		}
	}
	return spelling{}, false
}

// respell rewrites a plain word sequence (a data entry) as a message's
// would be, so the loader can refuse entries that could never match.
func (lx *lexicon) respell(ws []string) []string {
	toks := make([]token, len(ws))
	for i, w := range ws {
		toks[i] = token{word: w}
	}
	var out []string
	for _, t := range lx.respellTokens(toks) {
		out = append(out, t.word)
	}
	return out
}

// seqAt reports whether the words seq appear at toks[i:], with no
// punctuation break among them (break words such as "but" may be part of
// a sequence: "but now").
func seqAt(toks []token, i int, seq []string) bool {
	if i < 0 || i+len(seq) > len(toks) {
		return false
	}
	for k, w := range seq {
		if toks[i+k].word != w {
			return false
		}
	}
	return true
}

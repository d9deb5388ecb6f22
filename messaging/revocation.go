package messaging

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"
)

// Revocation is how clearly a message asks carepath to stop contacting
// the sender: the FCC's 2024 rule has a revocation made "by any reasonable
// means" honoured, not only the keyword STOP.
type Revocation int

const (
	RevocationNone    Revocation = iota // not a request to stop
	RevocationUnclear                   // may be one, but not clearly: a person reviews it
	RevocationClear                     // a clear request to stop contacting: revoke consent
)

func (r Revocation) String() string {
	switch r {
	case RevocationUnclear:
		return "unclear"
	case RevocationClear:
		return "clear"
	}
	return "none"
}

// How ParseRevocation reads a message. The text is folded (case, accents,
// full-width letters, apostrophes, common misspellings and texting
// shorthand) and cut into clauses at punctuation. A rule is an intent
// (stop, no more, take me off, don't, dejen de, no me manden, …) joined
// to a messaging object (texting, messages, your list, escribirme,
// mensajes, …): a bare "stop" or "no more" never revokes, because what
// patients stop and have no more of is mostly pills and pain. A match is
// then checked by guards:
//   - negation: "don't stop texting me", "I don't want you to stop";
//   - medication: a medicine or symptom right after the match ("stop
//     sending me pills", "no me manden la receta");
//   - instructions quoted back: "reply STOP to opt out";
//   - a condition or a complaint about frequency ("if you stop texting",
//     "stop texting me so often") makes a clear match only unclear.
//
// The highest level any rule reaches is the answer. The rules, classes,
// spellings and guard words are data in revocation_rules.go, for review;
// testdata/revocations_labelled.tsv holds the labelled set every change is
// checked against.

// ParseRevocation reads a message (SMS or email text, English or Spanish) for a request to stop being contacted.
func ParseRevocation(text string) Revocation {
	best := RevocationNone
	for _, clause := range revocationClauses(text) {
		if instruction(clause) || anyOf(clause, revocationMistake) {
			continue
		}
		for _, r := range compiledRules {
			if l := r.match(clause); l > best {
				best = l
			}
		}
		if best == RevocationClear {
			break
		}
	}
	return best
}

// revocationClauses folds text and cuts it into clauses of words.
func revocationClauses(text string) [][]string {
	s := strings.ToLower(width.Fold.String(text))
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			// an accent: "más" reads as "mas"
		case r == '\'' || r == '’' || r == '‘' || r == '`' || r == '-':
			// "don't" reads as "dont", "opt-out" as "optout"
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		case strings.ContainsRune(".,!?;:¡¿…\n\r()\"", r):
			b.WriteString(" | ")
		default:
			b.WriteByte(' ')
		}
	}
	var clauses [][]string
	for _, part := range strings.Split(b.String(), "|") {
		var words []string
		for _, w := range strings.Fields(part) {
			words = append(words, strings.Fields(canonicalWord(w))...)
		}
		words = joinPairs(words)
		if len(words) > 0 {
			clauses = append(clauses, words)
		}
	}
	return clauses
}

// canonicalWord corrects one word's spelling: from the table, or by
// squeezing letters repeated three times or more ("stooop", "pleeease").
func canonicalWord(w string) string {
	if c, ok := revocationSpelling[w]; ok {
		return c
	}
	if !hasRun(w, 3) {
		return w
	}
	if c, ok := revocationSqueezed[squeeze(w)]; ok {
		return c
	}
	return w
}

// joinPairs reads two-word forms as one (revocationPairs): "do not" as
// "dont", "opt out" as "optout".
func joinPairs(words []string) []string {
	out := words[:0:0]
	for i := 0; i < len(words); i++ {
		if i+1 < len(words) {
			if j, ok := revocationPairs[[2]string{words[i], words[i+1]}]; ok {
				out = append(out, j)
				i++
				continue
			}
		}
		out = append(out, words[i])
	}
	return out
}

func hasRun(w string, n int) bool {
	run, prev := 0, rune(0)
	for _, r := range w {
		if r == prev {
			run++
		} else {
			run, prev = 1, r
		}
		if run >= n {
			return true
		}
	}
	return false
}

// squeeze collapses every run of one letter to a single letter.
func squeeze(w string) string {
	var b strings.Builder
	prev := rune(0)
	for _, r := range w {
		if r != prev {
			b.WriteRune(r)
		}
		prev = r
	}
	return b.String()
}

// instruction reports a clause quoting a keyword instruction back ("reply
// STOP to unsubscribe"), as a reply that kept the original text may.
func instruction(clause []string) bool {
	for i := 0; i+1 < len(clause); i++ {
		if revocationInstructVerb[clause[i]] && revocationInstructWord[clause[i+1]] {
			return true
		}
	}
	return false
}

// element is one position of a compiled pattern.
type element struct {
	words     map[string]bool
	opt, many bool
}

type compiledRule struct {
	level    Revocation
	elems    []element
	alone    bool
	notAfter map[string]bool
}

var (
	compiledRules, revocationSqueezed = compileRevocationRules()
	// revocationMessaging: words for messages, in English and Spanish.
	revocationMessaging = wordSet(revocationClasses["msgs"] + " " + revocationClasses["esmsgs"])
)

func compileRevocationRules() ([]compiledRule, map[string]string) {
	vocab := map[string]bool{}
	var rules []compiledRule
	for _, r := range revocationRules {
		c := compiledRule{level: r.level, alone: r.alone, notAfter: map[string]bool{}}
		for _, w := range strings.Fields(r.notAfter) {
			if strings.HasPrefix(w, "{") {
				w = revocationClasses[strings.Trim(w, "{}")]
			}
			for _, v := range strings.Fields(w) {
				c.notAfter[v] = true
			}
		}
		for _, tok := range strings.Fields(r.pattern) {
			var e element
			switch {
			case strings.HasSuffix(tok, "?"):
				e.opt, tok = true, strings.TrimSuffix(tok, "?")
			case strings.HasSuffix(tok, "*"):
				e.many, tok = true, strings.TrimSuffix(tok, "*")
			}
			e.words = map[string]bool{}
			for _, alt := range strings.Split(tok, "|") {
				words := []string{alt}
				if strings.HasPrefix(alt, "{") {
					class, ok := revocationClasses[strings.Trim(alt, "{}")]
					if !ok {
						panic("messaging: revocation rule names an unknown class " + alt)
					}
					words = strings.Fields(class)
				}
				for _, w := range words {
					e.words[w], vocab[w] = true, true
				}
			}
			c.elems = append(c.elems, e)
		}
		rules = append(rules, c)
	}
	for _, v := range revocationSpelling {
		for _, w := range strings.Fields(v) {
			vocab[w] = true
		}
	}
	squeezed := map[string]string{}
	for w := range vocab {
		squeezed[squeeze(w)] = w
	}
	return rules, squeezed
}

// match is the highest level the rule gives the clause: its own, or
// unclear when the match is conditional or qualified (see
// revocation_rules.go), or none.
func (r compiledRule) match(clause []string) Revocation {
	best := RevocationNone
	for start := range clause {
		if r.alone && start > 0 {
			break
		}
		end, ok := matchElems(r.elems, clause, start)
		if !ok || (r.alone && end != len(clause)) || r.guarded(clause, start, end) {
			continue
		}
		level := r.level
		if level == RevocationClear && (anyOf(clause[:start], revocationConditional) || frequency(clause) ||
			qualified(clause[start:end], clause[end:]) || anyOf(clause[end:], revocationThirdParty)) {
			level = RevocationUnclear
		}
		best = max(best, level)
		if best == RevocationClear {
			break
		}
	}
	return best
}

// matchElems matches elems against words from i on, returning where the
// match ends.
func matchElems(elems []element, words []string, i int) (int, bool) {
	if len(elems) == 0 {
		return i, true
	}
	e := elems[0]
	if e.many {
		j := i
		for j < len(words) && e.words[words[j]] {
			j++
		}
		for ; j >= i; j-- { // longest first, then give back
			if end, ok := matchElems(elems[1:], words, j); ok {
				return end, true
			}
		}
		return 0, false
	}
	if i < len(words) && e.words[words[i]] {
		if end, ok := matchElems(elems[1:], words, i+1); ok {
			return end, true
		}
	}
	if e.opt {
		return matchElems(elems[1:], words, i)
	}
	return 0, false
}

// guarded reports a match that negation, medicine or the rule's own
// notAfter words rule out.
func (r compiledRule) guarded(clause []string, start, end int) bool {
	if start > 0 {
		prev := clause[start-1]
		if revocationNegators[prev] || (prev == "no" && revocationNoNegates[clause[start]]) || r.notAfter[prev] {
			return true
		}
	}
	// "did you stop sending …?" asks about the past; "To unsubscribe, …"
	// begins an instruction.
	if (start >= 2 && clause[start-2] == "did") || (start == 1 && clause[0] == "to") {
		return true
	}
	if negatedWant(clause[:start]) {
		return true
	}
	for j := end; j < len(clause) && j < end+2; j++ {
		if revocationMedical[clause[j]] {
			return true
		}
	}
	return false
}

// negatedWant reports words ending in a negated wish or saying, with
// whom and "to" between it and what follows: "I don't want (you) (to)",
// "I didn't say".
func negatedWant(before []string) bool {
	i := len(before) - 1
	if i >= 0 && before[i] == "to" {
		i--
	}
	if i >= 0 && revocationObjects[before[i]] {
		i--
	}
	return i >= 1 && revocationWantSay[before[i]] && revocationNegators[before[i-1]]
}

// qualified reports a time, language, channel, content or purpose right
// after a match (revocation_rules.go); content only after "… me", as in
// "don't text me the results".
func qualified(matched, after []string) bool {
	for j := 0; j < len(after) && j < 4; j++ {
		if revocationQualifier[after[j]] {
			return true
		}
	}
	toMe := len(matched) > 0 && (matched[len(matched)-1] == "me" || matched[len(matched)-1] == "us")
	if toMe && len(after) > 0 && revocationContentDet[after[0]] && !anyOf(after[1:min(3, len(after))], revocationMessaging) {
		return true
	}
	for j := 0; j < len(after) && j < 2; j++ {
		if after[j] == "for" && (j+1 == len(after) || !revocationForever[after[j+1]]) {
			return true
		}
	}
	return false
}

func anyOf(words []string, set map[string]bool) bool {
	for _, w := range words {
		if set[w] {
			return true
		}
	}
	return false
}

func frequency(clause []string) bool {
	for i := range clause {
		for _, f := range revocationFrequency {
			if i+len(f) <= len(clause) && equalWords(clause[i:i+len(f)], f) {
				return true
			}
		}
	}
	return false
}

func equalWords(a, b []string) bool {
	for i := range b {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func wordSet(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

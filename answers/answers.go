// Package answers reads a patient's reply as an answer: a choice, a number
// or free text. The journey runtime and the reply router share it, so a
// reply is routed to the question it would be accepted by.
package answers

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// Choice is one acceptable answer: its value, and the words or numbers a
// patient may reply with (compared case- and punctuation-insensitively).
type Choice struct {
	Value string   `json:"value"`
	Words []string `json:"words"`
}

// NumberRange accepts one whole number between Min and Max.
type NumberRange struct {
	Min int `json:"min"`
	Max int `json:"max"`
}

// Spec is what a question accepts: choices, a number range, or (neither)
// any text.
type Spec struct {
	Choices []Choice     `json:"choices,omitempty"`
	Number  *NumberRange `json:"number,omitempty"`
}

// Answer is a parsed reply.
type Answer struct {
	Choice string
	Number int
	Text   string
}

var negative = regexp.MustCompile(`-\s*[0-9]`)

// negations make a reply ambiguous for keyword matching ("not better").
var negations = map[string]bool{"not": true, "no": true, "never": true, "isnt": true, "dont": true, "didnt": true, "cant": true, "nope": true}

// normalize lower-cases, drops punctuation (keeping digits, letters and
// spaces) and folds runs of space.
func normalize(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		case r == '\'' || r == '’':
			// "isn't" → "isnt"
		default:
			b.WriteRune(' ')
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// Parse reads a reply as an answer to q. The rules, in order:
//   - Number questions take the reply when it holds exactly one whole
//     number, in range ("8", "8/10" is two numbers and is refused, "I'd say 9").
//   - Choice questions take an exact match of a choice word ("1", "Better!").
//     Otherwise, when the reply has no negation, the one choice whose word
//     appears in it ("I feel worse today"). Two choices, or a negation
//     ("not better"), make it unrecognised: better to clarify than guess.
//   - Questions with neither take any non-empty text.
func (q Spec) Parse(body string) (Answer, bool) {
	text := normalize(body)
	if text == "" {
		return Answer{}, false
	}
	switch {
	case q.Number != nil:
		if negative.MatchString(body) {
			return Answer{}, false // normalising would turn "-1" into "1"
		}
		n, ok := singleNumber(text)
		if !ok || n < q.Number.Min || n > q.Number.Max {
			return Answer{}, false
		}
		return Answer{Number: n, Text: body}, true
	case len(q.Choices) > 0:
		if c, ok := matchChoice(q.Choices, text); ok {
			return Answer{Choice: c, Text: body}, true
		}
		return Answer{}, false
	default:
		return Answer{Text: body}, true
	}
}

func singleNumber(text string) (int, bool) {
	found, n := 0, 0
	for _, tok := range strings.Fields(text) {
		if v, err := strconv.Atoi(tok); err == nil {
			found++
			n = v
		}
	}
	return n, found == 1
}

func matchChoice(choices []Choice, text string) (string, bool) {
	for _, c := range choices {
		for _, w := range c.Words {
			if normalize(w) == text {
				return c.Value, true
			}
		}
	}
	padded := " " + text + " "
	for _, tok := range strings.Fields(text) {
		if negations[tok] {
			return "", false
		}
	}
	match := ""
	for _, c := range choices {
		for _, w := range c.Words {
			if strings.Contains(padded, " "+normalize(w)+" ") {
				if match != "" && match != c.Value {
					return "", false
				}
				match = c.Value
			}
		}
	}
	return match, match != ""
}

package messaging

import (
	"strings"
	"unicode"
)

// Keyword is an SMS compliance keyword a reply may be.
type Keyword string

// Keywords carepath recognises. YES restores consent only when the patient
// has opted out; otherwise it is an ordinary answer.
const (
	KeywordNone  Keyword = ""
	KeywordStop  Keyword = "stop"
	KeywordStart Keyword = "start"
	KeywordYes   Keyword = "yes"
	KeywordHelp  Keyword = "help"
)

var keywords = map[string]Keyword{
	"STOP": KeywordStop, "STOPALL": KeywordStop, "UNSUBSCRIBE": KeywordStop, "CANCEL": KeywordStop,
	"END": KeywordStop, "QUIT": KeywordStop, "REVOKE": KeywordStop, "OPTOUT": KeywordStop, "OPT OUT": KeywordStop,
	"START": KeywordStart, "UNSTOP": KeywordStart,
	"YES":  KeywordYes,
	"HELP": KeywordHelp, "INFO": KeywordHelp,
}

// ParseKeyword reads a reply as a keyword when the whole reply is one,
// ignoring case, surrounding and repeated white space, and trailing
// punctuation ("Stop.", "  opt   out "). A keyword inside a sentence ("I
// can't stop coughing") is not one.
func ParseKeyword(body string) Keyword {
	s := strings.ToUpper(strings.Join(strings.Fields(body), " "))
	s = strings.TrimRightFunc(s, func(r rune) bool { return unicode.IsPunct(r) })
	return keywords[strings.TrimSpace(s)]
}

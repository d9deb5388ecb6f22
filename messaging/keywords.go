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

// emailKeywords are the keywords an email reply may be. CANCEL, END and
// QUIT are left out: in an email they are as likely about an appointment.
var emailKeywords = map[string]Keyword{
	"STOP": KeywordStop, "STOPALL": KeywordStop, "STOP ALL": KeywordStop, "UNSUBSCRIBE": KeywordStop,
	"OPTOUT": KeywordStop, "OPT OUT": KeywordStop, "OPT-OUT": KeywordStop, "REVOKE": KeywordStop,
	"START": KeywordStart, "HELP": KeywordHelp,
}

// ParseEmailKeyword reads an email reply's subject and text for a compliance keyword: STOP, UNSUBSCRIBE (stop), START (start), HELP, as the whole subject or the first non-empty line of the reply above any quoted text ("On ... wrote:", lines starting with ">", "-----Original Message-----").
//
// The subject is read without its reply and forward prefixes ("Re: STOP").
// When subject and text disagree, STOP wins over START and START over
// HELP: a revocation is never lost to a keyword beside it.
func ParseEmailKeyword(subject, text string) Keyword {
	best := emailKeyword(stripReplyPrefixes(subject))
	if kw := emailKeyword(firstReplyLine(text)); emailKeywordRank(kw) > emailKeywordRank(best) {
		best = kw
	}
	return best
}

func emailKeyword(s string) Keyword {
	s = strings.ToUpper(strings.Join(strings.Fields(s), " "))
	s = strings.TrimFunc(s, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) })
	return emailKeywords[s]
}

func emailKeywordRank(k Keyword) int {
	switch k {
	case KeywordStop:
		return 3
	case KeywordStart:
		return 2
	case KeywordHelp:
		return 1
	}
	return 0
}

// stripReplyPrefixes takes "Re:", "Fwd:" and their kin (also Spanish
// "RV:"/"RE:" and German "AW:") off the front of a subject, however many.
func stripReplyPrefixes(subject string) string {
	s := strings.TrimSpace(subject)
	for {
		head, rest, ok := strings.Cut(s, ":")
		if !ok {
			return s
		}
		switch strings.ToUpper(strings.TrimSpace(head)) {
		case "RE", "FW", "FWD", "RV", "AW", "TR", "R":
			s = strings.TrimSpace(rest)
		default:
			return s
		}
	}
}

// firstReplyLine is the first non-empty line the sender wrote: "" when
// the text opens with quoted text.
func firstReplyLine(text string) string {
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		t := strings.TrimSpace(line)
		if t == "" {
			continue
		}
		if quoteStart(t) {
			return ""
		}
		return t
	}
	return ""
}

// quoteStart reports a line that begins the quoted original of a reply.
func quoteStart(t string) bool {
	return strings.HasPrefix(t, ">") || strings.HasPrefix(t, "-----Original Message-----") ||
		strings.HasPrefix(t, "From: ") || strings.HasPrefix(t, "De: ") ||
		(strings.HasPrefix(t, "On ") && strings.HasSuffix(t, "wrote:")) ||
		(strings.HasPrefix(t, "El ") && strings.HasSuffix(t, "escribió:"))
}

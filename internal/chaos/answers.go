package chaos

import (
	"strconv"
	"strings"
)

// answerFor is what a cooperative patient replies to a message, read from
// its (English) wording; ok is false for messages that ask nothing. Only
// answers that keep every journey short are chosen: language stays
// English, outreach is accepted (a decline would start re-engagement).
func answerFor(r *rnd, body string) (answer string, ok bool) {
	switch b := strings.ToLower(body); {
	case strings.Contains(b, "reply 1 better") || strings.Contains(b, "just 1 (better)"):
		return pick(r, "1", "2", "3"), true
	case strings.Contains(b, "reply call or no"):
		return pick(r, "CALL", "NO"), true
	case strings.Contains(b, "number from 0") || strings.Contains(b, "one number from 0 to 10"):
		return strconv.Itoa(r.intn(11)), true
	case strings.Contains(b, "best way to reach you"):
		return pick(r, "YES", "yes", "NO"), true
	case strings.Contains(b, "which language"):
		return "1", true
	case strings.Contains(b, "occasional check-ins"):
		return "YES", true
	case strings.Contains(b, "what matters most"), strings.Contains(b, "anything making care hard"):
		return pick(r, "1", "2", "3", "4"), true
	case strings.Contains(b, "taken your medications"):
		return pick(r, "YES", "YES", "NO"), true
	}
	return "", false
}

// asksForReading reports a treatment follow-up's request for a reading:
// the "device" posts an observation through the API.
func asksForReading(body string) bool { return strings.Contains(body, "please take your") }

package config

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/carepath/carepath"
)

// SendFleet is how SMS leaves carepath when there is more than one worker,
// more than one sending number, or a Twilio Messaging Service.
type SendFleet struct {
	// Numbers are the sending numbers, TWILIO_FROM_NUMBER first (pages to
	// staff go from it), then TWILIO_FROM_NUMBERS, each with its own limit.
	// A patient always hears from the same one (messaging.Numbers).
	Numbers []SendNumber
	// MessagingServiceSID (TWILIO_MESSAGING_SERVICE_SID) sends through a
	// Twilio Messaging Service instead of a number: Twilio picks the number.
	// Its limit is CAREPATH_SMS_PER_SECOND × ServiceNumbers.
	MessagingServiceSID string
	// ServiceNumbers (CAREPATH_MESSAGING_SERVICE_NUMBERS, default 1) is how
	// many numbers the Messaging Service has.
	ServiceNumbers int
	// Limiter (CAREPATH_SEND_LIMITER) is where the per-number limit is
	// kept: "shared" (default) in PostgreSQL, exact across every worker;
	// "process" in each worker's memory, exact only with one worker per
	// number (carepath dev's default: it is one process).
	Limiter string
	// LimiterSet: CAREPATH_SEND_LIMITER was given (dev keeps its choice).
	LimiterSet bool
}

// SendNumber is one sending number and its provider limit.
type SendNumber struct {
	Number    string
	PerSecond float64
}

// Send limiter kinds.
const (
	LimiterShared  = "shared"
	LimiterProcess = "process"
)

var messagingServiceSID = regexp.MustCompile(`^MG[0-9a-fA-F]{32}$`)

// TotalPerSecond is the SMS rate of the whole fleet: every number's limit,
// or the Messaging Service's.
func (f SendFleet) TotalPerSecond(perNumber float64) float64 {
	if f.MessagingServiceSID != "" {
		return perNumber * float64(max(f.ServiceNumbers, 1))
	}
	var sum float64
	for _, n := range f.Numbers {
		sum += n.PerSecond
	}
	if sum == 0 {
		return perNumber
	}
	return sum
}

// sendFleetFromEnv reads TWILIO_FROM_NUMBERS, TWILIO_MESSAGING_SERVICE_SID,
// CAREPATH_MESSAGING_SERVICE_NUMBERS and CAREPATH_SEND_LIMITER; from and
// perNumber are TWILIO_FROM_NUMBER and CAREPATH_SMS_PER_SECOND, already read.
func sendFleetFromEnv(get func(k, def string) string, bad func(key, format string, args ...any), from string, perNumber float64) SendFleet {
	f := SendFleet{MessagingServiceSID: get("TWILIO_MESSAGING_SERVICE_SID", ""), Limiter: get("CAREPATH_SEND_LIMITER", LimiterShared),
		LimiterSet: get("CAREPATH_SEND_LIMITER", "") != ""}
	if from != "" {
		f.Numbers = append(f.Numbers, SendNumber{Number: from, PerSecond: perNumber})
	}
	seen := map[string]bool{from: true}
	if list := get("TWILIO_FROM_NUMBERS", ""); list != "" {
		if from == "" {
			bad("TWILIO_FROM_NUMBERS", "needs TWILIO_FROM_NUMBER (the first number) set too")
		}
		for item := range strings.SplitSeq(list, ",") {
			number, rate, hasRate := strings.Cut(strings.TrimSpace(item), "=")
			n := SendNumber{Number: strings.TrimSpace(number), PerSecond: perNumber}
			if !carepath.ValidPhone(n.Number) {
				bad("TWILIO_FROM_NUMBERS", "every entry must be an E.164 number, optionally =rate (e.g. +15550001111=10)")
				continue
			}
			if seen[n.Number] {
				bad("TWILIO_FROM_NUMBERS", "lists a number twice (or TWILIO_FROM_NUMBER again)")
				continue
			}
			seen[n.Number] = true
			if hasRate {
				r, err := strconv.ParseFloat(strings.TrimSpace(rate), 64)
				if err != nil || r <= 0 || r > 1000 {
					bad("TWILIO_FROM_NUMBERS", "a number's rate must be above 0 and at most 1000")
					continue
				}
				n.PerSecond = r
			}
			f.Numbers = append(f.Numbers, n)
		}
	}
	if f.MessagingServiceSID != "" {
		if !messagingServiceSID.MatchString(f.MessagingServiceSID) {
			bad("TWILIO_MESSAGING_SERVICE_SID", "must be MG followed by 32 hex digits")
		}
		if len(f.Numbers) > 1 {
			bad("TWILIO_MESSAGING_SERVICE_SID", "cannot be used with TWILIO_FROM_NUMBERS: the service picks the number")
		}
	}
	var err error
	if f.ServiceNumbers, err = boundedInt(get("CAREPATH_MESSAGING_SERVICE_NUMBERS", "1"), 1, 10000); err != nil {
		bad("CAREPATH_MESSAGING_SERVICE_NUMBERS", "%v", err)
	}
	if f.Limiter != LimiterShared && f.Limiter != LimiterProcess {
		bad("CAREPATH_SEND_LIMITER", "must be %q or %q", LimiterShared, LimiterProcess)
	}
	return f
}

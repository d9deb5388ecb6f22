package faketwilio

import (
	"net/http"
	"net/url"

	"github.com/carepath/carepath/internal/fakefault"
)

// Fault is one way the fake misbehaves on a send (chaos tests); the
// vocabulary is shared with the other fake provider.
type Fault = fakefault.Fault

// Plan is what the fake does with one send.
type Plan = fakefault.Plan

// The faults (see fakefault).
const (
	FaultNone                 = fakefault.None
	FaultUnavailable          = fakefault.Unavailable
	FaultRateLimited          = fakefault.RateLimited
	FaultAcceptThenError      = fakefault.AcceptThenError
	FaultAcceptThenStall      = fakefault.AcceptThenStall
	FaultStallThenUnavailable = fakefault.StallThenUnavailable
)

// Faults reports how many times each fault was injected.
func (s *Server) Faults() map[Fault]int { return s.ledger.Faults() }

// FaultOf is the fault an accepted send was answered with (FaultNone: a
// normal answer).
func (s *Server) FaultOf(id string) Fault { return s.ledger.FaultOf(id) }

func writeError(w http.ResponseWriter, f Fault) {
	status, code := http.StatusInternalServerError, 20500
	switch f {
	case FaultUnavailable, FaultStallThenUnavailable:
		status, code = http.StatusServiceUnavailable, 20503
	case FaultRateLimited:
		status, code = http.StatusTooManyRequests, 20429
	}
	fakefault.WriteJSON(w, status, map[string]any{"code": code, "message": "fake " + f.String(), "status": status})
}

// CarepathID is the carepath message ID the message's StatusCallback URL
// carries (?message_id=...), or "" when it carries none.
func (m Message) CarepathID() string {
	u, err := url.Parse(m.StatusCallback)
	if err != nil {
		return ""
	}
	return u.Query().Get("message_id")
}

package fakesendgrid

import (
	"net/http"

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
	status := http.StatusInternalServerError
	switch f {
	case FaultUnavailable, FaultStallThenUnavailable:
		status = http.StatusServiceUnavailable
	case FaultRateLimited:
		status = http.StatusTooManyRequests
	}
	fakefault.WriteJSON(w, status, map[string]any{"errors": []map[string]string{{"message": "fake " + f.String()}}})
}

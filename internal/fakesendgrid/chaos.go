package fakesendgrid

import (
	"fmt"
	"net/http"
	"time"
)

// Fault is one way the fake misbehaves on a send (chaos tests). "Accept"
// means the mail is recorded as sent: the caller cannot tell from the answer.
type Fault int

// The faults, as in faketwilio.
const (
	FaultNone                 Fault = iota
	FaultUnavailable                // 503, not accepted
	FaultRateLimited                // 429, not accepted
	FaultAcceptThenError            // accepted, then 500
	FaultAcceptThenStall            // accepted, answered (500) only after Plan.Stall
	FaultStallThenUnavailable       // not accepted, 503 after Plan.Stall
)

func (f Fault) String() string {
	switch f {
	case FaultNone:
		return "none"
	case FaultUnavailable:
		return "unavailable"
	case FaultRateLimited:
		return "rate_limited"
	case FaultAcceptThenError:
		return "accept_then_error"
	case FaultAcceptThenStall:
		return "accept_then_stall"
	case FaultStallThenUnavailable:
		return "stall_then_unavailable"
	}
	return fmt.Sprintf("fault(%d)", int(f))
}

// Plan is what the fake does with one send.
type Plan struct {
	Fault   Fault
	Latency time.Duration // waited before anything else
	Stall   time.Duration // for the stalling faults
}

func (p Plan) refuses() bool {
	switch p.Fault {
	case FaultUnavailable, FaultRateLimited, FaultStallThenUnavailable:
		return true
	}
	return false
}

func (s *Server) count(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.faults == nil {
		s.faults = map[Fault]int{}
	}
	s.faults[f]++
}

// Faults reports how many times each fault was injected.
func (s *Server) Faults() map[Fault]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[Fault]int, len(s.faults))
	for f, n := range s.faults {
		out[f] = n
	}
	return out
}

func (s *Server) remember(id string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.faultOf == nil {
		s.faultOf = map[string]Fault{}
	}
	s.faultOf[id] = f
}

// FaultOf is the fault an accepted mail was answered with (FaultNone: a
// normal answer).
func (s *Server) FaultOf(id string) Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faultOf[id]
}

func writeError(w http.ResponseWriter, f Fault) {
	status := http.StatusInternalServerError
	switch f {
	case FaultUnavailable, FaultStallThenUnavailable:
		status = http.StatusServiceUnavailable
	case FaultRateLimited:
		status = http.StatusTooManyRequests
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"errors":[{"message":"fake %s"}]}`, f)
}

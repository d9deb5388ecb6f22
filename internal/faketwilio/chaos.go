package faketwilio

import (
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// Fault is one way the fake misbehaves on a create request (chaos tests).
type Fault int

// The faults. "Accept" means the message is recorded as sent to the phone:
// the caller cannot tell from the answer.
const (
	FaultNone                 Fault = iota
	FaultUnavailable                // 503, not accepted
	FaultRateLimited                // 429 (code 20429), not accepted
	FaultAcceptThenError            // accepted, then 500
	FaultAcceptThenStall            // accepted, answered (500) only after Plan.Stall: past the client's timeout
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

// Plan is what the fake does with one create request.
type Plan struct {
	Fault   Fault
	Latency time.Duration // waited before anything else
	Stall   time.Duration // for the stalling faults
}

// refuses reports whether the plan answers without accepting.
func (p Plan) refuses() bool {
	switch p.Fault {
	case FaultUnavailable, FaultRateLimited, FaultStallThenUnavailable:
		return true
	}
	return false
}

// count records that a fault was injected.
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

func (s *Server) remember(sid string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.faultOf == nil {
		s.faultOf = map[string]Fault{}
	}
	s.faultOf[sid] = f
}

// FaultOf is the fault an accepted message was answered with (FaultNone:
// a normal answer).
func (s *Server) FaultOf(sid string) Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faultOf[sid]
}

func writeError(w http.ResponseWriter, f Fault) {
	status, code := http.StatusInternalServerError, 20500
	switch f {
	case FaultUnavailable, FaultStallThenUnavailable:
		status, code = http.StatusServiceUnavailable, 20503
	case FaultRateLimited:
		status, code = http.StatusTooManyRequests, 20429
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"code":%d,"message":"fake %s","status":%d}`, code, f, status)
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

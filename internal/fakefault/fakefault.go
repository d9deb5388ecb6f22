// Package fakefault is the fault vocabulary the fake providers share
// (internal/faketwilio, internal/fakesendgrid): what a fake does with one
// send, and a record of what it injected, so a chaos run can say which
// answer each accepted message got.
package fakefault

import (
	"fmt"
	"sync"
	"time"
)

// Fault is one way a fake provider misbehaves on a send. "Accept" means
// the message is recorded as sent: the caller cannot tell from the answer.
type Fault int

// The faults.
const (
	None                 Fault = iota
	Unavailable                // 503, not accepted
	RateLimited                // 429, not accepted
	AcceptThenError            // accepted, then 500
	AcceptThenStall            // accepted, answered (500) only after Plan.Stall: past the client's timeout
	StallThenUnavailable       // not accepted, 503 after Plan.Stall
)

func (f Fault) String() string {
	switch f {
	case None:
		return "none"
	case Unavailable:
		return "unavailable"
	case RateLimited:
		return "rate_limited"
	case AcceptThenError:
		return "accept_then_error"
	case AcceptThenStall:
		return "accept_then_stall"
	case StallThenUnavailable:
		return "stall_then_unavailable"
	}
	return fmt.Sprintf("fault(%d)", int(f))
}

// Plan is what a fake does with one send.
type Plan struct {
	Fault   Fault
	Latency time.Duration // waited before anything else
	Stall   time.Duration // for the stalling faults
}

// Refuses reports whether the plan answers without accepting.
func (p Plan) Refuses() bool {
	switch p.Fault {
	case Unavailable, RateLimited, StallThenUnavailable:
		return true
	}
	return false
}

// Ledger counts the faults injected and remembers which fault each
// accepted send was answered with. The zero value is ready; it is safe
// for concurrent use.
type Ledger struct {
	mu     sync.Mutex
	counts map[Fault]int
	of     map[string]Fault // by the provider's ID of an accepted send
}

// Count records that a fault was injected.
func (l *Ledger) Count(f Fault) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.counts == nil {
		l.counts = map[Fault]int{}
	}
	l.counts[f]++
}

// Remember records the fault an accepted send was answered with.
func (l *Ledger) Remember(id string, f Fault) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.of == nil {
		l.of = map[string]Fault{}
	}
	l.of[id] = f
}

// Faults reports how many times each fault was injected.
func (l *Ledger) Faults() map[Fault]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[Fault]int, len(l.counts))
	for f, n := range l.counts {
		out[f] = n
	}
	return out
}

// FaultOf is the fault an accepted send was answered with (None: a
// normal answer).
func (l *Ledger) FaultOf(id string) Fault {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.of[id]
}

// Before runs the part of a plan that comes before the send is accepted:
// the latency (and, for StallThenUnavailable, the stall). It reports
// whether the plan refuses the send, counting the refusal; the caller then
// answers with the fault's error.
func (l *Ledger) Before(p Plan) (refused bool) {
	wait := p.Latency
	if p.Fault == StallThenUnavailable {
		wait += p.Stall
	}
	if wait > 0 {
		time.Sleep(wait)
	}
	if p.Refuses() {
		l.Count(p.Fault)
		return true
	}
	return false
}

// AfterAccept runs the part of a plan that comes after the send, known by
// id, was accepted: it records the fault and waits out an AcceptThenStall.
// It reports whether the answer is the fault's error rather than success.
func (l *Ledger) AfterAccept(id string, p Plan) (answerError bool) {
	if p.Fault == None {
		return false
	}
	l.Count(p.Fault)
	l.Remember(id, p.Fault)
	if p.Fault == AcceptThenStall {
		time.Sleep(p.Stall)
	}
	return true
}

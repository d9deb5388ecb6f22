package messaging

import (
	"context"
	"math"
	"sync"
	"time"
)

// Paced keeps one sending number under its provider's throughput limit:
// at most ⌊perSecond⌋ requests in any one-second window (for rates below
// one, one request per 1/perSecond seconds).
//
// A token bucket is not enough: it allows a burst on top of the refill,
// and network jitter can squeeze two requests closer together on arrival
// than they were on departure. Paced instead holds a slot from the moment
// a request starts until one window after its response: the provider saw
// the request before the response came back, so two requests through the
// same slot arrive at least a window apart, and no window can hold more
// requests than there are slots. The price is the provider's latency: each
// slot carries one request per (window + latency), e.g. 99.5% of the limit
// at 5 ms.
//
// Two lanes share the slots: callers of AcquireUrgent are served before
// any caller of Acquire, so a safety message is never queued behind a bulk
// launch, and both lanes together still keep to the limit.
//
// The guarantee holds per process: with several worker processes on one
// number use Shared (limit.go), which keeps the same slots in PostgreSQL.
type Paced struct {
	next   Sender
	window time.Duration

	mu     sync.Mutex
	idle   []time.Time // slots nobody holds: when each may be used again
	urgent []*waiter   // waiting AcquireUrgent calls, first come first
	bulk   []*waiter   // waiting Acquire calls, first come first
	wake   *time.Timer // fires when the earliest idle slot is free again
}

// waiter is one caller waiting for a slot; the slot's free time is handed
// over on got.
type waiter struct{ got chan time.Time }

// NewPaced wraps next; perSecond must be positive. The result can look
// messages up exactly when next can.
func NewPaced(next Sender, perSecond float64) Sender {
	n, window := int(math.Floor(perSecond)), time.Second
	if n < 1 {
		n, window = 1, time.Duration(float64(time.Second)/perSecond)
	}
	p := newPaced(next, n, window)
	if l, ok := next.(Looker); ok {
		return pacedLooker{p, l}
	}
	return p
}

// newPaced allows n requests per window.
func newPaced(next Sender, n int, window time.Duration) *Paced {
	return &Paced{next: next, window: window, idle: make([]time.Time, n)}
}

// Provider names the wrapped provider.
func (p *Paced) Provider() string { return p.next.Provider() }

// Direct is the wrapped sender, to call while holding a slot.
func (p *Paced) Direct() Sender { return p.next }

// Slot is the right to make one request now. Release it once the request
// is answered (or given up on); Return it if no request was made.
type Slot struct {
	release  func() // free it one window after now
	giveBack func() // idle again, as it was
	done     bool
}

// slot is a slot of p, free at free before it was taken.
func (p *Paced) slot(free time.Time) *Slot {
	return &Slot{release: func() { p.put(time.Now().Add(p.window)) }, giveBack: func() { p.put(free) }}
}

// Acquire waits for a free slot. The outbox takes a slot first and only
// then claims its attempt, so the time a message is handed to the provider
// is the time it records, and no consent change during the wait is missed.
// Waiting callers are served in arrival order, after every AcquireUrgent.
func (p *Paced) Acquire(ctx context.Context) (*Slot, error) {
	return p.acquire(ctx, false)
}

// AcquireUrgent is Acquire for the priority lane (safety messages, pages,
// STOP/HELP confirmations, conversation replies): it is served before any
// waiting Acquire, from the same slots, so both lanes together stay within
// the limit. An urgent caller waits at most for the next slot to come free
// (one window after the earliest answer in flight) plus the urgent callers
// ahead of it.
func (p *Paced) AcquireUrgent(ctx context.Context) (*Slot, error) {
	return p.acquire(ctx, true)
}

func (p *Paced) acquire(ctx context.Context, urgent bool) (*Slot, error) {
	p.mu.Lock()
	ahead := len(p.urgent)
	if !urgent {
		ahead += len(p.bulk)
	}
	if ahead == 0 {
		if i := p.earliest(); i >= 0 && !p.idle[i].After(time.Now()) {
			free := p.take(i)
			p.mu.Unlock()
			return p.slot(free), nil
		}
	}
	w := &waiter{got: make(chan time.Time, 1)}
	if urgent {
		p.urgent = append(p.urgent, w)
	} else {
		p.bulk = append(p.bulk, w)
	}
	p.dispatch()
	p.mu.Unlock()
	select {
	case free := <-w.got:
		return p.slot(free), nil
	case <-ctx.Done():
		p.mu.Lock()
		if !p.forget(w) {
			// Handed a slot as the wait ended: give it back as it was.
			p.idle = append(p.idle, <-w.got)
			p.dispatch()
		}
		p.mu.Unlock()
		return nil, &Error{Provider: p.next.Provider(), Kind: KindRateLimited, cause: ctx.Err()}
	}
}

// dispatch hands every idle slot that is free now to the waiters, urgent
// first, and sets the timer for the next one. Call with mu held.
func (p *Paced) dispatch() {
	now := time.Now()
	for len(p.urgent)+len(p.bulk) > 0 {
		i := p.earliest()
		if i < 0 {
			return // every slot is held: the next Release dispatches
		}
		if p.idle[i].After(now) {
			p.wakeAt(p.idle[i].Sub(now))
			return
		}
		var w *waiter
		if len(p.urgent) > 0 {
			w, p.urgent = p.urgent[0], p.urgent[1:]
		} else {
			w, p.bulk = p.bulk[0], p.bulk[1:]
		}
		w.got <- p.take(i)
	}
}

// wakeAt runs dispatch after d (an earlier wake-up is harmless: dispatch
// finds nothing free and sets the timer again).
func (p *Paced) wakeAt(d time.Duration) {
	if p.wake == nil {
		p.wake = time.AfterFunc(d, func() {
			p.mu.Lock()
			defer p.mu.Unlock()
			p.dispatch()
		})
		return
	}
	p.wake.Reset(d)
}

// earliest is the index of the idle slot free first, -1 if none is idle.
func (p *Paced) earliest() int {
	best := -1
	for i, t := range p.idle {
		if best < 0 || t.Before(p.idle[best]) {
			best = i
		}
	}
	return best
}

// take removes idle slot i and returns its free time.
func (p *Paced) take(i int) time.Time {
	free := p.idle[i]
	last := len(p.idle) - 1
	p.idle[i] = p.idle[last]
	p.idle = p.idle[:last]
	return free
}

// forget removes w from its queue; false if it was already served.
func (p *Paced) forget(w *waiter) bool {
	for _, q := range []*[]*waiter{&p.urgent, &p.bulk} {
		for i, x := range *q {
			if x == w {
				*q = append((*q)[:i], (*q)[i+1:]...)
				return true
			}
		}
	}
	return false
}

// put gives a slot back, free again at free.
func (p *Paced) put(free time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.idle = append(p.idle, free)
	p.dispatch()
}

// Release frees a used slot one window after now (the request's answer).
// Twilio's Send can return on a cancelled context while its request is
// still in flight; the slot is then freed early. Activities end that way
// only on timeout or shutdown.
func (s *Slot) Release() {
	if s == nil || s.done {
		return
	}
	s.done = true
	s.release()
}

// Return gives back a slot no request was made with, as it was.
func (s *Slot) Return() {
	if s == nil || s.done {
		return
	}
	s.done = true
	s.giveBack()
}

// Send waits for a free slot, then sends: for callers with no outbox.
func (p *Paced) Send(ctx context.Context, m Outbound) (Receipt, error) {
	slot, err := p.Acquire(ctx)
	if err != nil {
		return Receipt{}, err
	}
	defer slot.Release()
	return p.next.Send(ctx, m)
}

// pacedLooker keeps the wrapped sender's Lookup (reconciliation reads do
// not count against the send limit).
type pacedLooker struct {
	*Paced
	Looker
}

// Gated is a sender whose requests must each hold a slot: take one with
// Acquire (AcquireUrgent on the priority lane), then call Direct().Send.
type Gated interface {
	Sender
	Acquire(ctx context.Context) (*Slot, error)
	AcquireUrgent(ctx context.Context) (*Slot, error)
	Direct() Sender
}

// Ready is a Gated sender that can tell, without waiting or a round trip,
// that a bulk Acquire for a message to to would be served at once. It is
// a hint (another caller may take the slot first), for deciding whether
// to claim a message before its slot.
type Ready interface {
	ReadyFor(to string) bool
}

// NeverReady reports whether a bulk send through s can never be known to
// get its slot at once without a round trip: s is Gated and cannot tell
// (not Ready: the fleet's shared limiter), or every number it routes to
// is such. A sender with no limiter is always ready.
func NeverReady(s Sender) bool {
	if _, gated := s.(Gated); !gated {
		return false
	}
	if n, ok := s.(*Numbers); ok {
		for _, l := range n.lanes {
			if !NeverReady(l) {
				return false
			}
		}
		return true
	}
	_, ready := s.(Ready)
	return !ready
}

// ReadyFor reports whether a slot is free now and nobody waits for one.
func (p *Paced) ReadyFor(string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.urgent)+len(p.bulk) > 0 {
		return false
	}
	i := p.earliest()
	return i >= 0 && !p.idle[i].After(time.Now())
}

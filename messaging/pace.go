package messaging

import (
	"context"
	"math"
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
// The guarantee holds per process; Temporal's task-queue rate limit on the
// send queue bounds the deployment as a whole.
type Paced struct {
	next   Sender
	window time.Duration
	slots  chan time.Time // each holds the time its slot is free again
}

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
	p := &Paced{next: next, window: window, slots: make(chan time.Time, n)}
	for range n {
		p.slots <- time.Time{}
	}
	return p
}

// Provider names the wrapped provider.
func (p *Paced) Provider() string { return p.next.Provider() }

// Direct is the wrapped sender, to call while holding a slot.
func (p *Paced) Direct() Sender { return p.next }

// Slot is the right to make one request now. Release it once the request
// is answered (or given up on); Return it if no request was made.
type Slot struct {
	p    *Paced
	free time.Time
	done bool
}

// Acquire waits for a free slot. The outbox takes a slot first and only
// then claims its attempt, so the time a message is handed to the provider
// is the time it records, and no consent change during the wait is missed.
func (p *Paced) Acquire(ctx context.Context) (*Slot, error) {
	var free time.Time
	select {
	case free = <-p.slots:
	case <-ctx.Done():
		return nil, &Error{Provider: p.next.Provider(), Kind: KindRateLimited, cause: ctx.Err()}
	}
	if wait := time.Until(free); wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			p.slots <- free // unused: give it back as it was
			return nil, &Error{Provider: p.next.Provider(), Kind: KindRateLimited, cause: ctx.Err()}
		}
	}
	return &Slot{p: p, free: free}, nil
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
	s.p.slots <- time.Now().Add(s.p.window)
}

// Return gives back a slot no request was made with, as it was.
func (s *Slot) Return() {
	if s == nil || s.done {
		return
	}
	s.done = true
	s.p.slots <- s.free
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
// Acquire, then call Direct().Send.
type Gated interface {
	Sender
	Acquire(ctx context.Context) (*Slot, error)
	Direct() Sender
}

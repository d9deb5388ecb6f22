package messaging

import (
	"context"
	"errors"
	"hash/fnv"
	"sort"
	"time"
)

// Routed is a Gated sender with several sending numbers: AcquireFor takes
// a slot on the number the recipient hears from and returns the sender
// that sends from it, to call while holding the slot.
type Routed interface {
	Gated
	AcquireFor(ctx context.Context, to string, urgent bool) (*Slot, Sender, error)
}

// Numbers sends SMS from several numbers, each behind its own limiter
// (Shared or Paced), and keeps every recipient on one number: carriers
// apply STOP per pair of numbers, so a patient who texted STOP to the
// number they hear from must not start hearing from another one (carepath's
// own consent ledger stops every number anyway; this keeps the carrier's
// view the same). The number is chosen by rendezvous hashing of the
// recipient over the numbers' names: adding a number moves only the
// recipients it wins (about 1 in n+1), removing one moves only its own.
//
// Acquire, AcquireUrgent and Direct (callers that do not say the recipient:
// pages to staff) use the first number.
type Numbers struct {
	names []string
	lanes []Gated
}

// NewNumbers routes over lanes, one per number named in names (same order).
func NewNumbers(names []string, lanes []Gated) (*Numbers, error) {
	if len(names) == 0 || len(names) != len(lanes) {
		return nil, errors.New("numbers: one limiter per sending number is required")
	}
	return &Numbers{names: names, lanes: lanes}, nil
}

// Provider names the first number's provider (they are all one provider).
func (n *Numbers) Provider() string { return n.lanes[0].Provider() }

// Route is the index of the number to hears from.
func (n *Numbers) Route(to string) int {
	best, bestScore := 0, uint64(0)
	for i, name := range n.names {
		h := fnv.New64a()
		_, _ = h.Write([]byte(name)) // hash writes never fail
		_, _ = h.Write([]byte{0})
		_, _ = h.Write([]byte(to))
		if s := h.Sum64(); i == 0 || s > bestScore {
			best, bestScore = i, s
		}
	}
	return best
}

// AcquireFor takes a slot on to's number.
func (n *Numbers) AcquireFor(ctx context.Context, to string, urgent bool) (*Slot, Sender, error) {
	g := n.lanes[n.Route(to)]
	acquire := g.Acquire
	if urgent {
		acquire = g.AcquireUrgent
	}
	slot, err := acquire(ctx)
	return slot, g.Direct(), err
}

// ReadyFor asks to's number's limiter; one that cannot tell is not ready.
func (n *Numbers) ReadyFor(to string) bool {
	r, ok := n.lanes[n.Route(to)].(Ready)
	return ok && r.ReadyFor(to)
}

// Acquire is the first number's.
func (n *Numbers) Acquire(ctx context.Context) (*Slot, error) { return n.lanes[0].Acquire(ctx) }

// AcquireUrgent is the first number's.
func (n *Numbers) AcquireUrgent(ctx context.Context) (*Slot, error) {
	return n.lanes[0].AcquireUrgent(ctx)
}

// Direct is the first number's sender.
func (n *Numbers) Direct() Sender { return n.lanes[0].Direct() }

// Send sends from m.To's number within its limit: for callers with no outbox.
func (n *Numbers) Send(ctx context.Context, m Outbound) (Receipt, error) {
	slot, direct, err := n.AcquireFor(ctx, m.To, false)
	if err != nil {
		return Receipt{}, err
	}
	defer slot.Release()
	return direct.Send(ctx, m)
}

// Lookup asks every number that can look up (a recipient's number may have
// changed with the list), newest first.
func (n *Numbers) Lookup(ctx context.Context, q LookupQuery) ([]Accepted, error) {
	var out []Accepted
	for _, g := range n.lanes {
		l, ok := g.Direct().(Looker)
		if !ok {
			continue
		}
		got, err := l.Lookup(ctx, q)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	return out, nil
}

// CallTimeout is the longest of the numbers' call timeouts.
func (n *Numbers) CallTimeout() time.Duration {
	var d time.Duration
	for _, g := range n.lanes {
		if t, ok := g.Direct().(Timed); ok {
			d = max(d, t.CallTimeout())
		}
	}
	return d
}

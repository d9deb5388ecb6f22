package messaging

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"time"
)

// SlotStore is the table of send slots every worker process shares
// (store.Queries implements it on the pool; migration 0031 says how the
// slots keep the limit). Every time in it is the database's clock.
type SlotStore interface {
	SendSlotsProvision(ctx context.Context, sender string, n int) error
	SendSlotClaim(ctx context.Context, sender, holder string, lease, window time.Duration, urgent bool) (slot int, ok bool, err error)
	SendSlotNextFree(ctx context.Context, sender string, window time.Duration, urgent bool) (wait time.Duration, urgentWaiting bool, err error)
	SendSlotRelease(ctx context.Context, sender string, slot int, holder string, window time.Duration) error
	SendSlotReturn(ctx context.Context, sender string, slot int, holder string) error
	SendSlotWaiting(ctx context.Context, sender, waiter string, ttl time.Duration) error
	SendSlotDoneWaiting(ctx context.Context, sender, waiter string) error
}

// SharedConfig configures one sending number's fleet-wide limiter.
type SharedConfig struct {
	// Sender names the number's slots: its E.164 number, or the Messaging
	// Service SID whose numbers share them.
	Sender string
	// PerSecond is the number's limit (for a Messaging Service: the
	// per-number limit times its numbers).
	PerSecond float64
	// Lease bounds how long a holder may keep a slot: a process that dies
	// holding one loses it a lease plus a window after it took it. It must
	// outlast the wait for the outbox claim plus the provider call; zero
	// means the sender's CallTimeout (Timed) plus 30 s, else a minute.
	Lease time.Duration
	Log   *slog.Logger
}

// Shared is Paced across processes: the same slots, held from before the
// request until one window after its answer, kept in PostgreSQL so every
// worker on the number shares them. The database's clock times them, so
// worker clocks do not matter.
//
// Each process runs one claimer per number: local callers queue as in
// Paced (urgent first, each lane first come first served) and the claimer
// takes slots from the table for them one at a time. When none is free it
// sleeps until the earliest slot's free time (a window at most: a slot
// released now is free a window later), so waiting costs a query per slot
// coming free, not a spin. Across processes the urgent lane holds too:
// while a process has an urgent caller waiting it registers the number's
// urgent waiter row, and no process's bulk caller takes a slot of that
// number until it is gone (it lapses if the process dies).
type Shared struct {
	next   Sender
	store  SlotStore
	sender string
	n      int
	window time.Duration
	lease  time.Duration
	log    *slog.Logger
	id     string // this process's urgent waiter row

	mu      sync.Mutex
	urgent  []*sharedWaiter
	bulk    []*sharedWaiter
	running bool          // a claimer goroutine is serving the queues
	kick    chan struct{} // wakes the claimer early (an urgent arrival, a returned slot)
}

type sharedWaiter struct{ got chan *Slot }

// urgentTTL is how long an urgent waiter row outlives its last refresh.
const urgentTTL = 2 * time.Second

// retryAfterError is the claimer's pause after a database error.
const retryAfterError = 100 * time.Millisecond

// NewShared wraps next with the number's fleet-wide limiter and makes its
// slots match the limit. The result can look messages up when next can.
func NewShared(ctx context.Context, next Sender, st SlotStore, c SharedConfig) (Sender, error) {
	s, err := newShared(ctx, next, st, c)
	if err != nil {
		return nil, err
	}
	if l, ok := next.(Looker); ok {
		return sharedLooker{s, l}, nil
	}
	return s, nil
}

func newShared(ctx context.Context, next Sender, st SlotStore, c SharedConfig) (*Shared, error) {
	if c.PerSecond <= 0 || c.Sender == "" {
		return nil, errors.New("shared send limiter: a sender and a positive rate are required")
	}
	n, window := int(math.Floor(c.PerSecond)), time.Second
	if n < 1 {
		n, window = 1, time.Duration(float64(time.Second)/c.PerSecond)
	}
	lease := c.Lease
	if lease <= 0 {
		lease = time.Minute
		if t, ok := next.(Timed); ok {
			lease = t.CallTimeout() + 30*time.Second
		}
	}
	log := c.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := st.SendSlotsProvision(ctx, c.Sender, n); err != nil {
		return nil, err
	}
	return &Shared{next: next, store: st, sender: c.Sender, n: n, window: window, lease: lease, log: log,
		id: newUUID(), kick: make(chan struct{}, 1)}, nil
}

// Provider names the wrapped provider.
func (s *Shared) Provider() string { return s.next.Provider() }

// Direct is the wrapped sender, to call while holding a slot.
func (s *Shared) Direct() Sender { return s.next }

// Acquire waits for a slot on the bulk lane (see Paced.Acquire).
func (s *Shared) Acquire(ctx context.Context) (*Slot, error) { return s.acquire(ctx, false) }

// AcquireUrgent waits for a slot on the urgent lane: ahead of every bulk
// caller in this process, and of every bulk caller of the number in any
// process once its claimer has registered the wait.
func (s *Shared) AcquireUrgent(ctx context.Context) (*Slot, error) { return s.acquire(ctx, true) }

// Send waits for a slot, then sends: for callers with no outbox.
func (s *Shared) Send(ctx context.Context, m Outbound) (Receipt, error) {
	slot, err := s.Acquire(ctx)
	if err != nil {
		return Receipt{}, err
	}
	defer slot.Release()
	return s.next.Send(ctx, m)
}

func (s *Shared) acquire(ctx context.Context, urgent bool) (*Slot, error) {
	w := &sharedWaiter{got: make(chan *Slot, 1)}
	s.mu.Lock()
	if urgent {
		s.urgent = append(s.urgent, w)
	} else {
		s.bulk = append(s.bulk, w)
	}
	if !s.running {
		s.running = true
		go s.claimer()
	} else if urgent {
		s.wake()
	}
	s.mu.Unlock()
	select {
	case slot := <-w.got:
		return slot, nil
	case <-ctx.Done():
		s.mu.Lock()
		gone := s.forget(w)
		s.mu.Unlock()
		if !gone {
			// Handed a slot as the wait ended: give it back unused.
			(<-w.got).Return()
		}
		return nil, &Error{Provider: s.next.Provider(), Kind: KindRateLimited, cause: ctx.Err()}
	}
}

// wake nudges the claimer without blocking.
func (s *Shared) wake() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// claimer serves the local queues until they are empty.
func (s *Shared) claimer() {
	ctx := context.Background()
	registered := time.Time{} // when the urgent waiter row was last refreshed
	defer func() {
		if !registered.IsZero() {
			s.doneWaiting(ctx)
		}
	}()
	for {
		s.mu.Lock()
		if len(s.urgent)+len(s.bulk) == 0 {
			s.running = false
			s.mu.Unlock()
			return
		}
		urgent := len(s.urgent) > 0
		s.mu.Unlock()

		switch {
		case urgent && time.Since(registered) > urgentTTL/4:
			if err := s.store.SendSlotWaiting(ctx, s.sender, s.id, urgentTTL); err != nil {
				s.log.Warn("send limiter: register urgent waiter", "sender", s.sender, "error", err)
			} else {
				registered = time.Now()
			}
		case !urgent && !registered.IsZero():
			s.doneWaiting(ctx)
			registered = time.Time{}
		}

		holder := newUUID()
		slot, ok, err := s.store.SendSlotClaim(ctx, s.sender, holder, s.lease, s.window, urgent)
		if err != nil {
			s.log.Warn("send limiter: claim a slot", "sender", s.sender, "error", err)
			s.sleep(retryAfterError)
			continue
		}
		if ok {
			s.hand(s.sharedSlot(slot, holder))
			continue
		}
		wait, blocked, err := s.store.SendSlotNextFree(ctx, s.sender, s.window, urgent)
		if err != nil {
			s.log.Warn("send limiter: next free slot", "sender", s.sender, "error", err)
			s.sleep(retryAfterError)
			continue
		}
		if blocked {
			// Another process's urgent caller goes first; look again soon.
			wait = max(wait, 10*time.Millisecond)
		}
		s.sleep(max(wait, time.Millisecond))
	}
}

// hand gives slot to the first waiter, urgent first; with nobody left
// (they gave up meanwhile) it goes back unused.
func (s *Shared) hand(slot *Slot) {
	s.mu.Lock()
	var w *sharedWaiter
	switch {
	case len(s.urgent) > 0:
		w, s.urgent = s.urgent[0], s.urgent[1:]
	case len(s.bulk) > 0:
		w, s.bulk = s.bulk[0], s.bulk[1:]
	}
	s.mu.Unlock()
	if w == nil {
		slot.Return()
		return
	}
	w.got <- slot
}

// sleep waits d or until woken.
func (s *Shared) sleep(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.kick:
	}
}

func (s *Shared) doneWaiting(ctx context.Context) {
	if err := s.store.SendSlotDoneWaiting(ctx, s.sender, s.id); err != nil {
		// It lapses within urgentTTL anyway.
		s.log.Warn("send limiter: remove urgent waiter", "sender", s.sender, "error", err)
	}
}

// sharedSlot is the Slot for table slot i held as holder. Releasing and
// returning outlive the caller's context: a slot left held costs the
// number a slot until its lease runs out.
func (s *Shared) sharedSlot(i int, holder string) *Slot {
	bounded := func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.Background(), 10*time.Second)
	}
	return &Slot{
		release: func() {
			ctx, cancel := bounded()
			defer cancel()
			if err := s.store.SendSlotRelease(ctx, s.sender, i, holder, s.window); err != nil {
				s.log.Warn("send limiter: release slot (its lease frees it)", "sender", s.sender, "error", err)
			}
		},
		giveBack: func() {
			ctx, cancel := bounded()
			defer cancel()
			if err := s.store.SendSlotReturn(ctx, s.sender, i, holder); err != nil {
				s.log.Warn("send limiter: return slot (its lease frees it)", "sender", s.sender, "error", err)
			}
			s.wake() // it may be free now
		},
	}
}

// forget removes w from its queue; false if it was already served.
func (s *Shared) forget(w *sharedWaiter) bool {
	for _, q := range []*[]*sharedWaiter{&s.urgent, &s.bulk} {
		for i, x := range *q {
			if x == w {
				*q = append((*q)[:i], (*q)[i+1:]...)
				return true
			}
		}
	}
	return false
}

// sharedLooker keeps the wrapped sender's Lookup.
type sharedLooker struct {
	*Shared
	Looker
}

// newUUID is a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

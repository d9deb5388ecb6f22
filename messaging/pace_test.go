package messaging

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// arrivals records when each request "reaches the provider": after the
// caller started it and before it answers, like a real provider.
type arrivals struct {
	mu sync.Mutex
	at []time.Time
}

func (a *arrivals) Provider() string { return "fake" }

func (a *arrivals) Send(context.Context, Outbound) (Receipt, error) {
	time.Sleep(time.Millisecond) // on the way
	a.mu.Lock()
	a.at = append(a.at, time.Now())
	a.mu.Unlock()
	time.Sleep(time.Millisecond) // the answer's way back
	return Receipt{Provider: "fake", ProviderMessageID: "x"}, nil
}

func TestPacedNeverExceedsTheWindow(t *testing.T) {
	const n, window, sends = 4, 40 * time.Millisecond, 40
	rec := &arrivals{}
	p := newPaced(rec, n, window)
	var wg sync.WaitGroup
	for i := range sends {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Every third send on the urgent lane: the limit holds for
			// both lanes together.
			if i%3 == 0 {
				slot, err := p.AcquireUrgent(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				defer slot.Release()
				if _, err := p.Direct().Send(context.Background(), Outbound{}); err != nil {
					t.Error(err)
				}
				return
			}
			if _, err := p.Send(context.Background(), Outbound{}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if len(rec.at) != sends {
		t.Fatalf("%d sends arrived, want %d", len(rec.at), sends)
	}
	// However slow the machine, no window may hold more than n arrivals.
	for i := range rec.at {
		in := 0
		for _, b := range rec.at[i:] {
			if b.Sub(rec.at[i]) < window {
				in++
			}
		}
		if in > n {
			t.Fatalf("%d arrivals within one window starting at arrival %d; limit %d", in, i, n)
		}
	}
}

func TestPacedGivesBackItsSlotWhenCancelled(t *testing.T) {
	rec := &arrivals{}
	p := newPaced(rec, 1, time.Hour)
	if _, err := p.Send(context.Background(), Outbound{}); err != nil {
		t.Fatal(err)
	}
	// The only slot is busy for an hour: a cancelled wait fails as "not
	// sent" (nothing reached the provider), so it may simply be retried.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := p.Send(ctx, Outbound{})
	if e, ok := err.(*Error); !ok || e.Kind != KindRateLimited {
		t.Fatalf("cancelled wait: %v, want a retryable *Error", err)
	}
	if n := p.idleSlots(); n != 1 {
		t.Fatalf("%d free slots after a cancelled wait, want the slot back", n)
	}
}

func TestNewPacedKeepsLookupOnlyWhenTheProviderHasIt(t *testing.T) {
	if _, ok := NewPaced(&arrivals{}, 1).(Looker); ok {
		t.Fatal("a paced sender without lookup claims one")
	}
	tw, err := NewTwilio(TwilioConfig{AccountSID: "AC1", AuthToken: "t", From: "+15550000000", APIURL: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := NewPaced(tw, 1).(Looker); !ok {
		t.Fatal("a paced Twilio sender lost its lookup")
	}
}

func TestSlotReturnedUnusedIsFreeAtOnce(t *testing.T) {
	p := newPaced(&arrivals{}, 1, time.Hour)
	slot, err := p.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	slot.Return()  // the claim found the message stopped: no request made
	slot.Release() // a second settle is ignored
	again, err := p.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	again.Release() // used: busy for the window
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Acquire(ctx); err == nil {
		t.Fatal("a slot used a moment ago was free again within its window")
	}
	if n := p.idleSlots(); n != 1 {
		t.Fatalf("%d slots, want 1", n)
	}
}

func TestPacedExposesItsSlotsAndTheDirectSender(t *testing.T) {
	inner := &arrivals{}
	g, ok := NewPaced(inner, 1).(Gated)
	if !ok || g.Direct() != Sender(inner) {
		t.Fatal("a paced sender must let the outbox take a slot and call the provider itself")
	}
}

// idleSlots counts the slots nobody holds.
func (p *Paced) idleSlots() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.idle)
}

// queued counts the callers waiting, urgent and bulk.
func (p *Paced) queued() (urgent, bulk int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.urgent), len(p.bulk)
}

// lanes queues callers one at a time, each strictly after the previous one
// is waiting, and records the order in which they get their slot.
type lanes struct {
	t      *testing.T
	p      *Paced
	wg     sync.WaitGroup
	mu     sync.Mutex
	served []string
}

// queue starts a caller named name and returns once it is waiting.
func (l *lanes) queue(name string, urgent bool) {
	l.t.Helper()
	u0, b0 := l.p.queued()
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		acquire := l.p.Acquire
		if urgent {
			acquire = l.p.AcquireUrgent
		}
		slot, err := acquire(context.Background())
		if err != nil {
			l.t.Error(err)
			return
		}
		l.mu.Lock()
		l.served = append(l.served, name)
		l.mu.Unlock()
		slot.Release()
	}()
	// Wait (not a timed assertion: only for the goroutine to be queued)
	// so that arrival order is the order of the calls.
	for {
		u, b := l.p.queued()
		if u+b == u0+b0+1 {
			return
		}
		runtime.Gosched()
	}
}

func isRateLimited(err error) bool {
	e, ok := err.(*Error)
	return ok && e.Kind == KindRateLimited
}

func (l *lanes) order() []string {
	l.wg.Wait()
	return l.served
}

func TestUrgentGetsTheNextReleasedSlotBeforeQueuedBulk(t *testing.T) {
	// One slot, window 0: a released slot is free again at once, so the
	// order of service is decided by the lanes alone.
	p := newPaced(&arrivals{}, 1, 0)
	held, err := p.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	l := &lanes{t: t, p: p}
	for i := range 5 {
		l.queue(fmt.Sprintf("bulk%d", i), false)
	}
	l.queue("urgent0", true)
	l.queue("bulk5", false)
	l.queue("urgent1", true)
	if u, b := p.queued(); u != 2 || b != 6 {
		t.Fatalf("queued: %d urgent, %d bulk; want 2, 6", u, b)
	}
	held.Release()
	got := strings.Join(l.order(), " ")
	want := "urgent0 urgent1 bulk0 bulk1 bulk2 bulk3 bulk4 bulk5"
	if got != want {
		t.Fatalf("served %q, want %q", got, want)
	}
}

func TestUrgentWaitsForASlotInItsWindowNotForBulk(t *testing.T) {
	// The only slot was used a moment ago (busy for an hour) and bulk
	// callers are waiting: an urgent caller joins the wait, ahead of them,
	// and a cancelled urgent wait leaves the queue and the slot as they were.
	p := newPaced(&arrivals{}, 1, time.Hour)
	if _, err := p.Send(context.Background(), Outbound{}); err != nil {
		t.Fatal(err)
	}
	l := &lanes{t: t, p: p}
	l.queue("bulk0", false)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := p.AcquireUrgent(ctx)
		done <- err
	}()
	for u, _ := p.queued(); u != 1; u, _ = p.queued() {
		runtime.Gosched()
	}
	cancel()
	if err := <-done; !isRateLimited(err) {
		t.Fatalf("cancelled urgent wait: %v, want a retryable *Error", err)
	}
	if u, b := p.queued(); u != 0 || b != 1 {
		t.Fatalf("after the cancelled urgent wait: %d urgent, %d bulk queued; want 0, 1", u, b)
	}
	if n := p.idleSlots(); n != 1 {
		t.Fatalf("%d idle slots, want 1 (busy, not lost)", n)
	}
	// Free the slot now: the bulk caller still waiting gets it.
	p.mu.Lock()
	p.idle[0] = time.Time{}
	p.dispatch()
	p.mu.Unlock()
	if got := strings.Join(l.order(), " "); got != "bulk0" {
		t.Fatalf("served %q, want bulk0", got)
	}
}

func TestUrgentTakesAFreeSlotAtOnce(t *testing.T) {
	p := newPaced(&arrivals{}, 2, time.Hour)
	bulk, err := p.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer bulk.Release()
	// The second slot is free: no wait, whatever the lane.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.AcquireUrgent(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := p.AcquireUrgent(ctx); err == nil {
		t.Fatal("a third slot was handed out with two in use")
	}
}

func TestPacedKeepsBothLanesInTheWindow(t *testing.T) {
	// A slot that served a bulk request is not free for an urgent one
	// until its window has passed.
	p := newPaced(&arrivals{}, 1, time.Hour)
	s, err := p.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	s.Release()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.AcquireUrgent(ctx); err == nil {
		t.Fatal("an urgent request got a slot used within its window")
	}
}

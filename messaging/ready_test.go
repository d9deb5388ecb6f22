package messaging

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// ReadyFor says a bulk Acquire would be served at once: a slot is free and
// nobody waits; a slot used within its window, or a waiter ahead, is not.
func TestPacedReadyOnlyWithAFreeSlotAndNobodyWaiting(t *testing.T) {
	p := newPaced(&arrivals{}, 1, time.Hour)
	if !p.ReadyFor("+15550000001") {
		t.Fatal("an idle limiter is not ready")
	}
	slot, err := p.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if p.ReadyFor("+15550000001") {
		t.Fatal("ready while its only slot is held")
	}
	slot.Return()
	if !p.ReadyFor("+15550000001") {
		t.Fatal("not ready after the slot came back unused")
	}
	slot, err = p.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	slot.Release()
	if p.ReadyFor("+15550000001") {
		t.Fatal("ready within the window of the slot's last request")
	}

	q := newPaced(&arrivals{}, 1, 50*time.Millisecond)
	held, err := q.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan *Slot)
	go func() {
		s, _ := q.Acquire(context.Background())
		got <- s
	}()
	for q.waiting() == 0 {
		time.Sleep(time.Millisecond)
	}
	held.Return()
	(<-got).Return()
	if !q.ReadyFor("") {
		t.Fatal("not ready once the waiter was served and its slot returned")
	}
}

// Numbers asks the limiter of the recipient's number, and one that cannot
// tell (the fleet's shared limiter) is never ready.
func TestNumbersReadyAsksTheRecipientsNumber(t *testing.T) {
	a, b := newPaced(fromSender{"a"}, 1, time.Hour), newPaced(fromSender{"b"}, 1, time.Hour)
	ns, err := NewNumbers([]string{"a", "b"}, []Gated{a, b})
	if err != nil {
		t.Fatal(err)
	}
	var toA, toB string
	for i := 0; toA == "" || toB == ""; i++ {
		to := fmt.Sprintf("+1555%07d", i)
		if ns.Route(to) == 0 {
			toA = to
		} else {
			toB = to
		}
	}
	slot, err := a.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer slot.Return()
	if ns.ReadyFor(toA) || !ns.ReadyFor(toB) {
		t.Fatalf("ready for a's recipient %v, b's %v; want false, true", ns.ReadyFor(toA), ns.ReadyFor(toB))
	}
	unknown, err := NewNumbers([]string{"s"}, []Gated{gatedOnly{b}})
	if err != nil {
		t.Fatal(err)
	}
	if unknown.ReadyFor(toB) {
		t.Fatal("a limiter that cannot tell was taken as ready")
	}
}

// gatedOnly is a limiter with no ReadyFor, as the shared limiter has none.
type gatedOnly struct{ Gated }

// waiting is how many callers wait for a slot.
func (p *Paced) waiting() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.urgent) + len(p.bulk)
}

// A sender is never ready only if every limiter it could use cannot tell:
// no limiter is always ready, the in-process pacer can tell, the shared
// one (here gatedOnly) cannot, and numbers are as their limiters.
func TestNeverReady(t *testing.T) {
	paced := newPaced(fromSender{"a"}, 1, time.Hour)
	shared := gatedOnly{paced}
	mixed, err := NewNumbers([]string{"a", "s"}, []Gated{paced, shared})
	if err != nil {
		t.Fatal(err)
	}
	allShared, err := NewNumbers([]string{"s", "t"}, []Gated{shared, shared})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		s     Sender
		never bool
	}{
		{"no limiter", fromSender{"a"}, false},
		{"in-process pacer", paced, false},
		{"shared limiter", shared, true},
		{"numbers, one pacer", mixed, false},
		{"numbers, all shared", allShared, true},
	} {
		if got := NeverReady(c.s); got != c.never {
			t.Errorf("%s: never ready %v, want %v", c.name, got, c.never)
		}
	}
}

package messaging

import (
	"context"
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
	for range sends {
		wg.Add(1)
		go func() {
			defer wg.Done()
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
	if len(p.slots) != 1 {
		t.Fatalf("%d free slots after a cancelled wait, want the slot back", len(p.slots))
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
	if len(p.slots) != 1 {
		t.Fatalf("%d slots, want 1", len(p.slots))
	}
}

func TestPacedExposesItsSlotsAndTheDirectSender(t *testing.T) {
	inner := &arrivals{}
	g, ok := NewPaced(inner, 1).(Gated)
	if !ok || g.Direct() != Sender(inner) {
		t.Fatal("a paced sender must let the outbox take a slot and call the provider itself")
	}
}

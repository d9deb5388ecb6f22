package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/carepath/carepath/internal/faketwilio"
)

// arrivals records when each message reached the fake provider, per
// recipient: the moment that counts for a patient.
type arrivals struct {
	mu   sync.Mutex
	byTo map[string][]time.Time
	all  []faketwilio.Message
}

func newArrivals() *arrivals { return &arrivals{byTo: map[string][]time.Time{}} }

func (a *arrivals) record(m faketwilio.Message) {
	a.mu.Lock()
	a.byTo[m.To] = append(a.byTo[m.To], m.At)
	a.all = append(a.all, m)
	a.mu.Unlock()
}

// nth returns when the k-th (1-based) message to number arrived.
func (a *arrivals) nth(number string, k int) (time.Time, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if at := a.byTo[number]; len(at) >= k {
		return at[k-1], true
	}
	return time.Time{}, false
}

// from returns the arrivals from one sending number since t, in order.
func (a *arrivals) from(sender string, since time.Time) []time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []time.Time
	for _, m := range a.all {
		if m.From == sender && !m.At.Before(since) {
			out = append(out, m.At)
		}
	}
	return out
}

// waitAll waits until every number has at least k messages and returns
// the k-th arrival of each, in the order of numbers.
func (a *arrivals) waitAll(ctx context.Context, numbers []string, k int, timeout time.Duration) ([]time.Time, error) {
	deadline := time.Now().Add(timeout)
	out := make([]time.Time, len(numbers))
	got := 0
	for {
		for i := got; i < len(numbers); i++ {
			at, ok := a.nth(numbers[i], k)
			if !ok {
				break
			}
			out[i] = at
			got++
		}
		if got == len(numbers) {
			return out, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("after %s only %d of %d recipients had message %d", timeout, got, len(numbers), k)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

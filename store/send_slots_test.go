package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/messaging"
	"github.com/carepath/carepath/store"
)

// The fleet-wide limiter (messaging.Shared on the send_slots table),
// against the real PostgreSQL: several limiter instances stand for several
// worker processes on one number.

// arrivals is a provider that records when each request arrived.
type arrivals struct {
	mu sync.Mutex
	at []time.Time
}

func (a *arrivals) Provider() string { return "fake" }

func (a *arrivals) Send(context.Context, messaging.Outbound) (messaging.Receipt, error) {
	a.mu.Lock()
	a.at = append(a.at, time.Now())
	a.mu.Unlock()
	time.Sleep(2 * time.Millisecond) // the provider's latency
	return messaging.Receipt{Provider: "fake", ProviderMessageID: "x"}, nil
}

// maxInWindow is the most arrivals within any window-long span.
func (a *arrivals) maxInWindow(window time.Duration) int {
	a.mu.Lock()
	at := slices.Clone(a.at)
	a.mu.Unlock()
	slices.SortFunc(at, func(x, y time.Time) int { return x.Compare(y) })
	most, lo := 0, 0
	for hi := range at {
		for at[hi].Sub(at[lo]) >= window {
			lo++
		}
		most = max(most, hi-lo+1)
	}
	return most
}

func (a *arrivals) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.at)
}

// openSlots opens a store on a fresh database; each limiter gets its own
// pool, as separate processes would.
func openSlots(t *testing.T, url string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func newShared(t *testing.T, st *store.Store, next messaging.Sender, perSecond float64, lease time.Duration) messaging.Gated {
	t.Helper()
	s, err := messaging.NewShared(context.Background(), next, st.Queries,
		messaging.SharedConfig{Sender: "+15550100000", PerSecond: perSecond, Lease: lease})
	if err != nil {
		t.Fatal(err)
	}
	return s.(messaging.Gated)
}

// Three limiters on one number, each with eight callers sending as fast as
// they are let: no one-second window sees more than the limit, and the
// limit is used (the figure is printed, not asserted: the machine is shared).
func TestSharedLimitHoldsAcrossInstances(t *testing.T) {
	url := testenv.Database(t)
	const limit = 5
	provider := &arrivals{}
	var lims []messaging.Gated
	for range 3 {
		lims = append(lims, newShared(t, openSlots(t, url), provider, limit, 0))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3500*time.Millisecond)
	defer cancel()
	var wg sync.WaitGroup
	for _, l := range lims {
		for range 8 {
			wg.Go(func() {
				for ctx.Err() == nil {
					slot, err := l.Acquire(ctx)
					if err != nil {
						return
					}
					if _, err := l.Direct().Send(ctx, messaging.Outbound{To: "+15550100001"}); err != nil {
						t.Error(err)
					}
					slot.Release()
				}
			})
		}
	}
	wg.Wait()
	most := provider.maxInWindow(time.Second)
	fmt.Printf("shared limiter: 3 instances, limit %d/s: %d sends in 3.5 s, at most %d in any 1 s window\n", limit, provider.count(), most)
	if most > limit {
		t.Fatalf("%d requests in one window, limit %d", most, limit)
	}
	if provider.count() < limit {
		t.Fatalf("only %d sends: the limiter let too few through", provider.count())
	}
}

// An urgent caller in one process is served before a bulk caller that was
// waiting first in another.
func TestSharedUrgentBeforeBulkAcrossInstances(t *testing.T) {
	url := testenv.Database(t)
	provider := &arrivals{}
	holder := newShared(t, openSlots(t, url), provider, 1, 0)
	bulkLim := newShared(t, openSlots(t, url), provider, 1, 0)
	urgentSt := openSlots(t, url)
	urgentLim := newShared(t, urgentSt, provider, 1, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	held, err := holder.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var order []string
	var wg sync.WaitGroup
	take := func(name string, acquire func(context.Context) (*messaging.Slot, error)) {
		defer wg.Done()
		slot, err := acquire(ctx)
		if err != nil {
			t.Error(name, err)
			return
		}
		mu.Lock()
		order = append(order, name)
		mu.Unlock()
		slot.Release()
	}
	wg.Add(2)
	go take("bulk", bulkLim.Acquire)
	time.Sleep(200 * time.Millisecond) // the bulk caller waits first
	go take("urgent", urgentLim.AcquireUrgent)
	// Once the urgent caller's process has registered its wait, the held
	// slot comes free.
	for {
		var n int
		if err := urgentSt.Pool.QueryRow(ctx, `SELECT count(*) FROM send_slot_waiters WHERE expires_at > clock_timestamp()`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	held.Release()
	wg.Wait()
	if !slices.Equal(order, []string{"urgent", "bulk"}) {
		t.Fatalf("served %v, want urgent before bulk", order)
	}
}

// A process that dies holding a slot loses it once its lease and a window
// have passed, not before.
func TestSharedReclaimsADeadHoldersSlot(t *testing.T) {
	url := testenv.Database(t)
	provider := &arrivals{}
	st := openSlots(t, url)
	dead := newShared(t, st, provider, 1, 500*time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := dead.Acquire(ctx); err != nil { // never released: the process died
		t.Fatal(err)
	}
	if _, ok, err := st.SendSlotClaim(ctx, "+15550100000", "00000000-0000-4000-8000-000000000001", time.Minute, time.Second, true); err != nil || ok {
		t.Fatalf("claimed a slot still within its holder's lease: %v %v", ok, err)
	}
	alive := newShared(t, openSlots(t, url), provider, 1, 0)
	slot, err := alive.Acquire(ctx)
	if err != nil {
		t.Fatalf("the dead holder's slot was not reclaimed: %v", err)
	}
	slot.Release()
}

// A caller whose context ends while waiting gets a rate-limited error and
// leaves no slot taken; a slot returned unused is free again at once.
func TestSharedCancelAndReturnGiveTheSlotBack(t *testing.T) {
	url := testenv.Database(t)
	provider := &arrivals{}
	st := openSlots(t, url)
	a := newShared(t, st, provider, 1, 0)
	b := newShared(t, openSlots(t, url), provider, 1, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	slot, err := a.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	short, stop := context.WithTimeout(ctx, 150*time.Millisecond)
	_, err = b.Acquire(short)
	stop()
	var me *messaging.Error
	if !errors.As(err, &me) || me.Kind != messaging.KindRateLimited {
		t.Fatalf("cancelled wait: %v, want a rate-limited error", err)
	}
	slot.Return()
	var held int
	if err := st.Pool.QueryRow(ctx, `SELECT count(*) FROM send_slots WHERE holder IS NOT NULL`).Scan(&held); err != nil || held != 0 {
		t.Fatalf("%d slots held after the cancel and the return (%v)", held, err)
	}
	// Returned unused, the slot is free now: a direct claim gets it (a
	// released one would be free only a window later).
	if _, ok, err := st.SendSlotClaim(ctx, "+15550100000", "00000000-0000-4000-8000-000000000002", time.Minute, time.Second, false); err != nil || !ok {
		t.Fatalf("returned slot not free at once: %v %v", ok, err)
	}
	if err := st.SendSlotRelease(ctx, "+15550100000", 0, "00000000-0000-4000-8000-000000000002", time.Second); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := st.SendSlotClaim(ctx, "+15550100000", "00000000-0000-4000-8000-000000000003", time.Minute, time.Second, false); err != nil || ok {
		t.Fatalf("released slot free before its window passed: %v %v", ok, err)
	}
}

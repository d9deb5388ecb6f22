package paging

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/activities"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/store"
)

// counted is a page's side effects that reach everyone and count calls.
type counted struct {
	mu    sync.Mutex
	sends map[string][]int // task -> steps paged, in order
	escs  map[string]int
}

func newCounted() *counted { return &counted{sends: map[string][]int{}, escs: map[string]int{}} }

func (c *counted) PageSend(_ context.Context, req activities.PageSendRequest) (activities.PageSendResult, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sends[req.TaskID] = append(c.sends[req.TaskID], req.Step)
	return activities.PageSendResult{Reached: true, StaffID: "s", AckWithin: ackWait}, nil
}

func (c *counted) EscalateTask(_ context.Context, req activities.EscalateTaskRequest) (activities.EscalateTaskResult, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.escs[req.TaskID]++
	return activities.EscalateTaskResult{Escalated: true}, nil
}

func (c *counted) PageNote(context.Context, activities.PageNoteRequest) (activities.PageNoteResult, error) {
	return activities.PageNoteResult{Open: true}, nil
}

func (c *counted) steps(taskID string) []int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]int(nil), c.sends[taskID]...)
}

// clock is a runner's clock the test moves.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// openStore opens a database of the test's own (runners claim every due
// page in theirs).
func openStore(t *testing.T) *store.Store {
	t.Helper()
	testenv.SkipShort(t)
	st, err := store.Open(context.Background(), testenv.Database(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	return st
}

func raise(t *testing.T, st *store.Store, p carepath.Priority) string {
	t.Helper()
	id, err := st.TaskInsert(context.Background(), store.NewTask{ID: uuid.NewString(), Priority: p, Reason: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func once(t *testing.T, r *Runner) Look {
	t.Helper()
	l, err := r.Once(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// An unpaged high task is paged at the first look, its next level at its
// deadline; a normal task is not paged; nothing is done twice.
func TestRunnerStartsAndAdvancesPages(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	high, normal := raise(t, st, carepath.PriorityHigh), raise(t, st, carepath.PriorityNormal)
	// The runner's clock is the database's: PageStart's due time and the
	// claim compare against it.
	clk := &clock{t: time.Now()}
	eff := newCounted()
	r := &Runner{Store: st, Effects: eff, Log: quiet(), Now: clk.Now}

	if l := once(t, r); l.Started != 1 || l.Advanced != 1 {
		t.Fatalf("first look %+v, want one page started and advanced", l)
	}
	if got := eff.steps(high); len(got) != 1 || got[0] != 0 {
		t.Fatalf("high task paged at steps %v, want [0]", got)
	}
	if got := eff.steps(normal); len(got) != 0 {
		t.Fatalf("normal task paged: %v", got)
	}
	s, ok, err := st.PageRunnerState(ctx, high)
	if err != nil || !ok || s.Phase != store.PagePhaseWait || s.Step != 0 || !s.Due.Equal(clk.Now().Add(ackWait).Truncate(time.Microsecond)) {
		t.Fatalf("saved %+v ok=%v err=%v, want waiting on step 0 until +%v", s, ok, err, ackWait)
	}
	if l := once(t, r); l.Started != 0 || l.Advanced != 0 {
		t.Fatalf("second look %+v, want nothing", l)
	}
	clk.add(ackWait)
	if l := once(t, r); l.Advanced != 1 {
		t.Fatalf("look at the deadline %+v, want the page advanced", l)
	}
	if got := eff.steps(high); len(got) != 2 || got[1] != 1 || eff.escs[high] != 1 {
		t.Fatalf("after the deadline: steps %v, escalations %d; want [0 1], 1", got, eff.escs[high])
	}
}

// Runners beside several workers share the due pages: each is paged once.
func TestRunnersShareDuePages(t *testing.T) {
	st := openStore(t)
	var tasks []string
	for range 30 {
		tasks = append(tasks, raise(t, st, carepath.PriorityUrgent))
	}
	clk := &clock{t: time.Now()}
	for _, id := range tasks {
		if _, err := st.PageStart(context.Background(), id, clk.Now()); err != nil {
			t.Fatal(err)
		}
	}
	eff := newCounted()
	var wg sync.WaitGroup
	for range 3 {
		r := &Runner{Store: st, Effects: eff, Log: quiet(), Now: clk.Now}
		wg.Go(func() {
			if _, err := r.Once(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for _, id := range tasks {
		if got := eff.steps(id); len(got) != 1 {
			t.Errorf("task %s paged at steps %v by three runners, want once", id, got)
		}
	}
}

// A runner that dies holding a page leaves it to another once the lease
// ends; the dead runner's late save changes nothing.
func TestLostLeaseIsTakenOver(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	id := raise(t, st, carepath.PriorityUrgent)
	clk := &clock{t: time.Now()}
	if _, err := st.PageStart(ctx, id, clk.Now()); err != nil {
		t.Fatal(err)
	}
	dead, err := st.PagesClaim(ctx, clk.Now(), lease, batch)
	if err != nil || len(dead) != 1 {
		t.Fatalf("claim: %v %v", dead, err)
	}
	eff := newCounted()
	r := &Runner{Store: st, Effects: eff, Log: quiet(), Now: clk.Now}
	if l := once(t, r); l.Advanced != 0 {
		t.Fatalf("a leased page was advanced: %+v", l)
	}
	clk.add(lease + time.Second)
	if l := once(t, r); l.Advanced != 1 || len(eff.steps(id)) != 1 {
		t.Fatalf("after the lease: %+v, steps %v; want the page taken over", l, eff.steps(id))
	}
	dead[0].State.Step = 7
	if saved, err := st.PageSave(ctx, dead[0]); err != nil || saved {
		t.Fatalf("the dead runner's save: saved=%v err=%v, want refused", saved, err)
	}
	if s, _, err := st.PageRunnerState(ctx, id); err != nil || s.Step != 0 || s.Phase != store.PagePhaseWait {
		t.Fatalf("page after the late save: %+v %v", s, err)
	}
}

// listen runs ListenPages until ctx ends: woke has a value after each
// wake-up (coalesced), listening ListenPages' error.
func listen(ctx context.Context, st *store.Store) (woke <-chan struct{}, listening <-chan error) {
	w, l := make(chan struct{}, 1), make(chan error, 1)
	go func() {
		l <- st.ListenPages(ctx, func() {
			select {
			case w <- struct{}{}:
			default:
			}
		})
	}()
	return w, l
}

// A started page wakes the listening runners (no waiting for the tick).
// Its task is a normal one, whose insert wakes nobody: the wake-up is the
// start's.
func TestListenPagesWakesOnStart(t *testing.T) {
	st := openStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	woke, listening := listen(ctx, st)
	awaitWake(t, woke, listening, func() {
		if _, err := st.PageStart(context.Background(), raise(t, st, carepath.PriorityNormal), time.Now()); err != nil {
			t.Fatal(err)
		}
	})
	cancel()
	if err := <-listening; err == nil {
		t.Fatal("the listener returned no error when stopped")
	}
}

// An urgent or high task raised anywhere (a journey's, an activity's) wakes
// the runners too, so its page does not wait for their next look.
func TestRaisingAHighTaskWakesTheRunners(t *testing.T) {
	st := openStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	woke, listening := listen(ctx, st)
	awaitWake(t, woke, listening, func() { raise(t, st, carepath.PriorityHigh) })
}

// awaitWake pokes until the listener wakes (it may not be listening yet
// when the first poke commits), for up to 30 s.
func awaitWake(t *testing.T, woke <-chan struct{}, listening <-chan error, poke func()) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		poke()
		select {
		case <-woke:
			return
		case err := <-listening:
			t.Fatalf("listener stopped: %v", err)
		case <-deadline:
			t.Fatal("no wake-up in 30 s")
		case <-time.After(200 * time.Millisecond):
		}
	}
}

package engine

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/answers"
	"github.com/carepath/carepath/store"
)

// The dispatcher never runs one sender twice at once, looks again when a
// sender is named while it runs (so a reply stored meanwhile is not left
// for the sweep), and runs different senders side by side.
func TestDispatcherOneRunPerSenderAndRerunWhenNamedAgain(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var d dispatcher
	d.start(ctx)
	var (
		mu      sync.Mutex
		active  = map[string]int{}
		calls   = map[string]int{}
		overlap bool
	)
	release := make(chan struct{})
	entered := make(chan string, 16)
	route := func(_ context.Context, sender string) (int, error) {
		mu.Lock()
		active[sender]++
		calls[sender]++
		if active[sender] > 1 {
			overlap = true
		}
		first := calls[sender] == 1
		mu.Unlock()
		if first {
			entered <- sender
			<-release
		}
		mu.Lock()
		active[sender]--
		mu.Unlock()
		return 1, nil
	}
	failed := func(err error) { t.Errorf("route failed: %v", err) }

	d.dispatch("a", route, failed)
	d.dispatch("b", route, failed)
	// Both senders are inside route at the same time: they run side by side.
	got := map[string]bool{<-entered: true, <-entered: true}
	if !got["a"] || !got["b"] {
		t.Fatalf("senders running together: %v", got)
	}
	for range 5 { // named again while running: one more pass, not five
		d.dispatch("a", route, failed)
	}
	close(release)
	d.stopWhenIdle(t)
	if overlap {
		t.Fatal("one sender was routed twice at once")
	}
	if calls["a"] != 2 || calls["b"] != 1 {
		t.Fatalf("route calls: a=%d b=%d, want a=2 (once more after being named again) b=1", calls["a"], calls["b"])
	}
}

// stopWhenIdle waits until no sender runs, then stops the dispatcher.
func (d *dispatcher) stopWhenIdle(t *testing.T) {
	t.Helper()
	for range 500 {
		d.mu.Lock()
		n := len(d.running)
		d.mu.Unlock()
		if n == 0 {
			d.stop()
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("dispatcher still running")
}

// With the router running, replies from several patients are handed to
// their journeys by the dispatcher as they are stored: each once, and
// each patient's in the order they arrived.
func TestDispatchedRepliesRouteOnceInOrder(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	up := newTestEngine(t, true)
	routerDone := make(chan struct{})
	go func() { defer close(routerDone); up.RouteReplies(ctx) }()
	defer func() { cancel(); <-routerDone }()

	const patients, each = 3, 4
	type journey struct{ pid, phone, wf string }
	var js []journey
	for range patients {
		pid := newTestPatient(t, up)
		var open []store.Question
		for i := range each {
			word := fmt.Sprintf("k%d", i)
			open = append(open, store.Question{Key: word, Accepts: answers.Spec{Choices: []answers.Choice{{Value: word, Words: []string{word}}}}})
		}
		wf, _ := waitingJourney(t, up, pid, open...)
		js = append(js, journey{pid, patientPhone(t, up, pid), wf})
	}
	for i := range each {
		for _, j := range js {
			if err := up.ReceiveMessage(ctx, sms(j.phone, fmt.Sprintf("k%d", i))); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, j := range js {
		deadline := time.Now().Add(time.Minute)
		for {
			msgs := inboundMessages(t, up, j.pid)
			if len(msgs) == each && msgs[each-1].Status == carepath.MessageRouted {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("replies not routed within a minute: %+v", msgs)
			}
			time.Sleep(50 * time.Millisecond)
		}
		msgs := inboundMessages(t, up, j.pid)
		got := signalledReplies(t, up, j.wf)
		if len(got) != each {
			t.Fatalf("journey received %d replies, want %d", len(got), each)
		}
		for i := range each {
			if got[i].MessageID != msgs[i].ID {
				t.Fatalf("reply %d out of order: %s, want %s", i, got[i].MessageID, msgs[i].ID)
			}
		}
	}
}

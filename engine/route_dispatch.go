package engine

import (
	"context"
	"errors"
	"sync"
)

// routeWorkers bounds how many senders one process routes at once. Each
// holds a pooled connection (its transaction keeps the sender's lock) for
// one Temporal call, so this stays well below the pool's size.
const routeWorkers = 8

// dispatcher routes a sender's replies the moment the webhook has stored
// them, several senders at once, instead of waiting for the router's next
// pass through every sender in turn: one slow signal no longer holds up
// every other patient's reply. A sender runs on one goroutine at a time
// in this process (its advisory lock keeps other processes off it), so its
// replies keep their order. The stored routes stay the backstop: whatever
// the dispatcher does not finish (a crash, Temporal down, a sender another
// process held) the router's sweep finds and routes.
type dispatcher struct {
	mu      sync.Mutex
	ctx     context.Context // the router's; nil while no router runs here
	running map[string]bool // sender → named again while it ran
	slots   chan struct{}
	wg      sync.WaitGroup
	// failing: the last route failed (Temporal likely down). The sweep
	// then tries one sender at a time, so a dead Temporal holds one
	// connection for its timeout rather than routeWorkers of them.
	failing bool
}

// start lets the dispatcher route under ctx, the router's lifetime.
func (d *dispatcher) start(ctx context.Context) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.ctx, d.running, d.slots = ctx, map[string]bool{}, make(chan struct{}, routeWorkers)
}

// stop turns the dispatcher off (ctx has ended) and waits for the routing
// in flight. Off first, so no dispatch adds to the wait group while it is
// waited on.
func (d *dispatcher) stop() {
	d.mu.Lock()
	d.ctx = nil
	d.mu.Unlock()
	d.wg.Wait()
}

// isFailing reports whether the last route failed.
func (d *dispatcher) isFailing() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.failing
}

// dispatch routes the sender's due replies on a goroutine of their own
// unless one is at it already (which then looks again when done). false:
// no router runs in this process; the sweep of some process will route.
func (d *dispatcher) dispatch(sender string, route func(ctx context.Context, sender string) (int, error), failed func(error)) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ctx == nil || d.ctx.Err() != nil {
		return false
	}
	if _, ok := d.running[sender]; ok {
		d.running[sender] = true
		return true
	}
	d.running[sender] = false
	d.wg.Add(1)
	go d.run(d.ctx, sender, route, failed)
	return true
}

func (d *dispatcher) run(ctx context.Context, sender string, route func(context.Context, string) (int, error), failed func(error)) {
	defer d.wg.Done()
	select {
	case d.slots <- struct{}{}:
		defer func() { <-d.slots }()
	case <-ctx.Done():
		d.finish(sender)
		return
	}
	for {
		_, err := route(ctx, sender)
		d.mu.Lock()
		d.failing = err != nil
		again := d.running[sender] && err == nil && ctx.Err() == nil
		if again {
			d.running[sender] = false
		} else {
			delete(d.running, sender)
		}
		d.mu.Unlock()
		if err != nil && ctx.Err() == nil {
			failed(err)
		}
		if !again {
			return
		}
	}
}

func (d *dispatcher) finish(sender string) {
	d.mu.Lock()
	delete(d.running, sender)
	d.mu.Unlock()
}

// dispatchSender hands a sender whose reply was just stored to this
// process's dispatcher; without a running router it only wakes the sweep.
func (e *Engine) dispatchSender(sender string) {
	if !e.wake.d.dispatch(sender, e.routeSender, e.routeFailed) {
		e.wakeRouter()
	}
}

// routeFailed logs a dispatched sender's failed route (retried later).
func (e *Engine) routeFailed(err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	e.Log.Warn("reply router: route failed, will retry", "error", err)
}

// sweepDispatch hands every sender with a route due to the dispatcher
// (one at a time while routes are failing).
func (e *Engine) sweepDispatch(ctx context.Context) error {
	senders, err := e.Store.RouteSendersDue(ctx, routeBatch)
	if err != nil {
		return err
	}
	if e.wake.d.isFailing() && len(senders) > 1 {
		senders = senders[:1]
	}
	for _, s := range senders {
		e.wake.d.dispatch(s, e.routeSender, e.routeFailed)
	}
	return nil
}

package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
	"github.com/carepath/carepath/workflows"
)

// route is where a stored reply goes, decided in the webhook's transaction
// and kept in inbound_routes until done. Several parts may be set: a STOP
// both signals the patients' journeys and starts its confirmation; a red
// flag pages, answers and still routes the reply.
type route struct {
	Safety     *safetyRoute                    `json:"safety,omitempty"`
	Reading    *readingRoute                   `json:"reading,omitempty"`
	Reply      *replyRoute                     `json:"reply,omitempty"`
	OptOut     *optOutRoute                    `json:"opt_out,omitempty"`
	Compliance *workflows.ComplianceReplyInput `json:"compliance,omitempty"`
	Inbox      *inboxRoute                     `json:"inbox,omitempty"`
}

// replyRoute is the open question a reply answers, and its journey.
type replyRoute struct {
	QuestionID   string `json:"question_id"`
	WorkflowID   string `json:"workflow_id"`
	EnrollmentID string `json:"enrollment_id"`
	PatientID    string `json:"patient_id"`
	// RedFlag: the reply had a red flag (the route's Safety part).
	RedFlag bool `json:"red_flag,omitempty"`
}

// readingRoute is a reading a patient texted, recorded in the webhook's
// transaction, for the patient's running journeys.
type readingRoute struct {
	PatientID   string                `json:"patient_id"`
	Observation workflows.Observation `json:"observation"`
}

// optOutRoute names the patients whose running journeys hear of an
// opt-out (their consent changed with the reply).
type optOutRoute struct {
	Channel    carepath.Channel `json:"channel"`
	PatientIDs []string         `json:"patient_ids"`
}

// Reply router timing. A sweep also runs after every stored reply (the
// webhook wakes the router), so the sweep interval only bounds how soon a
// retry follows its backoff.
const (
	routeSweep       = time.Second
	routeCallTimeout = 5 * time.Second // one Temporal call; the route's row stays locked meanwhile
	routeBackoffMin  = 250 * time.Millisecond
	routeBackoffMax  = 5 * time.Second // so replies flow within seconds of Temporal's return
	routeBatch       = 100             // senders per sweep
	// A sender another router holds is tried again this often, this many
	// times (that router may have looked before the reply was stored).
	routeHeldWait  = 20 * time.Millisecond
	routeHeldTries = 5
	// routeGiveUp is how many attempts a route that Temporal refuses (not
	// merely cannot be reached) gets before its reply goes to the inbox.
	routeGiveUp = 20
)

// routerWake lets a webhook wake the router in its process.
type routerWake struct {
	once sync.Once
	c    chan struct{}
	d    dispatcher // routes a stored reply's sender at once
}

func (w *routerWake) ch() chan struct{} {
	w.once.Do(func() { w.c = make(chan struct{}, 1) })
	return w.c
}

// wakeRouter tells this process's reply router a reply is waiting.
func (e *Engine) wakeRouter() {
	select {
	case e.wake.ch() <- struct{}{}:
	default: // already woken
	}
}

// RouteReplies is the reply router: it hands stored replies to Temporal
// until ctx ends, in arrival order per sender, retrying with backoff while
// Temporal cannot be reached. It runs in every api process; a per-sender
// advisory lock keeps two processes off one sender's replies. The webhook
// hands each stored reply's sender straight to its dispatcher; the sweep
// (every routeSweep) finds whatever that did not finish.
func (e *Engine) RouteReplies(ctx context.Context) {
	e.Log.Info("reply router running")
	e.wake.d.start(ctx)
	defer e.wake.d.stop()
	for {
		if err := e.sweepDispatch(ctx); err != nil && ctx.Err() == nil {
			e.Log.Warn("reply router: routing paused", "error", err)
		}
		if err := e.ApplyKeptDeliveryReports(ctx); err != nil && ctx.Err() == nil {
			e.Log.Warn("reply router: kept delivery reports not applied", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-e.wake.ch():
		case <-time.After(routeSweep):
		}
	}
}

// RouteDue routes every reply that is due now. It stops at the first
// sender whose route fails (Temporal is likely down: the other senders'
// calls would only wait out their timeouts too) and returns that error.
func (e *Engine) RouteDue(ctx context.Context) error {
	for {
		senders, err := e.Store.RouteSendersDue(ctx, routeBatch)
		if err != nil {
			return fmt.Errorf("route replies: %w", err)
		}
		routed := 0
		for _, s := range senders {
			n, err := e.routeSender(ctx, s)
			if err != nil {
				return err
			}
			routed += n
		}
		// A short list was everything due; a full one with nothing routed
		// is senders other routers hold.
		if len(senders) < routeBatch || routed == 0 {
			return nil
		}
	}
}

// routeSender routes a sender's due replies, oldest first, one transaction
// each, stopping at one that fails (it is retried later; those after it
// wait). It returns how many it routed.
func (e *Engine) routeSender(ctx context.Context, sender string) (int, error) {
	held := 0
	for n := 0; ; {
		routed, more, err := e.routeHead(ctx, sender)
		switch {
		case errors.Is(err, errSenderHeld):
			// Another process routes this sender and may have looked
			// before this reply was stored (its router looks behind a
			// route only as it takes it): try again shortly rather than
			// leave the reply to the next sweep.
			if held++; held > routeHeldTries {
				return n, nil
			}
			select {
			case <-ctx.Done():
				return n, ctx.Err()
			case <-time.After(routeHeldWait):
			}
			continue
		case err != nil:
			return n, err
		}
		if routed {
			n++
		}
		if !more {
			return n, nil
		}
	}
}

// errSenderHeld: another router holds the sender's lock.
var errSenderHeld = errors.New("sender held by another router")

// errRouteRetry marks a route attempt that failed and was scheduled again.
var errRouteRetry = errors.New("reply route will be retried")

// routeHead routes the sender's oldest pending reply, if it is due and no
// other router holds the sender (errSenderHeld). routed: it routed one;
// more: another of the sender's routes waits behind it.
func (e *Engine) routeHead(ctx context.Context, sender string) (routed, more bool, err error) {
	var failed error
	err = e.Store.Tx(ctx, func(q *store.Queries) error {
		locked, err := q.RouteSenderLock(ctx, sender)
		if err != nil {
			return err
		}
		if !locked {
			return errSenderHeld
		}
		r, ok, err := q.RouteHead(ctx, sender)
		if err != nil || !ok || !r.Due {
			return err
		}
		enrollmentID, err := e.deliverRoute(ctx, q, r)
		if err != nil {
			failed = err
			return q.RouteRetry(ctx, r.Seq, err.Error(), routeBackoff(r.Attempts))
		}
		if err := q.RouteDone(ctx, r.Seq); err != nil {
			return err
		}
		// A reply stored after this look wakes the dispatcher for its
		// sender again (and the sweep finds it regardless).
		routed, more = true, r.Behind
		return q.MessageRouted(ctx, r.MessageID, enrollmentID)
	})
	if errors.Is(err, errSenderHeld) {
		return false, false, err
	}
	if err != nil {
		return false, false, fmt.Errorf("route reply: %w", err)
	}
	if failed != nil {
		return false, false, fmt.Errorf("%w: %w", errRouteRetry, failed)
	}
	return routed, more, nil
}

// routeBackoff is the wait after a route's attempts-th failure.
func routeBackoff(attempts int) time.Duration {
	d := routeBackoffMin << min(attempts, 10)
	return min(d, routeBackoffMax)
}

// deliverRoute carries out a stored route inside the route's transaction
// and returns the enrollment the reply went to ("" for none). A route that
// Temporal keeps refusing ends in the inbox after routeGiveUp attempts.
func (e *Engine) deliverRoute(ctx context.Context, q *store.Queries, r store.InboundRoute) (string, error) {
	var rt route
	if err := json.Unmarshal(r.Route, &rt); err != nil {
		return "", fmt.Errorf("decode route of message %s: %w", r.MessageID, err)
	}
	enrollmentID, err := e.deliver(ctx, q, r, rt)
	if err == nil || transient(err) || r.Attempts+1 < routeGiveUp {
		return enrollmentID, err
	}
	e.Log.Error("reply could not be routed: raising a task", "message_id", r.MessageID, "attempts", r.Attempts+1, "error", err)
	in := unmatchedReply("", "")
	if rt.Reply != nil {
		in = unmatchedReply(rt.Reply.PatientID, rt.Reply.EnrollmentID)
	}
	return in.EnrollmentID, routeToInbox(ctx, q, r.MessageID, in)
}

// ReplyWaitWarning is how long a stored reply may wait for routing before
// the health check warns: routing normally takes well under a second.
const ReplyWaitWarning = time.Minute

// ReplyBacklog says how many stored replies wait to be routed and how long
// the oldest has waited.
func (e *Engine) ReplyBacklog(ctx context.Context) (int64, time.Duration, error) {
	n, oldest, err := e.Store.RoutesWaiting(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("reply backlog: %w", err)
	}
	return n, oldest, nil
}

package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
)

// The pusher sends what carepath did to the EHR's FHIR server: messages as
// Communication, tasks as Task, answers as QuestionnaireResponse,
// patient-reported readings as Observation, and appointments the patient
// answered (confirmed, cancelled) as Appointment. Each type has a durable
// cursor, the (time, id) of the last row the EHR accepted; a row is PUT to
// <base>/<Type>/<id> (idempotent: a crash after the EHR accepted re-sends
// the same version, which changes nothing) and the cursor moves past it
// only on a 2xx, in the same transaction that holds the pusher's advisory
// lock, so one pusher works at a time across worker processes. A failure
// backs the type off (durably, doubling to MaxBackoff) and leaves the
// cursor where it was: nothing is lost, and the other types keep flowing.
// A resource the EHR refuses as invalid (400, 422, ...) would be refused
// forever: it is recorded in fhir_push_rejected and skipped.

// FHIRPushTypes are the types pushed, in the order each sweep visits them.
var FHIRPushTypes = []string{"Communication", "Task", "QuestionnaireResponse", "Observation", "Appointment"}

// PushOptions tune the pusher.
type PushOptions struct {
	Types    []string      // default FHIRPushTypes
	Interval time.Duration // between sweeps once nothing is due
	// Settle is how old a change must be before it is pushed: a
	// transaction that began earlier may still commit a row stamped
	// before now, and the cursor must not pass its time first.
	Settle     time.Duration
	Backoff    time.Duration // wait after a type's first failure; doubles
	MaxBackoff time.Duration // at most
	Timeout    time.Duration // bounds each EHR call (the push holds a transaction)
	// Render returns the resource carepath would answer a read of Type/id
	// with; nil: Engine.FHIRRender.
	Render func(ctx context.Context, typ, id string) (json.RawMessage, error)
	// Metrics, if set, counts pushes (no PHI: type and outcome only).
	Metrics PushMetrics
}

// PushMetrics is what the pusher reports (telemetry.Metrics has it).
type PushMetrics interface {
	FHIRPushed(ctx context.Context, typ, outcome string)
}

// Push outcomes, the metric's label.
const (
	PushAccepted = "accepted" // the EHR answered 2xx
	PushFailed   = "failed"   // retried later
	PushRejected = "rejected" // refused as invalid: recorded, skipped
	PushSkipped  = "skipped"  // nothing to render (gone, or not a resource carepath renders)
)

// DefaultPush: a change reaches the EHR within seconds; an EHR outage is
// retried 2 s, 4 s, ... up to every 5 minutes, without end.
var DefaultPush = PushOptions{Interval: 2 * time.Second, Settle: 2 * time.Second, Backoff: 2 * time.Second,
	MaxBackoff: 5 * time.Minute, Timeout: 20 * time.Second}

var pusherActor = carepath.Actor{Kind: carepath.ActorSystem, ID: "fhir-pusher"}

// Pushed counts one sweep.
type Pushed struct {
	Accepted, Failed, Rejected, Skipped int
}

// PushFHIR pushes until ctx ends. Errors are logged: an EHR or database
// outage only delays the next sweep.
func (e *Engine) PushFHIR(ctx context.Context, ehr *EHRLink, o PushOptions) {
	e.Log.Info("FHIR pusher running", "ehr", ehr.Base)
	for {
		p, err := e.PushFHIROnce(ctx, ehr, o)
		if err != nil && ctx.Err() == nil {
			e.Log.Warn("FHIR pusher: sweep stopped early", "error", err)
		}
		if p != (Pushed{}) {
			e.Log.Info("FHIR pusher: sweep", "accepted", p.Accepted, "failed", p.Failed, "rejected", p.Rejected, "skipped", p.Skipped)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(o.Interval):
		}
	}
}

// PushFHIROnce pushes every type until nothing is due: no row left, the
// type backing off after a failure, or another process pushing. An error
// is the database's; the EHR's failures are counted in Failed.
func (e *Engine) PushFHIROnce(ctx context.Context, ehr *EHRLink, o PushOptions) (Pushed, error) {
	var p Pushed
	if o.Render == nil {
		o.Render = e.FHIRRender
	}
	types := o.Types
	if len(types) == 0 {
		types = FHIRPushTypes
	}
	for _, typ := range types {
		for {
			more, err := e.pushHead(ctx, ehr, o, typ, &p)
			if err != nil {
				return p, err
			}
			if !more {
				break
			}
		}
	}
	return p, nil
}

// pushHead pushes the type's next row, in one transaction holding the
// pusher's lock and the cursor. more says whether to look for another.
func (e *Engine) pushHead(ctx context.Context, ehr *EHRLink, o PushOptions, typ string, p *Pushed) (more bool, err error) {
	outcome := ""
	err = e.Store.Tx(ctx, func(q *store.Queries) error {
		locked, err := q.FHIRPushLock(ctx)
		if err != nil || !locked {
			return err
		}
		cur, err := q.FHIRPushCursorLock(ctx, typ)
		if err != nil || !cur.Due {
			return err
		}
		row, ok, err := q.FHIRPushNext(ctx, cur, o.Settle)
		if err != nil || !ok {
			return err
		}
		outcome, err = e.pushRow(ctx, q, ehr, o, cur, row)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("push %s: %w", typ, err)
	}
	switch outcome {
	case PushAccepted:
		p.Accepted++
	case PushRejected:
		p.Rejected++
	case PushSkipped:
		p.Skipped++
	case PushFailed:
		p.Failed++
	}
	if outcome != "" && o.Metrics != nil {
		o.Metrics.FHIRPushed(ctx, typ, outcome)
	}
	return outcome != "" && outcome != PushFailed, nil
}

// pushRow renders and PUTs one row and moves the cursor (or backs off).
// Only a database error is returned: the EHR's answer is the outcome.
func (e *Engine) pushRow(ctx context.Context, q *store.Queries, ehr *EHRLink, o PushOptions, cur store.FHIRPushCursor, row store.FHIRPushRow) (string, error) {
	typ := cur.Type
	body, err := o.Render(ctx, typ, row.FHIRID)
	if code := carepath.ErrorCode(err); err != nil && (code == carepath.ENOTFOUND || code == carepath.EINVALID) {
		// Nothing carepath can render for the row, now or later: a retry
		// would only stop every row after it.
		e.Log.Warn("FHIR pusher: nothing to render; skipped", "type", typ, "id", row.FHIRID, "code", code)
		return PushSkipped, q.FHIRPushAdvance(ctx, typ, row, 0)
	}
	if err != nil {
		return PushFailed, e.pushFailed(ctx, q, o, cur, fmt.Sprintf("render %s/%s: %v", typ, row.FHIRID, err))
	}
	cctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	err = ehr.Put(cctx, typ, row.FHIRID, body)
	var ee *EHRError
	switch {
	case err == nil:
		return PushAccepted, q.FHIRPushAdvance(ctx, typ, row, 1)
	case errors.As(err, &ee) && ee.Rejected():
		e.Log.Error("FHIR pusher: the EHR refused a resource; skipped", "type", typ, "id", row.FHIRID, "status", ee.Status, "codes", ee.Codes)
		if err := q.FHIRPushRejected(ctx, typ, row.FHIRID, ee.Status, ee.Codes); err != nil {
			return "", err
		}
		if err := audit(ctx, q, pusherActor, "fhir.push.rejected", "", typ+"/"+row.FHIRID); err != nil {
			return "", err
		}
		return PushRejected, q.FHIRPushAdvance(ctx, typ, row, 0)
	}
	// The error names the type, id and status (EHRError) or the transport
	// failure: no content.
	return PushFailed, e.pushFailed(ctx, q, o, cur, err.Error())
}

// pushFailed backs the type off: Backoff after the first failure,
// doubling, at most MaxBackoff.
func (e *Engine) pushFailed(ctx context.Context, q *store.Queries, o PushOptions, cur store.FHIRPushCursor, reason string) error {
	wait := o.Backoff
	for range cur.Attempts {
		if wait >= o.MaxBackoff/2 {
			wait = o.MaxBackoff
			break
		}
		wait *= 2
	}
	wait = min(wait, o.MaxBackoff)
	n, err := q.FHIRPushFailed(ctx, cur.Type, reason, wait)
	if err != nil {
		return err
	}
	e.Log.Warn("FHIR pusher: push failed; will retry", "type", cur.Type, "attempts", n, "retry_in", wait.String(), "error", reason)
	return nil
}

// FHIRPushLag is, per pushed type, how long the oldest change not yet
// accepted by the EHR has waited (0: none waiting).
func (e *Engine) FHIRPushLag(ctx context.Context) (map[string]time.Duration, error) {
	cursors, err := e.Store.FHIRPushCursors(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]time.Duration{}
	for _, c := range cursors {
		row, ok, err := e.Store.FHIRPushNext(ctx, c, 0)
		if err != nil {
			return nil, err
		}
		out[c.Type] = 0
		if ok {
			out[c.Type] = max(0, time.Since(row.ChangedAt))
		}
	}
	return out, nil
}

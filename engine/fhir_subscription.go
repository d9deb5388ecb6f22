package engine

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
)

// An EHR that supports topic-based subscriptions (R4B, or R4 with the
// backport) notifies carepath of changes at POST
// /fhir/R4/subscription-notification. A handshake or heartbeat is
// recorded. An event notification carries the changed resources
// (full-resource) or only their references (id-only: carepath reads each
// from the EHR through its SMART client); either way they are applied
// through FHIRWrite, atomically per notification, so a resource older
// than the stored one is Stale and ignored (the newer stays) and a
// re-sent one is Unchanged. The event numbers applied are recorded: a
// notification delivered again is not processed twice, the highest number
// is kept, and numbers skipped over are counted as gaps (the EHR's
// $status shows what was missed; a late arrival still applies).

// SubscriptionResult is what one notification came to, for the answer
// and the metrics (no PHI: counts only).
type SubscriptionResult struct {
	Type      string
	Duplicate bool  // every event in it was applied before: nothing done
	Applied   int   // resources created or changed
	Unchanged int   // resources as stored already
	Stale     int   // resources older than stored: ignored
	Ignored   int   // resources of types carepath does not take
	Gaps      int64 // event numbers this notification showed missing
}

var subscriptionActor = carepath.Actor{Kind: carepath.ActorSystem, ID: "fhir-subscription"}

// FHIRSubscriptionNotify handles one notification for caller a (the EHR's
// integration key or SMART client).
func (e *Engine) FHIRSubscriptionNotify(ctx context.Context, a carepath.Actor, n SubscriptionNotification) (SubscriptionResult, error) {
	res := SubscriptionResult{Type: n.Type}
	sub, err := subscriptionKey(n.Subscription)
	if err != nil {
		return res, err
	}
	var numbers []int64
	for _, ev := range n.Events {
		if ev.Number > 0 {
			numbers = append(numbers, ev.Number)
		}
	}
	// query-event carries events too (the answer to $events, when an EHR
	// posts it here).
	events := n.Type == NotifyEvent || n.Type == NotifyQueryEvent
	var applied map[int64]bool
	err = e.Store.Tx(ctx, func(q *store.Queries) error {
		if _, err := q.FHIRSubscriptionUpsert(ctx, sub, n.Topic, n.Status); err != nil {
			return err
		}
		if !events {
			return q.FHIRSubscriptionHeartbeat(ctx, sub)
		}
		applied, err = q.FHIRSubscriptionEventsApplied(ctx, sub, numbers)
		return err
	})
	if err != nil {
		return res, err
	}
	if events {
		fresh := slices.DeleteFunc(slices.Clone(numbers), func(x int64) bool { return applied[x] })
		if len(numbers) > 0 && len(fresh) == 0 {
			res.Duplicate = true
			return res, nil
		}
		entries, ignored, err := e.notificationEntries(ctx, n)
		if err != nil {
			return res, err
		}
		res.Ignored = ignored
		if len(entries) > 0 {
			results, err := e.FHIRWrite(ctx, a, entries, true)
			if err != nil {
				return res, err
			}
			for _, r := range results {
				switch {
				case r.Stale:
					res.Stale++
				case r.Unchanged:
					res.Unchanged++
				default:
					res.Applied++
				}
			}
		}
		numbers = fresh
	}
	res.Gaps, err = e.recordEvents(ctx, sub, n, numbers, events)
	if res.Gaps > 0 {
		// The subscription is the EHR's, not a patient's: no PHI.
		e.Log.Warn("FHIR subscription: events missing", "subscription", sub, "missing", res.Gaps)
	}
	return res, err
}

// recordEvents records the applied event numbers, keeps the highest, and
// counts the numbers between the highest seen before and the highest now
// (or the EHR's events-since-start) that never arrived.
func (e *Engine) recordEvents(ctx context.Context, sub string, n SubscriptionNotification, numbers []int64, events bool) (int64, error) {
	var gaps int64
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		last, err := q.FHIRSubscriptionUpsert(ctx, sub, "", "")
		if err != nil {
			return err
		}
		if err := q.FHIRSubscriptionEventsRecord(ctx, sub, numbers); err != nil {
			return err
		}
		highest := last
		for _, x := range numbers {
			highest = max(highest, x)
		}
		// A heartbeat says how many events there were: any above the
		// highest seen were missed (its own events included).
		through := highest
		if n.EventsSinceStart > highest {
			through = n.EventsSinceStart
		}
		// Only numbers above the highest seen before are new to check: a
		// gap below it was counted when it was passed.
		if through > last {
			if gaps, err = q.FHIRSubscriptionEventsMissing(ctx, sub, last+1, through); err != nil {
				return err
			}
			// The highest moves to through, so each missing number is
			// counted once; one arriving late is still applied.
		}
		if err := q.FHIRSubscriptionAdvance(ctx, sub, max(highest, through), gaps, events); err != nil {
			return err
		}
		if !events {
			return nil
		}
		return audit(ctx, q, subscriptionActor, "fhir.subscription.notification", "", sub)
	})
	return gaps, err
}

// notificationEntries turns a notification's resources into writes: the
// entries' resources (full-resource), or each focus read from the EHR
// (id-only). Resources of types carepath does not take are counted and
// left out.
func (e *Engine) notificationEntries(ctx context.Context, n SubscriptionNotification) ([]FHIREntry, int, error) {
	var out []FHIREntry
	ignored := 0
	add := func(path string, raw json.RawMessage) error {
		var head struct {
			ResourceType string `json:"resourceType"`
			ID           string `json:"id"`
		}
		if err := json.Unmarshal(raw, &head); err != nil || head.ResourceType == "" || head.ID == "" {
			return carepath.Invalid(path+".resource", "must be a resource with resourceType and id")
		}
		if !FHIRWritable(head.ResourceType) {
			ignored++
			return nil
		}
		out = append(out, FHIREntry{Method: "PUT", Type: head.ResourceType, ID: head.ID, Resource: raw, Path: path})
		return nil
	}
	full := false
	for _, en := range n.Entries {
		if len(en.Resource) > 0 {
			full = true
			if err := add(entryPath(en.Index), en.Resource); err != nil {
				return nil, 0, err
			}
		}
	}
	if full {
		return out, ignored, nil
	}
	// id-only: the focus of each event, else each entry's URL.
	var refs []string
	for _, ev := range n.Events {
		if ev.Focus != "" {
			refs = append(refs, ev.Focus)
		}
	}
	if len(refs) == 0 {
		for _, en := range n.Entries {
			switch {
			case en.FullURL != "":
				refs = append(refs, en.FullURL)
			case en.Request != "":
				refs = append(refs, en.Request)
			}
		}
	}
	slices.Sort(refs)
	refs = slices.Compact(refs)
	if len(refs) > 0 && e.EHR == nil {
		return nil, 0, carepath.Errorf(carepath.EUNAVAILABLE, "an id-only notification needs the EHR link (CAREPATH_EHR_FHIR_URL) to read its resources")
	}
	for _, ref := range refs {
		typ, id, version, err := e.EHR.Ref(ref)
		if err != nil {
			return nil, 0, err
		}
		if !FHIRWritable(typ) {
			ignored++
			continue
		}
		raw, err := e.EHR.Get(ctx, typ, id, version)
		if err != nil {
			// The EHR retries a notification it could not deliver: answer
			// that carepath cannot take it yet.
			return nil, 0, carepath.Errorf(carepath.EUNAVAILABLE, "could not read %s/%s from the EHR: %v", typ, id, err)
		}
		if err := add("Bundle.entry", raw); err != nil {
			return nil, 0, err
		}
	}
	return out, ignored, nil
}

func entryPath(i int) string { return "Bundle.entry[" + strconv.Itoa(i) + "]" }

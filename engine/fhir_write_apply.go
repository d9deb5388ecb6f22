package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/fhir"
	"github.com/carepath/carepath/store"
)

// fhirApplyOne writes one checked entry inside q's transaction: an
// unchanged or stale re-send is recognised and only its effects are
// queued again; otherwise the mapper changes carepath's records, the
// resource and its identifiers are stored, and the write is audited.
func (e *Engine) fhirApplyOne(ctx context.Context, q *store.Queries, a carepath.Actor, p *fhirPlan, now time.Time) error {
	p.result = FHIRResult{Type: p.typ, ID: p.id, Status: http.StatusOK}
	prior, err := q.FHIRResourceLock(ctx, p.typ, p.id)
	switch {
	case err == nil:
	case carepath.ErrorCode(err) == carepath.ENOTFOUND:
		if p.existing {
			return fmt.Errorf("If-None-Exist: %s vanished: %w", p.typ, err)
		}
	default:
		return err
	}
	if p.existing {
		p.result.Unchanged = true
		p.setStored(prior)
		return nil
	}
	if err == nil {
		if stale, unchanged := fhirReSent(prior, p.meta, p.hash); stale || unchanged {
			p.result.Stale, p.result.Unchanged = stale, unchanged
			p.setStored(prior)
			if unchanged {
				// The first write's effects may not all have run: drive
				// them again (each is idempotent).
				p.after = e.fhirRedo(a, prior)
			}
			return nil
		}
	}
	w := &fhirApply{e: e, q: q, actor: a, Now: now, Type: p.typ, ID: p.id, Raw: p.raw,
		ResolvePatient: func(ctx context.Context, ref string) (string, error) { return resolvePatientRef(ctx, q, ref) }}
	if err == nil {
		w.Prior = &prior
	}
	if err := fhirMappers[p.typ](ctx, w); err != nil {
		return err
	}
	stored, err := q.FHIRResourcePut(ctx, store.FHIRResource{Type: p.typ, ID: p.id, SourceVersion: p.meta.VersionID,
		ContentHash: p.hash, Content: p.raw, PatientID: w.PatientID, Ref: w.Ref})
	if err != nil {
		return err
	}
	if err := q.FHIRIdentifiersSet(ctx, p.typ, p.id, fhir.IdentifiersOf(p.raw)); err != nil {
		return err
	}
	action := "fhir.update"
	if w.Prior == nil {
		action, p.result.Status = "fhir.create", http.StatusCreated
	}
	if err := audit(ctx, q, a, action, stored.PatientID, p.typ+"/"+p.id); err != nil {
		return err
	}
	p.setStored(stored)
	p.after = w.After
	return nil
}

// fhirReSent compares a resource with what is stored for it: stale when
// its meta.versionId (both numeric) or meta.lastUpdated is older than the
// stored one's, unchanged when its versionId is the stored one's or its
// content (without meta) is the same.
func fhirReSent(prior store.FHIRResource, m fhir.SourceMeta, hash string) (stale, unchanged bool) {
	if m.VersionID != "" && prior.SourceVersion != "" {
		nv, err1 := strconv.ParseInt(m.VersionID, 10, 64)
		pv, err2 := strconv.ParseInt(prior.SourceVersion, 10, 64)
		if err1 == nil && err2 == nil && nv < pv {
			return true, false
		}
		if m.VersionID == prior.SourceVersion {
			return false, true
		}
	}
	if m.LastUpdated != nil {
		if pm, err := fhir.MetaOf(prior.Content, prior.Type); err == nil && pm.LastUpdated != nil && m.LastUpdated.Before(*pm.LastUpdated) {
			return true, false
		}
	}
	return false, hash == prior.ContentHash
}

// setStored fills the result from the stored row: the body is the stored
// content with carepath's version and time as its meta.
func (p *fhirPlan) setStored(r store.FHIRResource) {
	p.result.Version, p.result.LastUpdated = r.Version, r.LastUpdated
	p.result.Resource = withMeta(r)
}

// withMeta is a stored resource with meta.versionId and meta.lastUpdated
// set to carepath's (the rest of the sender's meta kept).
func withMeta(r store.FHIRResource) json.RawMessage {
	var doc map[string]json.RawMessage
	if json.Unmarshal(r.Content, &doc) != nil {
		return r.Content
	}
	meta := map[string]json.RawMessage{}
	if m, ok := doc["meta"]; ok {
		_ = json.Unmarshal(m, &meta) // a meta that is not an object is replaced
	}
	meta["versionId"], _ = json.Marshal(strconv.FormatInt(r.Version, 10))
	meta["lastUpdated"], _ = json.Marshal(fhir.Instant(r.LastUpdated))
	doc["meta"], _ = json.Marshal(meta)
	out, err := json.Marshal(doc)
	if err != nil {
		return r.Content
	}
	return out
}

// resolvePatientRef turns a Patient reference (Patient/<id>, an absolute
// URL ending in it, with or without _history) into the carepath patient.
func resolvePatientRef(ctx context.Context, q *store.Queries, ref string) (string, error) {
	id, ok := patientIDOfRef(ref)
	if !ok {
		return "", carepath.NotFound("Patient")
	}
	return q.FHIRPatientOf(ctx, id)
}

func patientIDOfRef(ref string) (string, bool) {
	if i := strings.Index(ref, "/_history/"); i >= 0 {
		ref = ref[:i]
	}
	i := strings.LastIndex(ref, "Patient/")
	if i < 0 || (i > 0 && ref[i-1] != '/') {
		return "", false
	}
	id := ref[i+len("Patient/"):]
	return id, fhir.ValidID(id)
}

// patient resolves the Patient reference at path, naming the path when it
// refers to no patient carepath knows.
func (w *fhirApply) patient(ctx context.Context, path, ref string) (string, error) {
	id, err := w.ResolvePatient(ctx, ref)
	if carepath.ErrorCode(err) == carepath.ENOTFOUND {
		return "", carepath.Invalid(path, "refers to no Patient carepath knows (send the Patient first, or in the same Bundle)")
	}
	return id, err
}

// fhirEventPrefix is the start of the source IDs of the events a
// resource's writes record (fhirEventSource).
func fhirEventPrefix(typ, id string) string { return "fhir:" + typ + "/" + id + "/" }

// fhirEventSource is the source ID of an event a resource's write records:
// fhir:<Type>/<id>/<key>, key naming the change ("v3/booked"), so a
// re-send records nothing new.
func fhirEventSource(typ, id, key string) string { return fhirEventPrefix(typ, id) + key }

// Event records a source event under sourceID (fhirEventSource, or an ID
// several resources share, like a visit's), inside the write's
// transaction, and queues its launch (RecordEvent: the journeys it
// triggers) for after commit. A re-sent resource that is unchanged drives
// its fhirEventSource events again (fhirRedo), which completes a launch a
// failure cut short; a type whose events have other IDs drives them in its
// fhirRedoers entry.
func (w *fhirApply) Event(ctx context.Context, sourceID, typ string, data map[string]any) error {
	if w.PatientID == "" {
		return fmt.Errorf("fhir event %s: no patient", typ)
	}
	body, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("fhir event %s: %w", typ, err)
	}
	ev := store.Event{ID: uuid.NewString(), SourceID: sourceID, Type: typ,
		PatientID: w.PatientID, OccurredAt: w.Now.UTC().Truncate(time.Microsecond), Data: body}
	id, created, err := w.q.EventInsert(ctx, ev)
	if err != nil {
		return err
	}
	if created {
		if err := audit(ctx, w.q, w.actor, "event.record", w.PatientID, "event/"+id); err != nil {
			return err
		}
	}
	e, a := w.e, w.actor
	w.After = append(w.After, func(ctx context.Context) error { return e.launchEvent(ctx, a, ev) })
	return nil
}

// redoEvents launches again the stored events whose source ID is exactly
// sourceID or, when prefix, starts with it (newest fhirRedoEvents).
func (e *Engine) redoEvents(ctx context.Context, a carepath.Actor, sourceID string, prefix bool) error {
	evs, err := e.Store.FHIREventsOf(ctx, sourceID, fhirRedoEvents)
	if err != nil {
		return err
	}
	for i := len(evs) - 1; i >= 0; i-- { // oldest first, as first recorded
		if !prefix && evs[i].SourceID != sourceID {
			continue
		}
		if err := e.launchEvent(ctx, a, evs[i]); err != nil {
			return err
		}
	}
	return nil
}

// launchEvent runs an event's triggers (RecordEvent finds it stored).
func (e *Engine) launchEvent(ctx context.Context, a carepath.Actor, ev store.Event) error {
	_, _, _, err := e.RecordEvent(ctx, a, carepath.NewEvent{ID: ev.SourceID, Type: ev.Type, PatientID: ev.PatientID,
		OccurredAt: ev.OccurredAt.Format(time.RFC3339Nano), Data: ev.Data})
	if err != nil {
		return fmt.Errorf("fhir: launch %s: %w", ev.Type, err)
	}
	return nil
}

// fhirRedoEvents bounds how many of a resource's events a re-send drives
// again (the newest).
const fhirRedoEvents = 20

// fhirRedo is what a re-sent, unchanged resource drives again: the events
// its writes recorded, and the type's own effects (fhirRedoers).
func (e *Engine) fhirRedo(a carepath.Actor, prior store.FHIRResource) []func(ctx context.Context) error {
	out := []func(ctx context.Context) error{func(ctx context.Context) error {
		return e.redoEvents(ctx, a, fhirEventPrefix(prior.Type, prior.ID), true)
	}}
	if redo, ok := fhirRedoers[prior.Type]; ok {
		out = append(out, func(ctx context.Context) error { return redo(ctx, e, a, prior) })
	}
	return out
}

// fhirRedoers are per-type effects a re-send drives again besides events.
var fhirRedoers = map[string]func(ctx context.Context, e *Engine, a carepath.Actor, stored store.FHIRResource) error{
	"Appointment":       redoFHIRAppointment,
	"Observation":       redoFHIRObservation,
	"Encounter":         redoFHIREncounter,
	"MedicationRequest": redoFHIRMedicationRequest,
}

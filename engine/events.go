package engine

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
	"github.com/carepath/carepath/workflows"
)

// RecordEvent stores a source-system event once per source ID (created is
// false for a duplicate) and starts the journeys it triggers. Triggered
// enrollments have IDs derived from the event, so a re-delivered event
// finishes a launch that failed half-way and never starts a second one.
func (e *Engine) RecordEvent(ctx context.Context, a carepath.Actor, ev carepath.NewEvent) (id string, created bool, enrollments []string, err error) {
	at, err := ev.Parse()
	if err != nil {
		return "", false, nil, err
	}
	triggers := e.Journeys.TriggersFor(ev.Type)
	var data map[string]any
	if len(ev.Data) > 0 {
		if err := json.Unmarshal(ev.Data, &data); err != nil {
			return "", false, nil, carepath.Invalid("data", "must be a JSON object")
		}
	}
	keys := make([]string, len(triggers))
	for i, t := range triggers {
		if t.KeyField == "" {
			continue
		}
		v, ok := data[t.KeyField].(string)
		if !ok || v == "" || len(v) > 200 {
			return "", false, nil, carepath.Invalid("data."+t.KeyField, "is required for %s events (a string of at most 200 characters)", ev.Type)
		}
		keys[i] = v
	}
	if err := validID(ev.PatientID, "patient"); err != nil {
		return "", false, nil, carepath.Invalid("patient_id", "must be a patient ID")
	}
	err = e.Store.Tx(ctx, func(q *store.Queries) error {
		if _, err := q.PatientGet(ctx, ev.PatientID); err != nil {
			if carepath.ErrorCode(err) == carepath.ENOTFOUND {
				return carepath.Invalid("patient_id", "no such patient")
			}
			return err
		}
		if id, created, err = q.EventInsert(ctx, store.Event{ID: uuid.NewString(), SourceID: ev.ID, Type: ev.Type,
			PatientID: ev.PatientID, OccurredAt: at, Data: ev.Data}); err != nil || !created {
			return err
		}
		return audit(ctx, q, a, "event.record", ev.PatientID, "event/"+id)
	})
	if err != nil {
		return id, created, nil, err
	}
	system := carepath.Actor{Kind: carepath.ActorSystem, ID: "trigger:" + ev.Type, RequestID: a.RequestID}
	for i, t := range triggers {
		var params json.RawMessage
		if t.Params != nil {
			params = t.Params(data)
		}
		enr, _, err := e.Enroll(ctx, system, EnrollRequest{PatientID: ev.PatientID, Journey: t.Journey, Params: params,
			Key: keys[i], ID: uuid.NewSHA1(carepath.NamespaceTrigger, []byte(ev.ID+"/"+t.Journey)).String()})
		if err != nil {
			// The event is stored; the source's retry completes the launch.
			return id, created, enrollments, fmt.Errorf("record event: trigger %s: %w", t.Journey, err)
		}
		enrollments = append(enrollments, enr.ID)
	}
	return id, created, enrollments, nil
}

// RecordObservation stores a measurement, once per source ID when given,
// in its code's canonical unit; a reading outside its safe range raises a
// task in the same transaction (recordReading), whether or not a follow-up
// journey is running. The patient's running journeys then get it.
func (e *Engine) RecordObservation(ctx context.Context, a carepath.Actor, patientID string, o carepath.NewObservation) (store.Observation, bool, error) {
	r, err := o.Parse()
	if err != nil {
		return store.Observation{}, false, err
	}
	var obs store.Observation
	created := false
	err = e.Store.Tx(ctx, func(q *store.Queries) error {
		if err := patientExists(ctx, q, patientID); err != nil {
			return err
		}
		var err error
		obs, created, _, err = recordReading(ctx, q, a, patientID, r, "")
		return err
	})
	if err != nil {
		return obs, created, err
	}
	// On every delivery: a journey counts each observation once, and a
	// source re-sending after a failed hand-over completes it.
	return obs, created, e.DeliverObservation(ctx, obs)
}

// DeliverObservation hands an observation to the patient's running
// journeys (those following its code judge it at once).
func (e *Engine) DeliverObservation(ctx context.Context, obs store.Observation) error {
	return e.signalObservation(ctx, e.Store.Queries, obs.PatientID, observationSignal(obs))
}

// observationSignal is a stored observation as journeys receive it.
func observationSignal(obs store.Observation) workflows.Observation {
	return workflows.Observation{ID: obs.ID, Code: obs.Code, Value: obs.Value, Value2: obs.Value2, Unit: obs.Unit,
		EffectiveAt: obs.EffectiveAt}
}

package engine

import (
	"context"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
)

// RecordEvent stores a source-system event once per source ID. created is
// false for a duplicate, which changes nothing.
func (e *Engine) RecordEvent(ctx context.Context, a carepath.Actor, ev carepath.NewEvent) (id string, created bool, err error) {
	at, err := ev.Parse()
	if err != nil {
		return "", false, err
	}
	if err := validID(ev.PatientID, "patient"); err != nil {
		return "", false, carepath.Invalid("patient_id", "must be a patient ID")
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
	return id, created, err
}

// RecordObservation stores a measurement, once per source ID when given.
func (e *Engine) RecordObservation(ctx context.Context, a carepath.Actor, patientID string, o carepath.NewObservation) (store.Observation, bool, error) {
	v, v2, at, err := o.Parse()
	if err != nil {
		return store.Observation{}, false, err
	}
	obs := store.Observation{ID: uuid.NewString(), PatientID: patientID, Code: o.Code, Value: v, Value2: v2,
		Unit: o.Unit, EffectiveAt: at, SourceID: o.ID}
	created := false
	err = e.Store.Tx(ctx, func(q *store.Queries) error {
		if err := patientExists(ctx, q, patientID); err != nil {
			return err
		}
		var err error
		if obs.ID, created, err = q.ObservationInsert(ctx, obs); err != nil || !created {
			return err
		}
		return audit(ctx, q, a, "observation.record", patientID, "observation/"+obs.ID)
	})
	return obs, created, err
}

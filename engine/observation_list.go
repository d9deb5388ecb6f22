package engine

import (
	"context"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
)

// ObservationFilter narrows a patient's readings: one code ("" for all)
// and a start (zero for all).
type ObservationFilter struct {
	Code  string
	Since time.Time
}

// ObservationItem is a reading with its judgement against the code's
// default safe range (ranges.go, in the canonical unit); a care plan's own
// bounds may be tighter, and the journey judges by those.
type ObservationItem struct {
	store.Reading
	Flagged bool   `json:"flagged"`
	Flag    string `json:"flag,omitempty"` // low or high
}

// ListObservations returns up to limit of a patient's readings, newest
// first, each as sent and in its code's canonical unit; the console draws
// one chart per code from it. The read is audited.
func (e *Engine) ListObservations(ctx context.Context, a carepath.Actor, patientID string, f ObservationFilter, limit int) ([]ObservationItem, error) {
	if f.Code != "" {
		if _, ok := carepath.ObservationCodes[f.Code]; !ok {
			return nil, carepath.Invalid("code", "must be an observation code such as blood_glucose")
		}
	}
	if limit < 1 || limit > MaxPageSize {
		return nil, carepath.Invalid("limit", "must be a whole number from 1 to %d", MaxPageSize)
	}
	var readings []store.Reading
	err := e.Store.Tx(ctx, func(q *store.Queries) error {
		if err := patientExists(ctx, q, patientID); err != nil {
			return err
		}
		var err error
		if readings, err = q.ObservationsByPatient(ctx, patientID, f.Code, f.Since, limit); err != nil {
			return err
		}
		return audit(ctx, q, a, "observation.list", patientID, "patient/"+patientID+"/observations")
	})
	if err != nil {
		return nil, err
	}
	out := make([]ObservationItem, len(readings))
	for i, r := range readings {
		j := carepath.JudgeReading(r.Code, r.CanonicalValue, r.CanonicalValue2)
		out[i] = ObservationItem{Reading: r, Flagged: j.Out(), Flag: string(j.Flag)}
	}
	return out, nil
}

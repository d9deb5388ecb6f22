package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Event is something that happened in a source system (an appointment
// completed, missed...), keyed by that system's event ID.
type Event struct {
	ID         string          `json:"id"`
	SourceID   string          `json:"source_id"`
	Type       string          `json:"type"`
	PatientID  string          `json:"patient_id"`
	OccurredAt time.Time       `json:"occurred_at"`
	Data       json.RawMessage `json:"data"`
}

// EventInsert stores an event once per source ID; it returns the stored
// event's ID and whether this call inserted it.
func (q *Queries) EventInsert(ctx context.Context, e Event) (string, bool, error) {
	data := e.Data
	if len(data) == 0 {
		data = json.RawMessage(`{}`)
	}
	tag, err := q.db.Exec(ctx, stmt("EventInsert"), e.ID, e.SourceID, e.Type, e.PatientID, e.OccurredAt, data)
	if err != nil {
		return "", false, fmt.Errorf("insert event: %w", err)
	}
	if tag.RowsAffected() == 1 {
		return e.ID, true, nil
	}
	var id string
	if err := q.db.QueryRow(ctx, stmt("EventBySourceID"), e.SourceID).Scan(&id); err != nil {
		return "", false, fmt.Errorf("find duplicate event: %w", err)
	}
	return id, false, nil
}

// Observation is one measurement (vitals, labs) for a patient, in its
// code's canonical unit, with the value and unit as sent.
type Observation struct {
	ID             string    `json:"id"`
	PatientID      string    `json:"patient_id"`
	Code           string    `json:"code"`
	Value          float64   `json:"value"`
	Value2         *float64  `json:"value2,omitempty"` // diastolic, for blood pressure
	Unit           string    `json:"unit"`
	OriginalValue  float64   `json:"original_value"`
	OriginalValue2 *float64  `json:"original_value2,omitempty"`
	OriginalUnit   string    `json:"original_unit"`
	EffectiveAt    time.Time `json:"effective_at"`
	SourceID       string    `json:"source_id,omitempty"`
}

// ObservationInsert stores an observation, once per source ID when given.
func (q *Queries) ObservationInsert(ctx context.Context, o Observation) (string, bool, error) {
	tag, err := q.db.Exec(ctx, stmt("ObservationInsert"), o.ID, o.PatientID, o.Code, o.Value, o.Value2, o.Unit,
		o.EffectiveAt, o.SourceID, o.OriginalValue, o.OriginalValue2, o.OriginalUnit)
	if err != nil {
		return "", false, fmt.Errorf("insert observation: %w", err)
	}
	if tag.RowsAffected() == 1 || o.SourceID == "" {
		return o.ID, true, nil
	}
	var id string
	if err := q.db.QueryRow(ctx, stmt("ObservationBySourceID"), o.SourceID).Scan(&id); err != nil {
		return "", false, fmt.Errorf("find duplicate observation: %w", err)
	}
	return id, false, nil
}

package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
)

// Readings, however they arrive (an integration's POST, a patient's text),
// go through one rule: stored in the canonical unit once per source ID,
// audited, and judged against the code's default safe range at once, so an
// out-of-range reading raises a task even for a patient no follow-up
// journey watches. A follow-up judging the same reading against its care
// plan raises its task under the same key (carepath.TaskKeyReading): one
// reading, one task.

// recordReading stores r for the patient in q's transaction and, when it
// is new and outside its safe range, raises the task (holding messageID,
// the text it came in, if any). A duplicate of a stored source ID changes
// nothing and raises nothing again.
func recordReading(ctx context.Context, q *store.Queries, a carepath.Actor, patientID string, r carepath.Reading, messageID string) (obs store.Observation, created bool, j carepath.Judgement, err error) {
	obs = store.Observation{ID: uuid.NewString(), PatientID: patientID, Code: r.Code, Value: r.Value, Value2: r.Value2,
		Unit: r.Unit, OriginalValue: r.OriginalValue, OriginalValue2: r.OriginalValue2, OriginalUnit: r.OriginalUnit,
		EffectiveAt: r.EffectiveAt, SourceID: r.SourceID}
	if obs.ID, created, err = q.ObservationInsert(ctx, obs); err != nil || !created {
		return obs, created, j, err
	}
	if err := audit(ctx, q, a, "observation.record", patientID, "observation/"+obs.ID); err != nil {
		return obs, created, j, err
	}
	j = carepath.JudgeReading(obs.Code, obs.Value, obs.Value2)
	if !j.Out() {
		return obs, created, j, nil
	}
	if _, err := q.TaskInsert(ctx, store.NewTask{ID: uuid.NewString(), PatientID: patientID, MessageID: messageID,
		Priority: j.Priority, Reason: carepath.ReasonReadingOutOfRange, Note: readingNote(obs, j),
		DedupeKey: carepath.TaskKeyReading(obs.ID), Swept: true}); err != nil {
		return obs, created, j, fmt.Errorf("raise out-of-range reading task: %w", err)
	}
	return obs, created, j, nil
}

// readingNote tells the care team what was read and which bound it crossed
// ("blood_glucose 52 mg/dL: low (< 70); sent as 2.9 mmol/L"). It is stored
// with the task, never logged.
func readingNote(obs store.Observation, j carepath.Judgement) string {
	v := fmt.Sprintf("%g", obs.Value)
	if obs.Value2 != nil {
		v += fmt.Sprintf("/%g", *obs.Value2)
	}
	note := fmt.Sprintf("%s %s %s: %s (%s)", obs.Code, v, obs.Unit, j.Flag, j.Rule)
	if j.Severe {
		note += ", severe"
	}
	if obs.OriginalUnit != obs.Unit {
		note += fmt.Sprintf("; sent as %g %s", obs.OriginalValue, obs.OriginalUnit)
	}
	return note
}

// readingFromText reads an inbound text as a reading ("BG 182", "BP
// 150/95", "glucosa 9,8 mmol") inside the webhook's transaction: it stores
// the observation under the message's ID as source ID (a re-delivered
// webhook stores it once), audits it and raises the out-of-range task
// holding the message. obs is nil when the text is not a reading, or not a
// plausible one (a person reads it as any other reply). flagged reports an
// out-of-range reading (for the acknowledgement's wording). The caller
// hands obs to the journeys (DeliverObservation) after the commit.
func (e *Engine) readingFromText(ctx context.Context, q *store.Queries, a carepath.Actor, patientID, inboundMessageID, body string) (obs *store.Observation, flagged bool, err error) {
	o, ok := carepath.ParseReadingText(body)
	if !ok || patientID == "" {
		return nil, false, nil
	}
	o.ID = inboundMessageID
	o.EffectiveAt = time.Now().UTC().Format(time.RFC3339)
	r, err := o.Parse()
	if err != nil {
		return nil, false, nil // implausible ("bg 5000"): not taken as a reading
	}
	stored, created, j, err := recordReading(ctx, q, a, patientID, r, inboundMessageID)
	if err != nil {
		return nil, false, fmt.Errorf("reading by text: %w", err)
	}
	if !created {
		// Re-delivered: judge again for the acknowledgement's wording; the
		// task was raised the first time.
		j = carepath.JudgeReading(stored.Code, stored.Value, stored.Value2)
	}
	return &stored, j.Out(), nil
}

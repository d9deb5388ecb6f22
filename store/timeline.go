package store

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// TimelineRow is one entry of a patient's timeline as stored: when, what
// kind, the ID of the record behind it, its unique sort key and its kind's
// own fields (decoded by the engine).
type TimelineRow struct {
	At     time.Time
	Kind   string
	Ref    string
	Key    string
	Detail json.RawMessage
}

// TimelineCursor is where a page of the timeline ends: the next page holds
// the items strictly older (at, then key, descending). The zero cursor is
// the newest item.
type TimelineCursor struct {
	At  time.Time
	Key string
}

// TimelinePage returns up to limit items of the patient's timeline before
// the cursor, newest first: messages, enrollment starts and ends, questions
// asked, task events, observations, consent decisions and contact changes.
func (q *Queries) TimelinePage(ctx context.Context, patientID string, before TimelineCursor, limit int) ([]TimelineRow, error) {
	var at any = before.At
	if before.At.IsZero() {
		at = infinityTimestamp
	}
	rows, err := q.db.Query(ctx, stmt("TimelinePage"), patientID, at, before.Key, limit)
	if err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	defer rows.Close()
	var out []TimelineRow
	for rows.Next() {
		var r TimelineRow
		if err := rows.Scan(&r.At, &r.Kind, &r.Ref, &r.Key, &r.Detail); err != nil {
			return nil, fmt.Errorf("timeline: %w", err)
		}
		out = append(out, r)
	}
	return out, wrapErr("timeline", rows.Err())
}

// infinityTimestamp stands for "no cursor": later than every item.
var infinityTimestamp = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// Reading is a stored observation: as the source sent it and in the
// code's canonical unit (units.go).
type Reading struct {
	ID              string    `json:"id"`
	Code            string    `json:"code"`
	Value           float64   `json:"value"`
	Value2          *float64  `json:"value2,omitempty"`
	Unit            string    `json:"unit"`
	CanonicalValue  float64   `json:"canonical_value"`
	CanonicalValue2 *float64  `json:"canonical_value2,omitempty"`
	CanonicalUnit   string    `json:"canonical_unit"`
	EffectiveAt     time.Time `json:"effective_at"`
	RecordedAt      time.Time `json:"recorded_at"`
}

// ObservationsByPatient returns up to limit of the patient's readings,
// newest first: of one code (or every code for ""), taken at or after
// since (zero: all).
func (q *Queries) ObservationsByPatient(ctx context.Context, patientID, code string, since time.Time, limit int) ([]Reading, error) {
	var from any = since
	if since.IsZero() {
		from = time.Unix(math.MinInt32, 0).UTC()
	}
	rows, err := q.db.Query(ctx, stmt("ObservationsByPatient"), patientID, code, from, limit)
	if err != nil {
		return nil, fmt.Errorf("observations: %w", err)
	}
	defer rows.Close()
	out := []Reading{}
	for rows.Next() {
		var r Reading
		if err := rows.Scan(&r.ID, &r.Code, &r.Value, &r.Value2, &r.Unit, &r.CanonicalValue, &r.CanonicalValue2,
			&r.CanonicalUnit, &r.EffectiveAt, &r.RecordedAt); err != nil {
			return nil, fmt.Errorf("observations: %w", err)
		}
		out = append(out, r)
	}
	return out, wrapErr("observations", rows.Err())
}

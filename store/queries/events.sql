-- name: EventInsert
INSERT INTO events (id, source_id, type, patient_id, occurred_at, data) VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (source_id) DO NOTHING;

-- name: EventBySourceID
SELECT id FROM events WHERE source_id = $1;

-- name: ObservationInsert
INSERT INTO observations (id, patient_id, code, value, value2, unit, effective_at, source_id,
    original_value, original_value2, original_unit)
VALUES ($1, $2, $3, $4, $5, $6, $7, NULLIF($8, ''), $9, $10, $11)
ON CONFLICT (source_id) DO NOTHING;

-- name: ObservationBySourceID
SELECT id FROM observations WHERE source_id = $1;

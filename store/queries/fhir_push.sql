-- name: FHIRPushLock
-- One pusher at a time across worker processes; held until the
-- transaction (one resource's push) ends.
SELECT pg_try_advisory_xact_lock(hashtext('carepath.fhir_push'));

-- name: FHIRPushCursorEnsure
INSERT INTO fhir_push_cursors (resource_type) VALUES ($1) ON CONFLICT (resource_type) DO NOTHING;

-- name: FHIRPushCursorLock
SELECT resource_type, after_at, after_id::text, pushed, attempts, next_attempt_at <= now(), last_error
FROM fhir_push_cursors WHERE resource_type = $1 FOR UPDATE;

-- name: FHIRPushCursors
SELECT resource_type, after_at, after_id::text, pushed, attempts, next_attempt_at <= now(), last_error
FROM fhir_push_cursors ORDER BY resource_type;

-- name: FHIRPushAdvance
-- The EHR accepted the resource at (after_at, after_id): move past it.
UPDATE fhir_push_cursors SET after_at = $2, after_id = $3::uuid, pushed = pushed + $4, attempts = 0, last_error = '',
    next_attempt_at = now(), updated_at = now()
WHERE resource_type = $1;

-- name: FHIRPushFailed
UPDATE fhir_push_cursors SET attempts = attempts + 1, last_error = $2,
    next_attempt_at = now() + make_interval(secs => $3::float8), updated_at = now()
WHERE resource_type = $1
RETURNING attempts;

-- name: FHIRPushRejectInsert
INSERT INTO fhir_push_rejected (resource_type, id, status, reason) VALUES ($1, $2, $3, $4);

-- The next row of each pushed type after the cursor ($1, $2), changed at
-- least $3 seconds ago (a transaction that started earlier may still
-- commit a row stamped before now: the settle time lets it land before
-- the cursor passes its time). Columns: time, row id, FHIR id.

-- name: FHIRPushNextCommunication
-- Messages of a known patient (the EHR's chart is per patient: a text
-- from an unknown number stays in carepath's inbox).
SELECT updated_at, id::text, id::text FROM messages
WHERE patient_id IS NOT NULL AND (updated_at, id) > ($1, $2::uuid) AND updated_at <= now() - make_interval(secs => $3::float8)
ORDER BY updated_at, id LIMIT 1;

-- name: FHIRPushNextTask
-- Tasks about a known patient.
SELECT updated_at, id::text, id::text FROM tasks
WHERE patient_id IS NOT NULL AND (updated_at, id) > ($1, $2::uuid) AND updated_at <= now() - make_interval(secs => $3::float8)
ORDER BY updated_at, id LIMIT 1;

-- name: FHIRPushNextQuestionnaireResponse
SELECT updated_at, id::text, id::text FROM questions
WHERE (updated_at, id) > ($1, $2::uuid) AND updated_at <= now() - make_interval(secs => $3::float8)
ORDER BY updated_at, id LIMIT 1;

-- name: FHIRPushNextObservation
-- Patient-reported readings only: those the EHR sent (source
-- fhir:Observation/<id>) are already in its chart.
SELECT created_at, id::text, id::text FROM observations
WHERE (created_at, id) > ($1, $2::uuid) AND created_at <= now() - make_interval(secs => $3::float8)
  AND (source_id IS NULL OR source_id NOT LIKE 'fhir:%')
ORDER BY created_at, id LIMIT 1;

-- name: FHIRPushNextAppointment
-- Appointments the patient answered a reminder for (confirmed, cancelled,
-- asked to reschedule), by their last change: responded_at is the reply's
-- time on the journey's clock, which can be older than the cursor when
-- the answer is applied, so it cannot order the push. A later change by
-- the EHR itself re-sends the appointment once (its content then matches
-- the EHR's: a re-send that changes nothing).
SELECT updated_at, id::text, fhir_id FROM appointments
WHERE responded_at IS NOT NULL AND (updated_at, id) > ($1, $2::uuid)
  AND updated_at <= now() - make_interval(secs => $3::float8)
ORDER BY updated_at, id LIMIT 1;

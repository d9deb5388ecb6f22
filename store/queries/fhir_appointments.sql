-- name: AppointmentByFHIRIDLock
SELECT id, patient_id, fhir_id, status, start_at, patient_response, coalesce(response, ''), responded_at,
       reminders_sent, coalesce(enrollment_id::text, ''), version, created_at, updated_at
FROM appointments WHERE fhir_id = $1 FOR UPDATE;

-- name: AppointmentInsertFHIR
INSERT INTO appointments (id, patient_id, fhir_id, status, start_at, patient_response)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING version, created_at, updated_at;

-- name: AppointmentUpdateFHIR
UPDATE appointments SET patient_id = $2, status = $3, start_at = $4, patient_response = $5,
       version = version + 1, updated_at = now()
WHERE id = $1
RETURNING version, updated_at;

-- name: AppointmentFollowers
SELECT workflow_id FROM enrollments
WHERE patient_id = $1 AND journey_key = $2 AND status = 'active'
ORDER BY created_at, id;

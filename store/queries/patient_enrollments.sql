-- name: EnrollmentsByPatient
-- A patient's enrollments, newest first.
SELECT id, patient_id, journey, journey_key, params, status, outcome, workflow_id, created_at, completed_at, outcome_detail
FROM enrollments WHERE patient_id = $1
ORDER BY created_at DESC, id
LIMIT $2;

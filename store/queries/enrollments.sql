-- name: EnrollmentInsert
INSERT INTO enrollments (id, patient_id, journey, journey_key, params, status, workflow_id, start_by_parent)
VALUES ($1, $2, $3, $4, $5, 'active', $6, $7)
RETURNING created_at;

-- name: EnrollmentGet
SELECT id, patient_id, journey, journey_key, params, status, outcome, workflow_id, created_at, completed_at
FROM enrollments WHERE id = $1;

-- name: EnrollmentActiveGet
SELECT id, patient_id, journey, journey_key, params, status, outcome, workflow_id, created_at, completed_at
FROM enrollments WHERE patient_id = $1 AND journey = $2 AND journey_key = $3 AND status = 'active';

-- name: EnrollmentFinish
UPDATE enrollments SET status = $2, outcome = $3, completed_at = now(), updated_at = now()
WHERE id = $1 AND status = 'active';

-- name: EnrollmentQuestionsClose
UPDATE questions SET status = 'closed' WHERE enrollment_id = $1 AND status = 'open';

-- name: EnrollmentWorkflowsActive
SELECT workflow_id FROM enrollments WHERE patient_id = $1 AND status = 'active' ORDER BY created_at;

-- name: EnrollmentOutcomeDetail
UPDATE enrollments SET outcome_detail = $2 WHERE id = $1;

-- name: PatientPreferences
UPDATE patients SET locale = coalesce(NULLIF($2, ''), locale),
    preferred_channel = CASE WHEN $3 = 'sms' AND phone IS NOT NULL THEN 'sms'
                             WHEN $3 = 'email' AND email IS NOT NULL THEN 'email'
                             ELSE preferred_channel END,
    updated_at = now()
WHERE id = $1;

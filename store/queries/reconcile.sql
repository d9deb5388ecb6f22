-- Workflow starts that may have failed: rows written, workflow not known to
-- run. Claimed one at a time, locked for the transaction (SKIP LOCKED lets
-- several processes reconcile at once), oldest first.

-- name: EnrollmentUnstartedClaim
SELECT id, patient_id, journey, journey_key, params, status, outcome, workflow_id, created_at, completed_at, start_attempts
FROM enrollments
WHERE status = 'active' AND workflow_started_at IS NULL
  AND created_at < now() - make_interval(secs => CASE WHEN start_by_parent THEN $2::float8 ELSE $1::float8 END)
  AND (start_retry_at IS NULL OR start_retry_at <= now())
ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED;

-- name: EnrollmentStarted
UPDATE enrollments SET workflow_started_at = now(), start_retry_at = NULL
WHERE id = $1 AND workflow_started_at IS NULL;

-- name: EnrollmentStartFailed
UPDATE enrollments SET start_attempts = start_attempts + 1, start_retry_at = now() + make_interval(secs => $2::float8)
WHERE id = $1 RETURNING start_attempts;

-- name: BatchJobUnstartedClaim
SELECT id, start_attempts FROM batch_jobs
WHERE status = 'running' AND workflow_started_at IS NULL AND created_at < now() - make_interval(secs => $1::float8)
  AND (start_retry_at IS NULL OR start_retry_at <= now())
ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED;

-- name: BatchJobStarted
UPDATE batch_jobs SET workflow_started_at = now(), start_retry_at = NULL
WHERE id = $1 AND workflow_started_at IS NULL;

-- name: BatchJobStartFailed
UPDATE batch_jobs SET start_attempts = start_attempts + 1, start_retry_at = now() + make_interval(secs => $2::float8)
WHERE id = $1 RETURNING start_attempts;

-- name: BatchJobFail
UPDATE batch_jobs SET status = 'failed', failure = $2, completed_at = now() WHERE id = $1 AND status = 'running';

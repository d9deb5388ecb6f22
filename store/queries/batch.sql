-- name: BatchJobInsert
INSERT INTO batch_jobs (id, journey, params, status, actor, segment) VALUES ($1, $2, $3, 'running', $4, $5) RETURNING created_at;

-- name: BatchItemsInsert
INSERT INTO batch_items (job_id, patient_id, status) SELECT $1, unnest($2::uuid[]), 'pending' ON CONFLICT DO NOTHING;

-- name: BatchJobGet
SELECT id, journey, params, status, created_at, completed_at, segment, failure FROM batch_jobs WHERE id = $1;

-- name: BatchCounts
SELECT status, count(*) FROM batch_items WHERE job_id = $1 GROUP BY status;

-- name: BatchSkipped
SELECT patient_id, status, reason FROM batch_items WHERE job_id = $1 AND status IN ('skipped', 'failed')
ORDER BY patient_id LIMIT $2;

-- name: BatchPending
SELECT patient_id FROM batch_items WHERE job_id = $1 AND status = 'pending' ORDER BY patient_id LIMIT $2;

-- name: BatchPendingAfter
-- The next page of BatchPending, after the last patient of the page before.
SELECT patient_id FROM batch_items WHERE job_id = $1 AND status = 'pending' AND patient_id > $3::uuid
ORDER BY patient_id LIMIT $2;

-- name: BatchItemsDone
UPDATE batch_items b SET status = u.status, reason = u.reason, enrollment_id = nullif(u.enrollment_id, '')::uuid
FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[]) AS u(patient_id, status, reason, enrollment_id)
WHERE b.job_id = $1 AND b.patient_id = u.patient_id;

-- name: BatchJobComplete
UPDATE batch_jobs SET status = 'completed', completed_at = coalesce(completed_at, now()) WHERE id = $1;

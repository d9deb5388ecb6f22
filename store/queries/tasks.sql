-- name: TaskInsert
INSERT INTO tasks (id, patient_id, enrollment_id, message_id, priority, status, reason, note, dedupe_key, due_at)
VALUES ($1, NULLIF($2, '')::uuid, NULLIF($3, '')::uuid, NULLIF($4, '')::uuid, $5, 'open', $6, $7, NULLIF($8, ''), $9)
ON CONFLICT (dedupe_key) DO NOTHING;

-- name: TaskIDByDedupeKey
SELECT id FROM tasks WHERE dedupe_key = $1;

-- name: TaskList
SELECT id, coalesce(patient_id::text, ''), coalesce(enrollment_id::text, ''), priority, status, reason, note,
       created_at, acknowledged_at, resolved_at
FROM tasks
WHERE ($1 = '' OR patient_id = NULLIF($1, '')::uuid)
  AND ($2 = '' OR status = $2)
ORDER BY CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END, created_at, id
LIMIT $3;

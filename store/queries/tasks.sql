-- name: TaskInsert
INSERT INTO tasks (id, patient_id, enrollment_id, message_id, priority, status, reason, note, dedupe_key, due_at, swept)
VALUES ($1, NULLIF($2, '')::uuid, NULLIF($3, '')::uuid, NULLIF($4, '')::uuid, $5, 'open', $6, $7, NULLIF($8, ''), $9, $10)
ON CONFLICT (dedupe_key) DO NOTHING;

-- name: TaskIDByDedupeKey
SELECT id FROM tasks WHERE dedupe_key = $1;

-- name: TaskList
SELECT id, coalesce(patient_id::text, ''), coalesce(enrollment_id::text, ''), coalesce(message_id::text, ''), priority, status, reason, note,
       created_at, acknowledged_at, resolved_at, escalation_level, due_at
FROM tasks
WHERE ($1 = '' OR patient_id = NULLIF($1, '')::uuid)
  AND ($2 = '' OR status = $2)
  AND ($4 = '' OR priority = $4)
ORDER BY CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END, created_at, id
LIMIT $3;

-- name: TaskGet
SELECT id, coalesce(patient_id::text, ''), coalesce(enrollment_id::text, ''), coalesce(message_id::text, ''), priority, status, reason, note,
       created_at, acknowledged_at, resolved_at, escalation_level, due_at, resolved_note
FROM tasks WHERE id = $1;

-- name: TaskAcknowledge
UPDATE tasks SET status = 'acknowledged', acknowledged_at = now() WHERE id = $1 AND status = 'open';

-- name: TaskResolve
UPDATE tasks SET status = 'resolved', resolved_at = now(), resolved_note = $2,
    acknowledged_at = coalesce(acknowledged_at, now())
WHERE id = $1 AND status <> 'resolved';

-- name: TaskEscalate
-- Raise an unacknowledged task one level, with a new deadline.
UPDATE tasks SET escalation_level = escalation_level + 1, due_at = $2
WHERE id = $1 AND status = 'open' RETURNING escalation_level;

-- name: TasksOverdue
-- Swept tasks past their acknowledgement deadline that can still escalate.
SELECT id, priority FROM tasks
WHERE status = 'open' AND swept AND due_at <= now() AND escalation_level < $1
ORDER BY due_at
LIMIT $2;

-- name: TaskInsert
-- A new task and its "raised" event in one statement; a deduplicated one
-- inserts neither (the count of rows inserted is the events'). A new
-- urgent or high task wakes the page runners (on commit), so its page
-- starts at once rather than at their next look. The WHERE reads wake so
-- that it runs (a CTE nothing reads is not evaluated); it is always true.
WITH ins AS (
    INSERT INTO tasks (id, patient_id, enrollment_id, message_id, priority, status, reason, note, dedupe_key, due_at, swept)
    VALUES ($1, NULLIF($2, '')::uuid, NULLIF($3, '')::uuid, NULLIF($4, '')::uuid, $5, 'open', $6, $7, NULLIF($8, ''), $9, $10)
    ON CONFLICT (dedupe_key) DO NOTHING
    RETURNING id, created_at, priority
), wake AS (
    SELECT pg_notify('carepath_pages', '') FROM ins WHERE priority IN ('urgent', 'high')
)
INSERT INTO task_events (task_id, at, kind, actor, detail)
SELECT id, created_at, 'raised', $11, $12 FROM ins
WHERE (SELECT count(*) FROM wake) >= 0;

-- name: TaskIDByDedupeKey
SELECT id FROM tasks WHERE dedupe_key = $1;

-- name: TaskList
-- Tasks with whom they are assigned to. $5 is '' (anyone), 'none'
-- (unassigned) or a user ID. Most urgent first; within a priority the most
-- escalated first, then the soonest due, then the oldest.
SELECT t.id, coalesce(t.patient_id::text, ''), coalesce(t.enrollment_id::text, ''), coalesce(t.message_id::text, ''), t.priority, t.status, t.reason, t.note,
       t.created_at, t.acknowledged_at, t.resolved_at, t.escalation_level, t.due_at,
       coalesce(t.assigned_to::text, ''), coalesce(u.name, ''), t.assigned_at
FROM tasks t LEFT JOIN users u ON u.id = t.assigned_to
WHERE ($1 = '' OR t.patient_id = NULLIF($1, '')::uuid)
  AND ($2 = '' OR t.status = $2)
  AND ($4 = '' OR t.priority = $4)
  AND ($5 = '' OR ($5 = 'none' AND t.assigned_to IS NULL) OR t.assigned_to::text = $5)
  AND ($6 = '' OR t.reason = $6)
ORDER BY CASE t.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END, t.escalation_level DESC,
         t.due_at NULLS LAST, t.created_at, t.id
LIMIT $3;

-- name: TaskGet
SELECT id, coalesce(patient_id::text, ''), coalesce(enrollment_id::text, ''), coalesce(message_id::text, ''), priority, status, reason, note,
       created_at, acknowledged_at, resolved_at, escalation_level, due_at, resolved_note
FROM tasks WHERE id = $1;

-- name: TaskAcknowledgeBy
-- An open task (escalated or not) becomes acknowledged by $3/$4 at $2
-- (NULL: now), with its "acknowledged" event.
WITH up AS (
    UPDATE tasks SET status = 'acknowledged', acknowledged_at = coalesce($2, now()),
        acknowledged_by = $4, acknowledged_by_staff = NULLIF($3, '')::uuid
    WHERE id = $1 AND status = 'open'
    RETURNING id, acknowledged_at
)
INSERT INTO task_events (task_id, at, kind, staff_id, actor, detail)
SELECT id, acknowledged_at, 'acknowledged', NULLIF($3, '')::uuid, $4, $5 FROM up;

-- name: TaskResolve
-- Resolving an unacknowledged task acknowledges it too, by the same actor.
WITH up AS (
    UPDATE tasks SET status = 'resolved', resolved_at = coalesce($3, now()), resolved_note = $2,
        acknowledged_at = coalesce(acknowledged_at, $3, now()),
        acknowledged_by = coalesce(acknowledged_by, $5),
        acknowledged_by_staff = coalesce(acknowledged_by_staff, NULLIF($4, '')::uuid)
    WHERE id = $1 AND status <> 'resolved'
    RETURNING id, resolved_at
)
INSERT INTO task_events (task_id, at, kind, staff_id, actor, detail)
SELECT id, resolved_at, 'resolved', NULLIF($4, '')::uuid, $5, $6 FROM up;

-- name: TaskEscalate
-- Raise an unacknowledged task one level, with a new deadline, and record
-- the "escalated" event (who is notified is the pager's to record).
WITH up AS (
    UPDATE tasks SET escalation_level = escalation_level + 1, due_at = $2
    WHERE id = $1 AND status = 'open' RETURNING id, escalation_level
), ev AS (
    INSERT INTO task_events (task_id, kind, actor, detail)
    SELECT id, 'escalated', $3, 'level ' || escalation_level FROM up
)
SELECT escalation_level FROM up;

-- name: TaskAcknowledgement
-- Who acknowledged a task (empty: nobody yet), and when paging began.
SELECT coalesce(acknowledged_by, ''), coalesce(acknowledged_by_staff::text, ''), page_started_at
FROM tasks WHERE id = $1;

-- name: TasksToPage
-- Open urgent and high tasks no page has started for, oldest first.
SELECT id FROM tasks
WHERE status = 'open' AND priority IN ('urgent', 'high') AND page_started_at IS NULL
ORDER BY created_at, id
LIMIT $1;

-- name: TaskMessage
-- The message a task is about: its body and when it was received.
SELECT m.id, m.direction, m.channel, m.body, m.created_at
FROM tasks t JOIN messages m ON m.id = t.message_id
WHERE t.id = $1;

-- name: TasksOverdue
-- Swept tasks past their acknowledgement deadline that can still escalate.
SELECT id, priority FROM tasks
WHERE status = 'open' AND swept AND due_at <= now() AND escalation_level < $1
ORDER BY due_at
LIMIT $2;

-- name: TaskAssignment
-- Whom a task is assigned to (empty: nobody) and since when.
SELECT coalesce(t.assigned_to::text, ''), coalesce(u.name, ''), t.assigned_at
FROM tasks t LEFT JOIN users u ON u.id = t.assigned_to
WHERE t.id = $1;

-- name: TaskAssign
-- Assign a task to $2 (NULL: nobody) with its "assigned" or "unassigned"
-- event; a task already assigned so changes nothing and records nothing.
WITH up AS (
    UPDATE tasks SET assigned_to = $2::uuid, assigned_at = CASE WHEN $2::uuid IS NULL THEN NULL ELSE now() END
    WHERE id = $1 AND assigned_to IS DISTINCT FROM $2::uuid
    RETURNING id
)
INSERT INTO task_events (task_id, kind, actor, detail)
SELECT id, CASE WHEN $2::uuid IS NULL THEN 'unassigned' ELSE 'assigned' END, $3,
       CASE WHEN $2::uuid IS NULL THEN '' ELSE 'to user ' || $2::text END
FROM up;

-- name: TaskEventInsert
INSERT INTO task_events (task_id, at, kind, staff_id, actor, detail)
VALUES ($1, coalesce($2, now()), $3, NULLIF($4, '')::uuid, $5, $6);

-- name: TaskEvents
SELECT task_id, at, kind, coalesce(staff_id::text, ''), actor, detail
FROM task_events WHERE task_id = $1
ORDER BY at, id;

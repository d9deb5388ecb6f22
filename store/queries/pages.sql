-- name: PageCodeLock
-- Serialises ack-code allocation: a code is unique among open pages.
SELECT pg_advisory_xact_lock(hashtext('carepath.page_codes'));

-- name: PageCode
SELECT ack_code FROM pages WHERE task_id = $1;

-- name: PageCodeTaken
-- Whether a page of a still-open task holds the code.
SELECT EXISTS (
    SELECT 1 FROM pages p JOIN tasks t ON t.id = p.task_id
    WHERE p.ack_code = $1 AND t.status = 'open'
);

-- name: PageInsert
INSERT INTO pages (task_id, ack_code) VALUES ($1, $2);

-- name: PageOpenTaskByCode
-- The open task whose page holds the code (at most one: codes are unique
-- among open pages).
SELECT p.task_id FROM pages p JOIN tasks t ON t.id = p.task_id
WHERE p.ack_code = $1 AND t.status = 'open'
ORDER BY p.created_at DESC
LIMIT 1;

-- name: PageSendDone
SELECT EXISTS (SELECT 1 FROM page_sends WHERE task_id = $1 AND step = $2 AND channel = $3);

-- name: PageSendRecord
-- A notification accepted by its provider or webhook, and its "notified"
-- event, in one statement; recorded once per (task, step, channel).
WITH ins AS (
    INSERT INTO page_sends (task_id, step, channel, staff_id, detail)
    VALUES ($1, $2, $3, NULLIF($4, '')::uuid, $5)
    ON CONFLICT DO NOTHING
    RETURNING task_id, sent_at
)
INSERT INTO task_events (task_id, at, kind, staff_id, actor, detail)
SELECT task_id, sent_at, 'notified', NULLIF($4, '')::uuid, 'system:pager', $6 FROM ins;

-- name: PageSends
SELECT step, channel, coalesce(staff_id::text, ''), sent_at, detail
FROM page_sends WHERE task_id = $1
ORDER BY step, sent_at, channel;

-- name: PagedStaff
-- Whether the staff member was paged for the task.
SELECT EXISTS (SELECT 1 FROM page_sends WHERE task_id = $1 AND staff_id = $2);

-- name: TasksOverdueUnpaged
-- The sweeper's share of overdue tasks: swept, open, past the deadline,
-- below the last level, and not paged (a task whose page started is
-- escalated by its TaskPage workflow at each level's deadline).
SELECT id, priority FROM tasks
WHERE status = 'open' AND swept AND due_at <= now() AND escalation_level < $1
  AND page_started_at IS NULL
ORDER BY due_at
LIMIT $2;

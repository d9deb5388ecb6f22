-- name: PageStartTask
-- Marks an open task's paging begun, once: a task paged before (by the
-- runner or, before 0033, by a TaskPage workflow) returns no row.
UPDATE tasks SET page_started_at = $2
WHERE id = $1 AND status = 'open' AND page_started_at IS NULL
RETURNING id;

-- name: PageStartRunner
-- Hands the task's page (its row made by PageCode) to the runner, first
-- call due at once.
UPDATE pages
SET runner = true, step = 0, repeats = 0, phase = 'send', due_at = $2,
    step_since = $2, attempt = 0, ack_within_ms = 0, claim = NULL
WHERE task_id = $1;

-- name: PageNotify
-- Wakes the runners (delivered when the transaction commits).
SELECT pg_notify('carepath_pages', '');

-- name: PagesClaim
-- Claims up to $4 pages due at $1 for the runner $3 until $2 (a runner
-- that dies holding one leaves it to the next once the lease is over).
UPDATE pages p SET due_at = $2, claim = $3
WHERE p.task_id IN (
    SELECT task_id FROM pages
    WHERE runner AND due_at <= $1
    ORDER BY due_at
    LIMIT $4
    FOR UPDATE SKIP LOCKED
)
RETURNING p.task_id, p.step, p.repeats, p.phase, p.step_since, p.attempt, p.ack_within_ms;

-- name: PageSave
-- A claimed page's next state; $6 NULL ends it. Only the claim's holder
-- may save (one whose lease ran out and was claimed again saves nothing).
UPDATE pages
SET step = $3, repeats = $4, phase = $5, due_at = $6, step_since = $7,
    attempt = $8, ack_within_ms = $9, claim = NULL
WHERE task_id = $1 AND claim = $2;

-- name: PageState
-- A runner's page as stored (tests and the task's view).
SELECT runner, step, repeats, phase, due_at, step_since, attempt, ack_within_ms
FROM pages WHERE task_id = $1;

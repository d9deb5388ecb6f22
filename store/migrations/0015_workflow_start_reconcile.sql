-- Which enrollments and bulk launches are known to have their workflow.
-- The row is written before the workflow is started, so a start that
-- failed (Temporal down, the process killed in between) leaves a row with
-- workflow_started_at NULL; the reconciler starts it or, after
-- start_attempts tries, fails it with the reason. A journey a parent
-- journey starts (start_by_parent) is the parent's to start, which
-- Temporal retries; the reconciler waits much longer before taking it.
ALTER TABLE enrollments
    ADD COLUMN start_by_parent boolean NOT NULL DEFAULT false,
    ADD COLUMN workflow_started_at timestamptz,
    ADD COLUMN start_attempts int NOT NULL DEFAULT 0,
    ADD COLUMN start_retry_at timestamptz;
-- Active enrollments from before this migration older than a day are taken
-- as started: a closed workflow may have outlived Temporal's retention, and
-- "not found" must not restart a journey that already ran.
UPDATE enrollments SET workflow_started_at = created_at
WHERE status = 'active' AND created_at < now() - interval '1 day';
CREATE INDEX enrollments_unstarted_idx ON enrollments (created_at) WHERE status = 'active' AND workflow_started_at IS NULL;

ALTER TABLE batch_jobs
    ADD COLUMN workflow_started_at timestamptz,
    ADD COLUMN start_attempts int NOT NULL DEFAULT 0,
    ADD COLUMN start_retry_at timestamptz,
    ADD COLUMN failure text NOT NULL DEFAULT '',
    DROP CONSTRAINT batch_jobs_status_check,
    ADD CONSTRAINT batch_jobs_status_check CHECK (status IN ('running', 'completed', 'failed'));
UPDATE batch_jobs SET workflow_started_at = created_at
WHERE status = 'running' AND created_at < now() - interval '1 day';
CREATE INDEX batch_jobs_unstarted_idx ON batch_jobs (created_at) WHERE status = 'running' AND workflow_started_at IS NULL;

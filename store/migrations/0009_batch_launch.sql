-- Bulk launches: a job and one item per patient.
CREATE TABLE batch_jobs (
    id           uuid PRIMARY KEY,
    journey      text NOT NULL,
    params       jsonb NOT NULL,
    status       text NOT NULL CHECK (status IN ('running', 'completed')),
    actor        text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    completed_at timestamptz
);
CREATE TABLE batch_items (
    job_id        uuid NOT NULL REFERENCES batch_jobs (id),
    patient_id    uuid NOT NULL,
    status        text NOT NULL CHECK (status IN ('pending', 'launched', 'skipped', 'failed')),
    reason        text NOT NULL DEFAULT '',
    enrollment_id uuid,
    PRIMARY KEY (job_id, patient_id)
);
CREATE INDEX batch_items_pending_idx ON batch_items (job_id) WHERE status = 'pending';

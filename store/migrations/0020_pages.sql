-- Pages to on-call staff for urgent and high tasks (issue 12, item 2).

-- One page per task: its ack code, the same at every level, so whoever was
-- paged can answer "ACK 4821". A code is unique among the pages whose task
-- is still open (PagePrepare allocates it under a lock); a closed task's
-- code may be reused.
CREATE TABLE pages (
    task_id    uuid PRIMARY KEY REFERENCES tasks (id),
    ack_code   text NOT NULL CHECK (ack_code ~ '^[0-9]{4}$'),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pages_ack_code_idx ON pages (ack_code);

-- Each notification a page made: one row per (task, step, channel) once the
-- provider or webhook accepted it, so a retried activity does not page the
-- same person on the same channel twice. step 0 is first call. detail
-- never holds PHI (a provider's message ID, an HTTP status).
CREATE TABLE page_sends (
    task_id  uuid NOT NULL REFERENCES tasks (id),
    step     integer NOT NULL CHECK (step >= 0),
    channel  text NOT NULL CHECK (channel IN ('sms', 'email', 'webhook')),
    staff_id uuid REFERENCES staff (id),
    sent_at  timestamptz NOT NULL DEFAULT now(),
    detail   text NOT NULL DEFAULT '',
    PRIMARY KEY (task_id, step, channel)
);
CREATE INDEX page_sends_staff_idx ON page_sends (staff_id, task_id);

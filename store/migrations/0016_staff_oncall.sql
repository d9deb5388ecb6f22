-- Staff, the on-call roster and each task's history (issue 12, item 2).

-- The people carepath pages. Deactivated, never deleted: task history and
-- acknowledgements keep pointing at them.
CREATE TABLE staff (
    id         uuid PRIMARY KEY,
    name       text NOT NULL,
    role       text NOT NULL,
    phone      text,
    email      text,
    active     boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
-- A page's reply ("ACK 4821") finds its sender by phone or address.
CREATE INDEX staff_phone_idx ON staff (phone) WHERE active;
CREATE INDEX staff_email_idx ON staff (lower(email)) WHERE active;

-- The weekly on-call roster, in the clinic's wall-clock time
-- (CAREPATH_CLINIC_TIMEZONE). Minutes since local midnight: start 0..1439,
-- end 1..1440 (24:00). end < start is an overnight shift: it runs from
-- start on its weekday to end on the next day. Level 1 is first call.
CREATE TABLE oncall_shifts (
    id           bigserial PRIMARY KEY,
    staff_id     uuid NOT NULL REFERENCES staff (id),
    weekday      smallint NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    start_minute smallint NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute   smallint NOT NULL CHECK (end_minute BETWEEN 1 AND 1440),
    level        smallint NOT NULL CHECK (level >= 1),
    CHECK (start_minute <> end_minute),
    CHECK (end_minute > start_minute OR end_minute < 1440)
);
CREATE INDEX oncall_shifts_weekday_idx ON oncall_shifts (weekday);

-- What happened to a task, oldest first. detail never holds PHI.
CREATE TABLE task_events (
    id       bigserial PRIMARY KEY,
    task_id  uuid NOT NULL REFERENCES tasks (id),
    at       timestamptz NOT NULL DEFAULT now(),
    kind     text NOT NULL CHECK (kind IN ('raised', 'notified', 'escalated', 'acknowledged', 'resolved', 'note')),
    staff_id uuid REFERENCES staff (id),
    actor    text NOT NULL DEFAULT '',
    detail   text NOT NULL DEFAULT ''
);
CREATE INDEX task_events_task_idx ON task_events (task_id, at, id);

-- Who acknowledged a task: the actor ("api_key:<id>", "staff:<id>") and,
-- when it was a staff member, which one.
ALTER TABLE tasks ADD COLUMN acknowledged_by text;
ALTER TABLE tasks ADD COLUMN acknowledged_by_staff uuid REFERENCES staff (id);
-- When paging began for an urgent or high task; NULL: not yet paged.
-- Open urgent and high tasks already raised are paged too: nobody has
-- acknowledged them.
ALTER TABLE tasks ADD COLUMN page_started_at timestamptz;
CREATE INDEX tasks_to_page_idx ON tasks (created_at, id)
    WHERE status = 'open' AND priority IN ('urgent', 'high') AND page_started_at IS NULL;

-- The EHR link (issue 14): what carepath did flows to the EHR's FHIR
-- server, and the EHR's subscription notifications flow in.

-- tasks and questions had no time of last change: a trigger keeps one, so
-- no query that changes these rows has to remember it and the pusher can
-- page through them in (updated_at, id) order. Rows from before take the
-- latest time they record.
CREATE FUNCTION fhir_push_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW IS DISTINCT FROM OLD THEN
        NEW.updated_at := now();
    END IF;
    RETURN NEW;
END;
$$;

ALTER TABLE tasks ADD COLUMN updated_at timestamptz;
UPDATE tasks SET updated_at = greatest(created_at, acknowledged_at, resolved_at, assigned_at);
ALTER TABLE tasks ALTER COLUMN updated_at SET DEFAULT now(), ALTER COLUMN updated_at SET NOT NULL;
CREATE TRIGGER tasks_fhir_push_touch BEFORE UPDATE ON tasks FOR EACH ROW EXECUTE FUNCTION fhir_push_touch();
CREATE INDEX tasks_updated_idx ON tasks (updated_at, id);

ALTER TABLE questions ADD COLUMN updated_at timestamptz;
UPDATE questions SET updated_at = greatest(asked_at, answered_at);
ALTER TABLE questions ALTER COLUMN updated_at SET DEFAULT now(), ALTER COLUMN updated_at SET NOT NULL;
CREATE TRIGGER questions_fhir_push_touch BEFORE UPDATE ON questions FOR EACH ROW EXECUTE FUNCTION fhir_push_touch();
CREATE INDEX questions_updated_idx ON questions (updated_at, id);

-- Appointments are pushed when the patient answered a reminder (confirm,
-- cancel): the EHR's own changes are not sent back to it.
CREATE INDEX appointments_responded_idx ON appointments (responded_at, id) WHERE responded_at IS NOT NULL;
-- (messages (updated_at, id) and observations (created_at, id) are
-- indexed by 0030_fhir_read.sql.)

-- The pusher's place per FHIR resource type: the (time, id) of the last
-- row the EHR accepted (2xx). It only moves forward after an acceptance,
-- so a crash re-pushes at most the one resource in flight (a PUT of the
-- same version: harmless). A failure backs the type off, durably.
CREATE TABLE fhir_push_cursors (
    resource_type   text PRIMARY KEY,
    after_at        timestamptz NOT NULL DEFAULT '1970-01-01T00:00:00Z',
    after_id        uuid NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000',
    pushed          bigint NOT NULL DEFAULT 0,
    attempts        int NOT NULL DEFAULT 0,      -- failures in a row of the resource at the head
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text NOT NULL DEFAULT '',    -- status and type/id only, never content
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Resources the EHR refused as invalid (4xx other than auth, throttling
-- and timeouts): skipped so the rest still flow, kept for the operator.
CREATE TABLE fhir_push_rejected (
    resource_type text NOT NULL,
    id            text NOT NULL,
    status        int NOT NULL,
    reason        text NOT NULL DEFAULT '',      -- the EHR's OperationOutcome codes, never content
    rejected_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (resource_type, id, rejected_at)
);

-- Topic-based subscriptions (R4B / the R4 backport) the EHR notifies
-- carepath through, by the Subscription reference it sends.
CREATE TABLE fhir_subscriptions (
    subscription      text PRIMARY KEY,
    topic             text NOT NULL DEFAULT '',
    status            text NOT NULL DEFAULT '',
    -- The highest event number seen, and how many numbers below it never
    -- arrived when a later one did (gaps; a late arrival still applies).
    last_event_number bigint NOT NULL DEFAULT 0,
    gaps              bigint NOT NULL DEFAULT 0,
    last_heartbeat_at timestamptz,
    last_event_at     timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);

-- Event numbers applied, so a re-delivered notification is not processed
-- twice.
CREATE TABLE fhir_subscription_events (
    subscription text NOT NULL REFERENCES fhir_subscriptions (subscription),
    event_number bigint NOT NULL,
    applied_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (subscription, event_number)
);

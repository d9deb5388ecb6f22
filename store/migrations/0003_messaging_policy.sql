-- Messaging policy: purposes, deferral, delivery tracking, contact hygiene.
ALTER TABLE messages ADD COLUMN purpose text NOT NULL DEFAULT 'care'
    CHECK (purpose IN ('care', 'outreach', 'compliance'));
ALTER TABLE messages ADD COLUMN deferred_until timestamptz;
ALTER TABLE messages ADD COLUMN delivered_at timestamptz;
ALTER TABLE messages ADD COLUMN error_code int;
ALTER TABLE messages ADD COLUMN sending_at timestamptz;
-- Outreach counted against caps: sent (or being sent) by carepath.
CREATE INDEX messages_outreach_idx ON messages (patient_id, created_at)
    WHERE direction = 'outbound' AND purpose = 'outreach';
CREATE INDEX messages_inbound_recent_idx ON messages (patient_id, created_at DESC) WHERE direction = 'inbound';

-- Consecutive "unreachable" (30003) failures of a patient's phone.
ALTER TABLE patients ADD COLUMN phone_unreachable_count int NOT NULL DEFAULT 0;

ALTER TABLE consents DROP CONSTRAINT consents_purpose_check;
ALTER TABLE consents ADD CONSTRAINT consents_purpose_check CHECK (purpose IN ('care', 'outreach', 'all'));

-- Provider callbacks and events already processed (providers re-post).
CREATE TABLE provider_events (
    provider    text NOT NULL,
    event_key   text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, event_key)
);
